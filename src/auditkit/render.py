"""Rich rendering of results for the terminal. The core never prints; the CLI calls these."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from auditkit import lang as lang_
from auditkit.validation.models import FileResult

WORDS = {
    "cs": {
        "template_written": "Šablona uložena: {path} (dotazník {qid}, verze {version})",
        # counted phrases: CLDR plural category → text; the form for n comes from Babel (auditkit.lang)
        "report_written": {"one": "Zpráva uložena: {path} (srovnání s {n} službou)",
                           "few": "Zpráva uložena: {path} (srovnání s {n} službami)",
                           "many": "Zpráva uložena: {path} (srovnání s {n} službami)",
                           "other": "Zpráva uložena: {path} (srovnání s {n} službami)"},
        "progress_workbooks": "Zpracovávám sešity",
        "progress_outputs": "Zapisuji výstupy",
        "summary_title": "Souhrnná analýza: skóre oblastí (%)",
        "rank": "#",
        "service": "Služba",
        "process": "Proces",
        "outcome": "Výsl. %",
        "systemic": "Systémová zjištění",
        "of": "z",
        "rejected": "Vyřazené soubory",
        "outputs": "Výstupy",
        "more": {"one": "… a další {n} služba (viz summary.xlsx)", "few": "… a další {n} služby (viz summary.xlsx)",
                 "many": "… a dalších {n} služby (viz summary.xlsx)",
                 "other": "… a dalších {n} služeb (viz summary.xlsx)"},
        "valid": "v pořádku",
        "invalid": "chyby",
        "skipped": "přeskočeno",
        "severity": "Závažnost",
        "sheet": "List",
        "cell": "Buňka",
        "code": "Kód",
        "message": "Zpráva",
        "error": "chyba",
        "warning": "varování",
        "info": "info",
        "no_files": "Nenalezen žádný soubor.",
        "totals": {"one": "{n} soubor – v pořádku: {valid}, s chybami: {invalid}, přeskočeno: {skipped}",
                   "few": "{n} soubory – v pořádku: {valid}, s chybami: {invalid}, přeskočeno: {skipped}",
                   "many": "{n} souboru – v pořádku: {valid}, s chybami: {invalid}, přeskočeno: {skipped}",
                   "other": "{n} souborů – v pořádku: {valid}, s chybami: {invalid}, přeskočeno: {skipped}"},
        "previous_has_errors": "Pozor: minulý sešit {path} má chyby ({n}); jejich odpovědi ve sloupci předchozích "
                               "odpovědí chybí. Zkontrolujte ho příkazem auditkit validate.",
        "annotated_written": "Opravná kopie: {copy} (označené buňky: {cells})",
        "annotated_not_annotatable": "Opravnou kopii nelze zapsat pro {file}: komentáře umí jen .xlsx a .xlsm. "
                                     "Uložte sešit jako .xlsx.",
        "annotated_unreadable": "Opravnou kopii nelze zapsat pro {file}: sešit nejde otevřít.",
        "annotated_would_overwrite": "Opravná kopie by přepsala originál {file}. Zvolte pro --annotate jinou složku.",
        "annotate_needs_folder": "--annotate {path}: kontrolujete více sešitů, zadejte složku, ne soubor .xlsx.",
        "annotate_is_folder": "--annotate {path}: to je složka; zadejte název nového souboru .xlsx.",
        "annotate_not_folder": "--annotate {path}: soubor již existuje; pro kopii zadejte soubor .xlsx nebo složku.",
    },
    "en": {
        "template_written": "Template written: {path} (questionnaire {qid}, version {version})",
        "report_written": {"one": "Report written: {path} (compared with {n} service)",
                           "other": "Report written: {path} (compared with {n} services)"},
        "progress_workbooks": "Processing workbooks",
        "progress_outputs": "Writing the outputs",
        "summary_title": "Summary analysis: area scores (%)",
        "rank": "#",
        "service": "Service",
        "process": "Process",
        "outcome": "Outc. %",
        "systemic": "Systemic findings",
        "of": "of",
        "rejected": "Rejected files",
        "outputs": "Outputs",
        "more": {"one": "… and {n} more service (see summary.xlsx)", "other": "… and {n} more services (see summary.xlsx)"},
        "valid": "valid",
        "invalid": "errors",
        "skipped": "skipped",
        "severity": "Severity",
        "sheet": "Sheet",
        "cell": "Cell",
        "code": "Code",
        "message": "Message",
        "error": "error",
        "warning": "warning",
        "info": "info",
        "no_files": "No file found.",
        "totals": {"one": "{n} file – valid: {valid}, with errors: {invalid}, skipped: {skipped}",
                   "other": "{n} files – valid: {valid}, with errors: {invalid}, skipped: {skipped}"},
        "previous_has_errors": "Note: the previous workbook {path} has errors ({n}); their answers are missing from "
                               "the previous-answer column. Check it with auditkit validate.",
        "annotated_written": "Annotated copy: {copy} (cells marked: {cells})",
        "annotated_not_annotatable": "No annotated copy for {file}: only .xlsx and .xlsm can carry comments. "
                                     "Save the workbook as .xlsx.",
        "annotated_unreadable": "No annotated copy for {file}: the workbook cannot be opened.",
        "annotated_would_overwrite": "The annotated copy would replace the original {file}. Choose another folder for --annotate.",
        "annotate_needs_folder": "--annotate {path}: several workbooks are checked; give a folder, not an .xlsx file.",
        "annotate_is_folder": "--annotate {path}: this is a folder; give the name of a new .xlsx file.",
        "annotate_not_folder": "--annotate {path}: this file exists; give an .xlsx file or a folder for the copies.",
    },
}
TERMINAL_ROWS = 30
_STATUS_STYLE = {"valid": "green", "invalid": "bold red", "skipped": "yellow"}
_SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}


def console_out() -> Console:
    console = Console(highlight=False, soft_wrap=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = 120  # piped into a file: no terminal to fit, keep tables whole
    return console


def console_err() -> Console:
    return Console(stderr=True, highlight=False)


def words(key: str, lang: str, **params: Any) -> str:
    """A terminal phrase; a counted one (plural forms) takes its form for ``n`` from Babel."""
    text = WORDS[lang][key]
    if isinstance(text, dict):
        return lang_.count(params.pop("n"), text, lang, **params)
    return text.format(**params)


def say(console: Console, key: str, lang: str, **params: Any) -> None:
    console.print(Text(words(key, lang, **params)))


def render_annotations(done: list[Any], lang: str, console: Console | None = None) -> None:
    """One line per annotated return copy written (or why it could not be)."""
    console = console or console_err()
    for a in done:
        style = "green" if a.status == "written" else "yellow"
        console.print(Text(WORDS[lang][f"annotated_{a.status}"].format(file=a.file, copy=a.copy_path, cells=a.cells),
                           style=style))


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def render_validation(results: list[FileResult], lang: str, console: Console | None = None) -> None:
    console = console or console_out()
    w = WORDS[lang]
    if not results:
        console.print(Text(w["no_files"], style="yellow"))
    lines = Text()  # file lines are printed in one go up to the next table (a folder may hold hundreds)
    for r in results:
        if lines:
            lines.append("\n")
        lines.append(f"{r.file}  ", style="bold")
        lines.append(w[r.status], style=_STATUS_STYLE[r.status])
        if not r.findings:
            continue
        console.print(lines)
        lines = Text()
        table = Table(show_header=True, header_style="bold", expand=False, pad_edge=False)
        for col in ("severity", "sheet", "cell", "code", "message"):
            table.add_column(w[col], overflow="fold")
        for f in r.findings:
            table.add_row(
                Text(w[f.severity], style=_SEVERITY_STYLE[f.severity]),
                Text(f.sheet or ""),
                Text(f.cell or ""),
                Text(f.code),
                Text(f.message),
            )
        console.print(table)
    if lines:
        console.print(lines)
    console.print(
        Text(
            words(
                "totals", lang,
                n=len(results),
                valid=sum(r.status == "valid" for r in results),
                invalid=sum(r.status == "invalid" for r in results),
                skipped=sum(r.status == "skipped" for r in results),
            ),
            style="bold",
        )
    )


@contextlib.contextmanager
def progress_bar(lang: str) -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar on stderr (hidden when stderr is not a terminal); yields tick(phase, done, total),
    the phase ("workbooks", "outputs") naming what is being done."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=console_err(), transient=True,
    )
    task = progress.add_task("", total=None)
    with progress:
        def tick(phase: str, done: int, total: int) -> None:
            progress.update(task, description=WORDS[lang][f"progress_{phase}"], completed=done, total=total or None)

        yield tick


def render_summary(summary: Any, q: Any, lang: str, outputs: Any = None, console: Console | None = None) -> None:
    from auditkit.reports.texts import recommendations

    console = console or console_out()
    w = WORDS[lang]
    table = Table(title=w["summary_title"], header_style="bold", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column(w["rank"], justify="right", no_wrap=True, min_width=2)
    table.add_column(w["service"], no_wrap=True, overflow="ellipsis", min_width=12, max_width=28)
    for a in q.areas:
        table.add_column(a.code, justify="right", no_wrap=True, min_width=3)
    table.add_column(w["process"], justify="right", no_wrap=True)
    table.add_column(w["outcome"], justify="right", no_wrap=True)
    shown = list(enumerate(summary.services, start=1))
    if len(shown) > TERMINAL_ROWS:  # a large round: the best and the weakest; all are in the outputs
        shown = shown[: TERMINAL_ROWS // 2] + [None] + shown[-TERMINAL_ROWS // 2 :]
    for entry in shown:
        if entry is None:
            table.add_row("…", Text(words("more", lang, n=len(summary.services) - TERMINAL_ROWS)), *[""] * (len(q.areas) + 2))
            continue
        i, s = entry
        cells = []
        for a in q.areas:
            sc = s.areas[a.id]
            color = q.verdict(sc.verdict).color if sc.verdict else "grey50"
            cells.append(Text("–" if sc.score is None else f"{sc.score:.0f}", style=f"bold {color}"))
        table.add_row(
            str(i), Text(s.service.service_name), *cells,
            Text("–" if s.process_index is None else f"{s.process_index:.0f}"),
            Text("–" if s.outcome_index is None else f"{s.outcome_index:.0f}"),
        )
    console.print(table)
    legend = Text()
    for v in q.scoring.verdicts:
        legend.append("■ ", style=v.color)
        legend.append(f"{v.label(lang)}   ")
    console.print(legend)
    if summary.systemic:
        rec = recommendations(q)
        console.print(Text(w["systemic"], style="bold"))
        for x in summary.systemic[:8]:
            console.print(Text(f"  {x.count} {lang_.of(x.n, lang)} {x.n}: {rec(x.key + '.title', lang)}"))
    if summary.rejected or summary.skipped:
        console.print(Text(w["rejected"], style="bold red"))
        for r in [*summary.rejected, *summary.skipped]:
            first = r.findings[0].message if r.findings else ""
            console.print(Text(f"  {r.file}: {w[r.status]} – {first}"))
    if outputs is not None:
        console.print(Text(w["outputs"], style="bold"))
        for p in (outputs.summary_pdf, outputs.tidy_xlsx, outputs.summary_json):
            console.print(Text(f"  {p}"))
        if outputs.reports:
            console.print(Text(f"  {outputs.reports[0].parent}/ ({len(outputs.reports)} PDF)"))
