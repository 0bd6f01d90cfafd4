"""Rich rendering of results for the terminal. The core never prints; the CLI calls these."""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.segment import Segment
from rich.text import Text

from auditkit import lang as lang_
from auditkit import words as words_
from auditkit.events import Event, Listener
from auditkit.lang import Lang
from auditkit.validation.models import FileResult

if TYPE_CHECKING:  # rich's tables are loaded where one is drawn: a valid workbook's check draws none
    from rich.table import Table

    from auditkit.scoring import ScoredAudit

WORDS = words_.by_lang("cli", "terminal")  # templates/reports/cli.yaml, read on first use
# Counted nouns by CLDR plural category (auditkit.lang picks the form with Babel: "1 chyba, 2 chyby, 5 chyb").
COUNTS = words_.by_lang("cli", "counts")
# Verdict marks by the verdict's place from best to worst, so the verdict survives without colour.
MARKS = {1: "✓", 2: "✓✗", 3: "✓~✗", 4: "✓~!✗"}
TERMINAL_ROWS = 30
_STATUS_STYLE = {"valid": "green", "invalid": "bold red", "skipped": "yellow"}
_SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 but tab and newline, DEL, C1 (0x9b is CSI)


class _SafeConsole(Console):
    """The console of every terminal rendering: no text (a cell, a file name) can drive the terminal.

    Control characters in the text are shown escaped (``\\x1b``) as the text is written; only rich's own
    control segments (cursor moves of the progress bar) and styles reach the terminal as codes.
    """

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        return super()._render_buffer(
            seg if seg.control or not _CONTROL.search(seg.text)
            else Segment(_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", seg.text), seg.style)
            for seg in buffer)


def console_out() -> Console:
    console = _SafeConsole(highlight=False, soft_wrap=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = 120  # piped into a file: no terminal to fit, keep tables whole
    return console


def console_err() -> Console:
    return _SafeConsole(stderr=True, highlight=False)


def counted(lang: Lang, noun: str, n: int) -> str:
    """``n`` with its noun in the right plural form ("5 chyb", "1 varování")."""
    return lang_.count(n, COUNTS[lang][noun], lang)


def words(key: str, lang: Lang, **params: Any) -> str:
    """A terminal phrase; a counted one (plural forms) takes its form for ``n`` from Babel."""
    text = WORDS[lang][key]
    if isinstance(text, dict):
        return lang_.count(params.pop("n"), text, lang, **params)
    return text.format(**params)


def say(console: Console, key: str, lang: Lang, **params: Any) -> None:
    console.print(Text(words(key, lang, **params)))


def render_objections(replies: Any, lang: Lang, console: Console) -> None:
    w = WORDS[lang]
    console.print(Text(w["objections_title"], style="bold"))
    console.print(Text(words("objections_line", lang, **replies.objections.model_dump())))
    for r in replies.files:
        if r.status == "invalid":
            first = next((f for f in r.problems if f.severity == "error"), r.problems[0] if r.problems else None)
            console.print(Text(words("reply_rejected", lang, file=r.file, message=first.message if first else "")),
                          style="red")


def render_changes(summary: Any, lang: Lang, console: Console) -> None:
    """The round against the previous round, in a few lines (the outputs have the details)."""
    c = summary.comparison.round
    console.print(Text(words("changes_title", lang, source=c.source), style="bold"))
    if c.comparable:
        console.print(Text(words("changes_line", lang, new=c.new, persisting=c.persisting, resolved=c.resolved)))
        console.print(Text(words("changes_overdue", lang, overdue=c.overdue, credited=c.measures_credited)))
    else:
        console.print(Text(words("changes_unmapped", lang, version=c.previous_version), style="yellow"))
    for key, refs in (("changes_only_previous", c.only_previous), ("changes_only_current", c.only_current)):
        if refs:
            console.print(Text(words(key, lang, names=", ".join(r.service_name or r.service_id for r in refs))))


def render_annotations(done: list[Any], lang: Lang, console: Console | None = None) -> None:
    """One line per annotated return copy written (or why it could not be)."""
    console = console or console_err()
    for a in done:
        style = "green" if a.status == "written" else "yellow"
        console.print(Text(words(f"annotated_{a.status}", lang, file=a.file, copy=a.copy_path, cells=a.cells),
                           style=style))


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _severity_counts(problems: list[Any], lang: Lang) -> str:
    return ", ".join(counted(lang, sev, k) for sev in ("error", "warning", "info")
                     if (k := sum(p.severity == sev for p in problems)))


def _by_sheet(problems: list[Any]) -> dict[str | None, list[Any]]:
    """Problems grouped by sheet, file-level ones (no sheet) first, sheets in the order they were found."""
    groups: dict[str | None, list[Any]] = {None: []}
    for f in problems:
        groups.setdefault(f.sheet, []).append(f)
    return groups if groups[None] else {k: v for k, v in groups.items() if k is not None}


def render_validation(results: list[FileResult], lang: Lang, console: Console | None = None,
                      verbose: bool = False) -> None:
    """Per file its status; its problems grouped by sheet, each sheet with a count line, then cell, severity
    and the message (without the location it repeats); the catalogue code only when ``verbose``."""
    console = console or console_out()
    w = WORDS[lang]
    if not results:
        console.print(Text(w["no_files"], style="yellow"))
    lines = Text()  # file lines are printed in one go up to the next table (a folder may hold hundreds)
    for r in results:
        if lines:
            lines.append("\n")
        lines.append(f"{r.file}  ", style="bold")
        if r.status == "invalid":  # the count says it: "93 chyb, 1 varování"
            lines.append(_severity_counts(r.problems, lang), style=_STATUS_STYLE[r.status])
        else:
            lines.append(w[r.status], style=_STATUS_STYLE[r.status])
        if not r.problems:
            continue
        if r.status != "invalid":
            lines.append(f" ({_severity_counts(r.problems, lang)})")
        console.print(lines)
        lines = Text()
        for sheet, found in _by_sheet(r.problems).items():
            head = Text("  ")
            head.append(f"{w['sheet']} {sheet}" if sheet is not None else w["file_level"], style="bold")
            head.append(f": {_severity_counts(found, lang)}")
            console.print(head)
            console.print(_problems_table(found, lang, verbose))
    if lines:
        console.print(lines)
    from auditkit.validation.output import totals

    t = totals(results)
    console.print(Text(words("totals", lang, n=t.files, valid=t.valid, invalid=t.invalid, skipped=t.skipped),
                       style="bold"))


def _problems_table(found: list[Any], lang: Lang, verbose: bool) -> Table:
    from rich.table import Table

    w = WORDS[lang]
    table = Table(box=None, show_header=False, padding=(0, 1, 0, 0), expand=False)
    table.add_column(w["cell"], no_wrap=True, min_width=4)  # the first column is indented by the padding below
    table.add_column(w["severity"], no_wrap=True)
    table.add_column(w["message"], overflow="fold")
    for f in found:
        message = Text(f.detail())
        if verbose:  # the code follows the message in its own column's space: it never squeezes the message
            message.append(f"  [{f.code}]", style="dim")
        table.add_row(Text(f"    {f.cell or ''}"), Text(w[f.severity], style=_SEVERITY_STYLE[f.severity]), message)
    return table


@contextlib.contextmanager
def progress_bar(lang: Lang) -> Iterator[Listener]:
    """A progress bar on stderr that draws the run's events (``auditkit.events``); yields the listener.

    It is drawn on each event, from the thread that runs the command: rich's refresh thread is never
    started, so no thread runs when the workers fork (``auditkit.workers``)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from auditkit.events import FileDone, FileRejected, OutputDone, OutputFailed, StageStarted

    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=console_err(), transient=True, auto_refresh=False,
    )
    task = progress.add_task("", total=None)
    phase = {"previous": "workbooks", "workbooks": "workbooks", "replies": "workbooks"}
    with progress:
        def listen(event: Event) -> None:
            if isinstance(event, StageStarted):
                words = str(WORDS[lang][f"progress_{phase.get(event.stage, 'outputs')}"])
                progress.reset(task, description=words, total=event.total, completed=0)
            elif isinstance(event, FileDone | FileRejected | OutputDone | OutputFailed):
                progress.advance(task)
            else:
                return
            progress.refresh()

        yield listen


def common_prefix(names: list[str]) -> str:
    """The words every name starts with ("Azylový dům "), when at least two names share them and each keeps
    a word of its own; "" otherwise."""
    if len(names) < 2:
        return ""
    split = [n.split(" ") for n in names]
    k = 0
    while all(len(ws) > k + 1 and ws[k] == split[0][k] for ws in split):
        k += 1
    return " ".join(split[0][:k]) + " " if k else ""


def verdict_marks(q: Any) -> dict[str, str]:
    """verdict id → a one-character mark, best ✓ … worst ✗ (the legend says which is which)."""
    ids = [v.id for v in q.scoring.verdicts]
    marks = MARKS.get(len(ids), "✓" + "~" * (len(ids) - 2) + "✗")
    return dict(zip(ids, marks, strict=True))


def render_summary(summary: Any, q: Any, lang: Lang, outputs: Any = None, console: Console | None = None) -> None:
    """Services × areas with every score's verdict as a mark and a colour, the two indices, the most shared
    systemic findings and every file not included with its problems (a few, then their count)."""
    from auditkit.texts import recommendations

    console = console or console_out()
    w = WORDS[lang]
    marks = verdict_marks(q)
    shown: list[tuple[int, ScoredAudit] | None] = list(enumerate(summary.services, start=1))
    if len(shown) > TERMINAL_ROWS:  # a large round: the best and the weakest; all are in the outputs
        shown = shown[: TERMINAL_ROWS // 2] + [None] + shown[-TERMINAL_ROWS // 2 :]
    prefix = common_prefix([e[1].service.service_name for e in shown if e is not None])
    from rich import box
    from rich.table import Table

    table = Table(title=w["summary_title"], header_style="bold", box=box.SIMPLE_HEAD, show_edge=False,
                  pad_edge=False, padding=(0, 0), collapse_padding=True)
    table.add_column(w["rank"], justify="right", no_wrap=True, min_width=2)
    # The name gives way first (cut with "…"); scores and indices never wrap or shrink.
    table.add_column(w["service"], no_wrap=True, overflow="ellipsis", min_width=6, max_width=28, ratio=1)
    for a in q.areas:
        table.add_column(a.code, justify="right", no_wrap=True, min_width=4)
    table.add_column(w["process"], justify="right", no_wrap=True)
    table.add_column(w["outcome"], justify="right", no_wrap=True)
    for entry in shown:
        if entry is None:
            table.add_row("…", Text(words("more", lang, n=len(summary.services) - TERMINAL_ROWS)),
                          *[""] * (len(q.areas) + 2))
            continue
        i, s = entry
        cells = []
        for a in q.areas:
            sc = s.areas[a.id]
            color = q.verdict(sc.verdict).color if sc.verdict else "grey50"
            mark = marks.get(sc.verdict, " ") if sc.verdict else " "
            cells.append(Text("– " if sc.score is None else f"{sc.score:.0f}{mark}", style=f"bold {color}"))
        name = s.service.service_name
        table.add_row(
            str(i), Text(name[len(prefix):] if prefix and name.startswith(prefix) else name), *cells,
            Text("–" if s.process_index is None else f"{s.process_index:.0f}"),
            Text("–" if s.outcome_index is None else f"{s.outcome_index:.0f}"),
        )
    console.print(table)
    legend = Text()
    for v in q.scoring.verdicts:
        legend.append(f"{marks[v.id]} ", style=f"bold {v.color}")
        legend.append(f"{v.label(lang)}   ")
    if prefix:
        legend.append(words("names_prefix", lang, n=w["service"], prefix=prefix.strip()))
    console.print(legend)
    console.print(Text(f"{w['areas_legend']}: " + ", ".join(f"{a.code} {a.title(lang)}" for a in q.areas),
                       style="dim"))
    if summary.systemic:
        rec = recommendations(q)
        console.print(Text(w["systemic"], style="bold"))
        for x in summary.systemic[:8]:
            console.print(Text(f"  {x.count} {lang_.of(x.n, lang)} {x.n}: {rec(x.key + '.title', lang)}"))
    if summary.comparison is not None:
        render_changes(summary, lang, console)
    if summary.replies is not None:
        render_objections(summary.replies, lang, console)
    if summary.rejected or summary.skipped:
        console.print(Text(w["rejected"], style="bold red"))
        for r in [*summary.rejected, *summary.skipped]:
            _render_excluded(console, r, lang)
    if outputs is not None:
        console.print(Text(w["outputs"], style="bold"))
        for p in (outputs.summary_pdf, outputs.anonymous_pdf, outputs.tidy_xlsx, outputs.summary_json, outputs.opendata):
            if p is None:
                continue
            console.print(Text(f"  {p}"))
        if outputs.reports:
            console.print(Text(f"  {outputs.reports[0].parent}/ ({len(outputs.reports)} PDF)"))


EXCLUDED_SHOWN = 5  # problems shown per file not included; the rest are counted, with the command that lists them


def _render_excluded(console: Console, r: FileResult, lang: Lang) -> None:
    w = WORDS[lang]
    line = Text("  ")
    line.append(r.file, style="bold")
    if r.status == "invalid" and r.problems:
        line.append(f"  {_severity_counts(r.problems, lang)}", style=_STATUS_STYLE[r.status])
    else:
        line.append(f"  {w[r.status]}", style=_STATUS_STYLE[r.status])
    console.print(line)
    shown = r.problems[:EXCLUDED_SHOWN]
    from rich.table import Table

    table = Table(box=None, show_header=False, padding=(0, 1, 0, 0))
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for f in shown:
        where = " ".join(x for x in (f.sheet, f.cell) if x)
        table.add_row(Text(f"    {where}" if where else "   "), Text(f.detail()))
    if shown:
        console.print(table)
    rest = len(r.problems) - len(shown)
    if rest > 0:
        console.print(Text("    " + words("more_problems", lang, k=counted(lang, "more", rest), file=_arg(r.file)),
                           style="dim"))


def _arg(path: str) -> str:
    """A path as a command argument to copy (quoted when it holds spaces)."""
    return f'"{path}"' if any(c.isspace() for c in path) else path
