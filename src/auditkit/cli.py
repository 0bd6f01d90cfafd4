"""The command line: parse options, call one library function, render, choose the exit code.

Exit codes: 0 clean (warnings allowed), 1 problems of severity error, a failed run or a problem of the machine
(a full disk, a read-only folder), 2 usage error; 130 / 143 after SIGINT / SIGTERM.
Heavy modules are imported inside the commands so that ``auditkit --help`` starts fast.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand

from auditkit.lang import Lang, as_lang

app = typer.Typer(
    name="auditkit",
    help="Process audits of asylum homes: questionnaire templates, validation, summary analysis and reports.\n\n"
         "Help is in English; messages and outputs are Czech unless --lang en (docs: README, Command line).",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class _Argument(TyperArgument):
    def display_type_rich(self, ctx: Any) -> str | None:
        return None  # the metavar says it ("PATH..."); no "<list[Path]>" beside it


class _Command(TyperCommand):
    """A command whose usage line reads as the docs write it: ``auditkit validate [OPTIONS] PATH...``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for p in self.params:
            if type(p) is TyperArgument:
                p.__class__ = _Argument

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        return pieces + [p.metavar or p.name.upper() for p in self.get_params(ctx)
                         if p.param_type_name == "argument"]


def _imported() -> None:
    """The command's modules are loaded: the collector, off since the start (``main``), runs again and
    never walks what was loaded (start-up allocates much and frees little; ~0.1 s of ``validate``)."""
    gc.freeze()
    gc.enable()


# Bad option values are told in Czech first, then in English, like every other message before --lang is known.
def _lang(value: str) -> Lang:
    """The user's --lang as a language: the one place where a language arrives as text."""
    try:
        return as_lang(str(value))
    except ValueError:
        raise typer.BadParameter(
            f"'{value}' není známý jazyk, zvolte cs nebo en. / '{value}' is not a known language: choose cs or en."
        ) from None


def _whole(low: int, high: int | None = None) -> Callable[[str | int], int]:
    """A parser of a whole number from ``low`` (to ``high``), with a message a person can act on."""
    span = f"{low}–{high}" if high is not None else f"{low} a více / {low} or more"

    def parse(value: str | int) -> int:
        try:
            n = int(str(value).strip())
        except ValueError:
            n = None
        if n is None or n < low or (high is not None and n > high):
            raise typer.BadParameter(f"'{value}': zadejte celé číslo {span.split(' / ')[0]}. / "
                                     f"enter a whole number {span.split(' / ')[-1]}.")
        return n

    return parse


def _date(value: str | dt.datetime) -> dt.datetime:
    from auditkit.excel.normalize import parse_date

    if isinstance(value, dt.datetime):
        return value
    try:
        return dt.datetime.combine(parse_date(value), dt.time())
    except Exception:  # noqa: BLE001 - any unreadable date is the same usage error
        raise typer.BadParameter(f"'{value}': zadejte datum jako 1. 3. 2025 nebo 2025-03-01. / "
                                 "enter a date as 2025-03-01 or 1. 3. 2025.") from None


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("auditkit")
        except PackageNotFoundError:  # run from a source tree without installing
            from auditkit import __version__ as number
        typer.echo(f"auditkit {number}")
        raise typer.Exit()


@app.callback()
def _main(
    show_version: Annotated[bool, typer.Option(
        "--version", "-V", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
    questionnaires: Annotated[list[Path] | None, typer.Option(
        "--questionnaires", metavar="DIR", help="A further folder of questionnaires (<id>/questionnaire.yaml), "
        "beside the shipped ones and those in AUDITKIT_QUESTIONNAIRES; may be repeated.")] = None,
) -> None:
    """The options of auditkit itself, before the command."""
    if questionnaires:
        from auditkit.questionnaire.sources import add_root

        for folder in questionnaires:
            add_root(folder)


LangOpt = Annotated[Lang, typer.Option("--lang", parser=_lang, metavar="cs|en",
                                       help="Language of the workbook / messages / report: cs or en.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout instead of tables.")]


@app.command(cls=_Command)
def template(
    out: Annotated[Path, typer.Option("--out", metavar="FILE", help="Where to write the blank workbook (.xlsx).")],
    lang: LangOpt = "cs",
    service_name: Annotated[str | None, typer.Option("--service-name", metavar="NAME", help="Prefill the service name.")] = None,
    previous: Annotated[Path | None, typer.Option(
        "--from", metavar="WORKBOOK", help="The service's workbook from the previous round: its identification and staff list are "
        "carried over and its answers shown beside the blank answer cells.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
    questionnaire: Annotated[str | None, typer.Option(
        "--questionnaire", metavar="ID", help="Which questionnaire (its id; the newest version is written). "
        "Default: the one declared default.")] = None,
) -> None:
    """Write a blank audit workbook for auditors to fill (an existing file is kept unless --force).

    \b
    Examples:
      auditkit template --out audit_2024.xlsx --service-name "Azylový dům Hvězda"
      auditkit template --questionnaire ad-procesni-audit --out audit_2024.xlsx
      auditkit template --from audits_2023/ad_kotva.xlsx --out audits_2024/ad_kotva.xlsx
    """
    from auditkit.errors import UsageError
    from auditkit.render import console_err, say

    _imported()

    if out.suffix.lower() != ".xlsx":
        raise UsageError("out_suffix", path=out, suffix=".xlsx", suggestion=out.with_suffix(".xlsx"))
    if out.is_dir():
        raise UsageError("out_is_folder", path=out, suggestion=out / "audit.xlsx")
    if (out.exists() or out.is_symlink()) and not force:
        raise UsageError("out_exists", path=out)
    if previous is not None:
        from auditkit.nextround import next_round_template
        from auditkit.render import render_validation

        result, q = next_round_template(previous, out, lang, questionnaire)
        if q is None:
            render_validation([result], lang)
            raise typer.Exit(1)
        if result.errors:
            say(console_err(), "previous_has_errors", lang, path=previous, n=result.errors)
    else:
        from auditkit.excel.template import write_template
        from auditkit.questionnaire.loader import default_questionnaire, newest

        q = newest(questionnaire) if questionnaire else default_questionnaire()
        write_template(out, q, lang, service_name)
    say(console_err(), "template_written", lang, path=out, qid=q.id, version=q.version)


@app.command(cls=_Command)
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Workbooks or folders of workbooks.", show_default=False,
                                                metavar="PATH...")],
    lang: Annotated[Lang | None, typer.Option(
        "--lang", parser=_lang, metavar="cs|en", help="Language of the messages: cs or en (default: each workbook's own).", show_default=False)] = None,
    json_out: JsonOpt = False,
    jobs: Annotated[int | None, typer.Option("--jobs", parser=_whole(1), metavar="N",
                                             help="Worker processes (default: by the number of files).")] = None,
    annotate: Annotated[Path | None, typer.Option(
        "--annotate", metavar="FILE|FOLDER", help="Write an annotated return copy: each problem as a comment on its cell and a first sheet "
        "listing them. An .xlsx file for one workbook, a folder for several.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show each problem's catalogue code too.")] = False,
) -> None:
    """Check filled workbooks and point at every problem by sheet and cell.

    \b
    Examples:
      auditkit validate audit_jasmin.xlsx
      auditkit validate sample_audits/ --lang en
      auditkit validate audit_jasmin.xlsx --annotate audit_jasmin_opravy.xlsx

    Exit code 0 when no workbook has errors (warnings allowed), 1 when any has, 2 for a mistake in the command.
    """
    from auditkit.pipeline import process_files
    from auditkit.render import print_json, render_annotations, render_validation
    from auditkit.validation import workbook  # noqa: F401 - loaded before the collector runs again
    from auditkit.validation.batch import messages_language

    _imported()
    results, _ = process_files(paths, lang, jobs, score=False)
    lang = messages_language(results, lang)
    done = None
    if annotate is not None:
        from auditkit.annotation import annotate_results

        done = annotate_results(results, annotate, lang)  # an unusable target: a UsageError, exit 2
    if json_out:
        from auditkit.validation.output import validation_json  # not serialize: no summary models loaded

        print_json(validation_json(results))
    else:
        render_validation(results, lang, verbose=verbose)
    if done is not None:
        render_annotations(done, lang)
    raise typer.Exit(1 if any(r.status == "invalid" for r in results) else 0)


@app.command(cls=_Command)
def summarize(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Workbooks or folders of one audit round.", metavar="[PATH...]", show_default=False),
    ] = None,
    out: Annotated[Path, typer.Option(
        "--out", metavar="FOLDER", help="Folder for summary.pdf, summary.xlsx, summary.json, opendata/, reports/ "
        "(replaced whole at the end of the run; a folder holding other files is refused).")] = Path("out"),
    sample: Annotated[bool, typer.Option("--sample", help="Run on the bundled sample round (six fictional homes).")] = False,
    lang: LangOpt = "cs",
    json_out: JsonOpt = False,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", parser=_whole(1), metavar="N", help="Worker processes for the workbooks and the reports (default: by their number and the cores)."
    )] = None,
    no_reports: Annotated[bool, typer.Option("--no-reports", help="Skip the per-provider PDF reports.")] = False,
    no_open_data: Annotated[bool, typer.Option(
        "--no-open-data", help="Skip the open-data package (opendata/: CSV and datapackage.json).")] = False,
    previous: Annotated[Path | None, typer.Option(
        "--previous", metavar="FOLDER|JSON", help="The previous round (its folder of workbooks or its summary.json): every finding is "
        "marked new or persisting, resolved findings and score changes are listed.")] = None,
    replies: Annotated[Path | None, typer.Option(
        "--replies", metavar="FOLDER", help="A folder of the providers' returned plan workbooks (…_plan.xlsx): replies and objections "
        "are attached to the findings and counted.")] = None,
    reply_days: Annotated[int, typer.Option(
        "--reply-days", parser=_whole(1, 365), metavar="DAYS", help="Days the providers have to return their plan (the deadline printed "
        "in each plan workbook).")] = 15,
    report_date: Annotated[dt.datetime | None, typer.Option(
        "--report-date", parser=_date, metavar="DATE", help="Date of issue of the reports and plans "
        "(default: today); the reply deadline counts from it.")] = None,
    questionnaire: Annotated[str | None, typer.Option(
        "--questionnaire", metavar="ID", help="The round's questionnaire (default: the one most workbooks use); "
        "workbooks of another questionnaire are rejected and listed.")] = None,
) -> None:
    """Score every workbook of a round and write the summary analysis (PDF, tidy xlsx, JSON, open data) and
    provider reports.

    \b
    Examples:
      auditkit summarize audits_2023/ --out out_2023 --json
      auditkit summarize audits_2024/ --previous out_2023/summary.json --out out_2024
      auditkit summarize audits_2024/ --replies plans_returned/ --out out_2024_final
      auditkit summarize --sample --out out      (the bundled sample round)
      auditkit summarize audits_2024/ --questionnaire dnpc-audit --out out_dnpc

    A round is summarised by one questionnaire: workbooks of another one (a folder mixing two) are rejected
    with questionnaire_mismatch and listed, never merged.

    Exit code 0 when every workbook was included (skipped lock files do not count), 1 when any was rejected
    or an output (a provider's report) could not be written (the other outputs are still written).
    """
    from rich.text import Text

    from auditkit.errors import UsageError
    from auditkit.paths import sample_audits_dir
    from auditkit.pipeline import run_summary, summary_questionnaire
    from auditkit.render import console_err, print_json, progress_bar, render_summary
    from auditkit.serialize import summary_json

    _imported()

    if sample and paths:
        raise UsageError("sample_and_paths", path=" ".join(map(str, paths)))
    if not sample and not paths:
        raise UsageError("no_paths")
    bar = progress_bar(lang) if sys.stderr.isatty() else contextlib.nullcontext(None)  # else no stray line
    with bar as listen:  # an unusable --previous or --replies: a UsageError, exit 2
        summary, outputs = run_summary([sample_audits_dir()] if sample else paths or [], out, lang, jobs,
                                       not no_reports, listen, previous=previous, replies=replies,
                                       reply_days=reply_days,
                                       report_date=report_date.date() if report_date else None,
                                       open_data=not no_open_data, questionnaire=questionnaire)
    q = summary_questionnaire(summary)
    if json_out:
        data = summary_json(summary)
        if outputs.failures:  # else the same JSON as summary.json
            data["failed_outputs"] = [f.model_dump() for f in outputs.failures]
        print_json(data)
    else:
        render_summary(summary, q, lang, outputs)
    for failure in outputs.failures:  # on stderr too, so a --json run names them to the person as well
        console_err().print(Text(f"{failure.file}: {failure.message}", style="bold red"))
    raise typer.Exit(1 if summary.rejected or outputs.failures else 0)


@app.command(cls=_Command)
def report(
    file: Annotated[Path, typer.Argument(help="The service's filled workbook.", show_default=False,
                                         metavar="WORKBOOK")],
    out: Annotated[Path, typer.Option("--out", metavar="FILE", help="Where to write the PDF report.")],
    benchmark_paths: Annotated[
        list[Path] | None,
        typer.Option("--benchmark", metavar="PATH", help="Workbooks or folders of the round for the anonymous regional comparison."),
    ] = None,
    lang: LangOpt = "cs",
) -> None:
    """Write the PDF report for one provider about its own service, with anonymous regional comparison.

    \b
    Example:
      auditkit report sample_audits/ad_kotva.xlsx --benchmark sample_audits --out kotva.pdf
    """
    from auditkit.errors import UsageError, environment_problem
    from auditkit.pipeline import provider_report
    from auditkit.render import console_err, render_validation, say

    _imported()

    if file.is_dir():
        raise UsageError("report_folder", path=file)
    if not file.exists() and not file.is_symlink():
        raise UsageError("path_missing", path=file)
    for p in benchmark_paths or []:
        if not p.exists() and not p.is_symlink():
            raise UsageError("path_missing", path=p)
    if out.is_dir():
        raise UsageError("out_is_folder", path=out, suggestion=out / f"{file.stem}.pdf")
    if out.suffix.lower() != ".pdf":
        raise UsageError("out_suffix", path=out, suffix=".pdf", suggestion=out.with_suffix(".pdf"))
    try:
        result, bench = provider_report(file, benchmark_paths or [], lang, out)
    except OSError as exc:
        raise environment_problem(exc, out) from None
    if bench is None:
        render_validation([result], lang)
        raise typer.Exit(1)
    say(console_err(), "report_written", lang, path=out, n=bench.n)


def _lang_of_argv() -> Lang:
    """The --lang of the command line, for messages printed before or outside the command."""
    argv = sys.argv[1:]
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return "en" if argv[i + 1] == "en" else "cs"
        if arg.startswith("--lang="):
            return "en" if arg.endswith("=en") else "cs"
    return "cs"


# the one line after a stop signal (templates/reports/cli.yaml): before the new outputs are in place, or after
_STOPPED = ("cli", "stopped.during")
_STOPPED_AFTER = ("cli", "stopped.after")


def main() -> None:
    """Entry point: no traceback ever reaches the user.

    SIGINT and SIGTERM unwind the command (every ``finally`` removes what it made, worker processes are
    ended), then one line is printed and the process exits 130 / 143.
    """
    from auditkit.errors import DefinitionError, UsageError
    from auditkit.interrupt import Interrupted, stoppable

    gc.disable()  # until the command's modules are loaded (``_imported``)
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")  # no scan of every installed package
    _no_plugin_loader()
    try:
        with stoppable():
            app(prog_name="auditkit")
    except SystemExit:
        raise
    except Interrupted as stop:
        _stopped(stop.signum, stop.exit_code)
    except DefinitionError as exc:  # the methodologist's data (questionnaires/, templates/reports/): exit 2
        print(f"Chyba v datech auditkitu / Error in auditkit's data:\n{exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except UsageError as exc:  # the command's or the machine's, in words (exit 2 or 1)
        print(exc.message(_lang_of_argv()), file=sys.stderr)
        sys.exit(exc.exit_code)
    except OSError as exc:  # a full disk, a read-only folder, a missing permission: the machine's
        from auditkit.errors import environment_problem

        print(environment_problem(exc).message(_lang_of_argv()), file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        _stopped(2, 130)
    except Exception as exc:  # noqa: BLE001 - one handler for everything unexpected
        print(
            f"auditkit selhal / auditkit failed: {type(exc).__name__}: {exc}\n"
            "Nahlaste prosím tuto chybu. / Please report this error.",
            file=sys.stderr,
        )
        sys.exit(1)


_PLUGINS_OFF = ("__all__", "1", "true")  # the values with which pydantic looks for no plugin


def _no_plugin_loader() -> None:
    """pydantic builds its first validator through its plugin loader, a module whose import alone loads
    ``importlib.metadata`` (email, zipfile, csv: ~12 ms of every command) even when
    ``PYDANTIC_DISABLE_PLUGINS`` says to look for no plugin. With plugins off, this stands in for it until
    something else is asked of it: its ``get_plugins`` finds none while they stay off, as pydantic's own
    does, and anything else (plugins turned on, a name pydantic may add) loads the real module."""
    import types

    name = "pydantic.plugin._loader"
    if name in sys.modules or os.environ.get("PYDANTIC_DISABLE_PLUGINS") not in _PLUGINS_OFF:
        return

    def real(attr: str) -> Any:
        import importlib

        if attr.startswith("__"):  # the import system asking what kind of module this is ("__path__")
            raise AttributeError(attr)
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
        return getattr(importlib.import_module(name), attr)

    def get_plugins() -> Any:
        return () if os.environ.get("PYDANTIC_DISABLE_PLUGINS") in _PLUGINS_OFF else real("get_plugins")()

    stand_in = types.ModuleType(name, "auditkit.cli's stand-in for pydantic's plugin loader while plugins are off")
    vars(stand_in).update(get_plugins=get_plugins, __getattr__=real)  # a module's names live in its dict (PEP 562)
    sys.modules[name] = stand_in


def _stopped(signum: int, code: int) -> None:
    """One line, then exit at once: nothing is left to clean, and no thread is waited for."""
    import signal

    from auditkit import spool

    spool.cleanup()  # normally already done by the spool's own ``finally``
    from auditkit.interrupt import committed
    from auditkit.words import entry

    try:
        words = entry(*(_STOPPED_AFTER if committed() else _STOPPED))[_lang_of_argv()]
    except Exception:  # noqa: BLE001 - a broken words file must not hide the stop: the line in both languages
        words = "Přerušeno / Interrupted ({signal})"
    print(words.format(signal=signal.Signals(signum).name), file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
