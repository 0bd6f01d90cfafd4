"""The command line: parse options, call one library function, render, choose the exit code.

Exit codes: 0 clean (warnings allowed), 1 findings of severity error or a failed run, 2 usage error.
Heavy modules are imported inside the commands so that ``auditkit --help`` starts fast.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="auditkit",
    help="Process audits of asylum homes: questionnaire templates, validation, summary analysis and reports.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class Lang(str, Enum):
    cs = "cs"
    en = "en"


LangOpt = Annotated[Lang, typer.Option("--lang", help="Language of the workbook / messages / report: cs or en.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout instead of tables.")]


@app.command()
def template(
    out: Annotated[Path, typer.Option("--out", help="Where to write the blank workbook (.xlsx).")],
    lang: LangOpt = Lang.cs,
    service_name: Annotated[str | None, typer.Option("--service-name", help="Prefill the service name.")] = None,
) -> None:
    """Write a blank audit workbook for auditors to fill.

    Example: auditkit template --out audit_2024.xlsx --service-name "Azylový dům Hvězda"
    """
    from auditkit.excel.template import write_template
    from auditkit.questionnaire.loader import default_questionnaire
    from auditkit.render import console_err, say

    q = default_questionnaire()
    if out.suffix.lower() != ".xlsx":
        out = out.with_suffix(".xlsx")
    write_template(out, q, lang.value, service_name)
    say(console_err(), "template_written", lang.value, path=out, qid=q.id, version=q.version)


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Workbooks or folders of workbooks.", show_default=False)],
    lang: LangOpt = Lang.cs,
    json_out: JsonOpt = False,
) -> None:
    """Check filled workbooks and point at every problem by sheet and cell.

    Example: auditkit validate sample_audits/ --lang en
    """
    from auditkit.render import print_json, render_validation
    from auditkit.validation.batch import validate_paths

    results = validate_paths(paths, lang.value)
    if json_out:
        from auditkit.serialize import validation_json

        print_json(validation_json(results))
    else:
        render_validation(results, lang.value)
    raise typer.Exit(1 if any(r.status == "invalid" for r in results) else 0)


def main() -> None:
    """Entry point: no traceback ever reaches the user."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        print("Přerušeno. / Interrupted.", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - one handler for everything unexpected
        from auditkit.questionnaire.loader import DefinitionError

        if isinstance(exc, DefinitionError):
            print(f"Chyba v definici dotazníku / Questionnaire definition error:\n{exc}", file=sys.stderr)
        else:
            print(
                f"auditkit selhal / auditkit failed: {type(exc).__name__}: {exc}\n"
                "Nahlaste prosím tuto chybu. / Please report this error.",
                file=sys.stderr,
            )
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
