"""Rich rendering of results for the terminal. The core never prints; the CLI calls these."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from auditkit.validation.models import FileResult

WORDS = {
    "cs": {
        "template_written": "Šablona uložena: {path} (dotazník {qid}, verze {version})",
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
        "totals": "{files} souborů: {valid} v pořádku, {invalid} s chybami, {skipped} přeskočeno",
    },
    "en": {
        "template_written": "Template written: {path} (questionnaire {qid}, version {version})",
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
        "totals": "{files} files: {valid} valid, {invalid} with errors, {skipped} skipped",
    },
}
_STATUS_STYLE = {"valid": "green", "invalid": "bold red", "skipped": "yellow"}
_SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}


def console_out() -> Console:
    return Console(highlight=False, soft_wrap=False)


def console_err() -> Console:
    return Console(stderr=True, highlight=False)


def say(console: Console, key: str, lang: str, **params: Any) -> None:
    console.print(Text(WORDS[lang][key].format(**params)))


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def render_validation(results: list[FileResult], lang: str, console: Console | None = None) -> None:
    console = console or console_out()
    w = WORDS[lang]
    if not results:
        console.print(Text(w["no_files"], style="yellow"))
    for r in results:
        head = Text(f"{r.file}  ", style="bold")
        head.append(w[r.status], style=_STATUS_STYLE[r.status])
        console.print(head)
        if not r.findings:
            continue
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
    console.print(
        Text(
            w["totals"].format(
                files=len(results),
                valid=sum(r.status == "valid" for r in results),
                invalid=sum(r.status == "invalid" for r in results),
                skipped=sum(r.status == "skipped" for r in results),
            ),
            style="bold",
        )
    )
