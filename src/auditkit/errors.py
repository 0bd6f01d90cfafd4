"""Mistakes in a command and problems of the machine, in words: never "please report this error".

A :class:`UsageError` is the user's command (a path that does not exist, a file where a folder is expected,
an empty round, a wrong ``--out``): exit code 2. An :class:`EnvironmentProblem` is the machine (a read-only
folder, a full disk, a missing permission): exit code 1. Both name the path and say what to do; the CLI
prints ``message(lang)`` and exits with ``exit_code``.
"""

from __future__ import annotations

import errno
import string
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditkit.datafile import DefinitionError

if TYPE_CHECKING:
    from auditkit.lang import Lang

MESSAGES: dict[str, dict[str, str]] = {
    "path_missing": {
        "cs": "{path} neexistuje. Zadejte existující složku nebo sešity kola (vzorové kolo spustí --sample).",
        "en": "{path} does not exist. Give an existing folder or workbooks of the round (--sample runs the "
              "sample round).",
    },
    "not_a_workbook": {
        "cs": "{path} není sešit (.xlsx, .xlsm, .xls, .ods) ani složka. Zadejte složku kola nebo jeho sešity.",
        "en": "{path} is neither a workbook (.xlsx, .xlsm, .xls, .ods) nor a folder. Give the round's folder or "
              "its workbooks.",
    },
    "empty_round": {
        "cs": "V {path} není žádný sešit (.xlsx, .xlsm, .xls, .ods), není co shrnout. Zkontrolujte cestu.",
        "en": "{path} holds no workbook (.xlsx, .xlsm, .xls, .ods): nothing to summarize. Check the path.",
    },
    "no_paths": {
        "cs": "Chybí složka kola. Zadejte ji, např. 'auditkit summarize audity_2024 --out vystupy', nebo "
              "spusťte vzorové kolo: 'auditkit summarize --sample --out vystupy'.",
        "en": "No round given. Name its folder, e.g. 'auditkit summarize audits_2024 --out outputs', or run "
              "the sample round: 'auditkit summarize --sample --out outputs'.",
    },
    "sample_and_paths": {
        "cs": "--sample zpracuje vzorové kolo; nezadávejte k němu další cesty ({path}).",
        "en": "--sample runs the sample round; give no other paths with it ({path}).",
    },
    "report_folder": {
        "cs": "{path} je složka; zpráva je o jedné službě. Zadejte její sešit, např. {path}/sluzba.xlsx "
              "(celé kolo: auditkit summarize {path}).",
        "en": "{path} is a folder; a report is about one service. Give its workbook, e.g. {path}/service.xlsx "
              "(the whole round: auditkit summarize {path}).",
    },
    "out_suffix": {
        "cs": "--out {path}: soubor musí mít příponu {suffix}. Zvolte např. {suggestion}.",
        "en": "--out {path}: the file must end in {suffix}. Choose e.g. {suggestion}.",
    },
    "out_is_folder": {
        "cs": "--out {path} je složka; zadejte cestu k souboru, např. {suggestion}.",
        "en": "--out {path} is a folder; give a file path, e.g. {suggestion}.",
    },
    "out_exists": {
        "cs": "{path} už existuje (možná je to vyplněný sešit). Zvolte jiný název, nebo ho přepište s --force.",
        "en": "{path} already exists (it may be a filled workbook). Choose another name, or overwrite it with "
              "--force.",
    },
    "out_is_file": {
        "cs": "--out {path} je soubor; výstupy potřebují složku. Zvolte novou nebo prázdnou složku.",
        "en": "--out {path} is a file; the outputs need a folder. Choose a new or empty folder.",
    },
    "out_foreign": {
        "cs": "--out {path} obsahuje i jiné soubory než výstupy auditkitu (např. {entry}) a auditkit ji při "
              "zápisu nahrazuje celou. Zvolte novou nebo prázdnou složku.",
        "en": "--out {path} holds other files than auditkit's outputs (e.g. {entry}), and auditkit replaces "
              "it whole. Choose a new or empty folder.",
    },
    "out_inside_input": {
        "cs": "--out {path} leží ve vstupní složce {input}; výstupy by se příště četly jako vstupy. Zvolte "
              "složku mimo ni.",
        "en": "--out {path} lies inside the input folder {input}; the outputs would be read as inputs next "
              "time. Choose a folder outside it.",
    },
    "disk_full": {
        "cs": "Do {path} nelze zapsat: na disku došlo místo (nebo byl překročen limit velikosti souboru). "
              "Uvolněte místo nebo zvolte jiné --out; předchozí výstupy zůstaly beze změny.",
        "en": "Cannot write to {path}: the disk is full (or a file size limit was reached). Free some space "
              "or choose another --out; previous outputs are unchanged.",
    },
    "no_permission": {
        "cs": "Do {path} nelze zapsat: chybí oprávnění nebo je složka jen pro čtení. Zvolte jiné --out nebo "
              "upravte oprávnění.",
        "en": "Cannot write to {path}: permission denied or the folder is read-only. Choose another --out or "
              "change the permissions.",
    },
    "previous_missing": {
        "cs": "--previous {path}: taková složka ani soubor neexistuje. Zadejte složku minulého kola nebo jeho "
              "summary.json.",
        "en": "--previous {path}: no such folder or file. Give the previous round's folder or its summary.json.",
    },
    "previous_empty": {
        "cs": "--previous {path}: ve složce není žádný platný sešit minulého kola.",
        "en": "--previous {path}: the folder holds no valid workbook of the previous round.",
    },
    "previous_not_summary": {
        "cs": "--previous {path}: to není summary.json z auditkit summarize. Zadejte složku minulého kola nebo "
              "jeho summary.json.",
        "en": "--previous {path}: this is not a summary.json written by auditkit summarize. Give the previous "
              "round's folder or its summary.json.",
    },
    "previous_other_questionnaire": {
        "cs": "--previous {path}: minulé kolo je podle dotazníku {found}, toto podle {expected}; kola různých "
              "dotazníků nelze porovnat.",
        "en": "--previous {path}: the previous round used questionnaire {found}, this one {expected}; rounds of"
              " different questionnaires cannot be compared.",
    },
    "replies_missing": {
        "cs": "--replies {path}: taková složka neexistuje. Zadejte složku s vrácenými plány opatření.",
        "en": "--replies {path}: no such folder. Give the folder of the returned action plans.",
    },
    "annotate_needs_folder": {
        "cs": "--annotate {path}: kontrolujete více sešitů, zadejte složku, ne soubor .xlsx.",
        "en": "--annotate {path}: several workbooks are checked; give a folder, not an .xlsx file.",
    },
    "annotate_is_folder": {
        "cs": "--annotate {path}: to je složka; zadejte název nového souboru .xlsx.",
        "en": "--annotate {path}: this is a folder; give the name of a new .xlsx file.",
    },
    "annotate_not_folder": {
        "cs": "--annotate {path}: soubor již existuje; pro kopii zadejte soubor .xlsx nebo složku.",
        "en": "--annotate {path}: this file exists; give an .xlsx file or a folder for the copies.",
    },
    "questionnaires_missing": {
        "cs": "Složka dotazníků {path} neexistuje (z proměnné {env} nebo z --questionnaires). Opravte cestu, nebo ji "
              "ze seznamu odeberte.",
        "en": "The questionnaire folder {path} does not exist (named in {env} or by --questionnaires). Correct the "
              "path or remove it from the list.",
    },
    "questionnaires_not_folder": {
        "cs": "{path} (z proměnné {env} nebo z --questionnaires) není složka. Zadejte složku, která obsahuje "
              "podsložky <dotazník>/questionnaire.yaml.",
        "en": "{path} (named in {env} or by --questionnaires) is not a folder. Name a folder holding "
              "<questionnaire>/questionnaire.yaml sub-folders.",
    },
    "questionnaire_twice": {
        "cs": "Dotazník {qid} ve verzi {version} je definován dvakrát: {first} a {second}. Jednu z definic "
              "odeberte nebo jí dejte jiné id či verzi.",
        "en": "Questionnaire {qid} version {version} is defined twice: {first} and {second}. Remove one of them "
              "or give it another id or version.",
    },
    "questionnaire_not_known": {
        "cs": "Dotazník {qid} neznám. Známé dotazníky: {known}. Další složky s dotazníky lze přidat proměnnou "
              "{env} nebo volbou --questionnaires.",
        "en": "Unknown questionnaire {qid}. Known questionnaires: {known}. Further questionnaire folders can be "
              "added with the {env} variable or the --questionnaires option.",
    },
    "template_from_other": {
        "cs": "--from {path} je sešit dotazníku {found}, ne {qid}; další kolo má stejný dotazník. Vynechte "
              "--questionnaire, nebo napište prázdnou šablonu bez --from.",
        "en": "--from {path} is a workbook of questionnaire {found}, not {qid}; the next round keeps its "
              "questionnaire. Leave out --questionnaire, or write a blank template without --from.",
    },
    "default_twice": {
        "cs": "Výchozím dotazníkem se prohlašuje více dotazníků (default: true v {files}). Ponechte ho jen u "
              "jednoho, nebo dotazník zvolte volbou --questionnaire.",
        "en": "More than one questionnaire declares itself the default (default: true in {files}). Keep it in one "
              "only, or choose the questionnaire with --questionnaire.",
    },
    "default_none": {
        "cs": "Je k dispozici více dotazníků ({known}) a žádný není prohlášen za výchozí. Zvolte jeden volbou "
              "--questionnaire, nebo u jednoho uveďte default: true v questionnaire.yaml.",
        "en": "Several questionnaires are available ({known}) and none is declared the default. Choose one with "
              "--questionnaire, or set default: true in one questionnaire.yaml.",
    },
    "os_error": {
        "cs": "Operace se souborem {path} selhala: {reason}.",
        "en": "A file operation on {path} failed: {reason}.",
    },
}
__all__ = ["DefinitionError", "EnvironmentProblem", "ParamsError", "UsageError", "check_params",
           "environment_problem"]

_FULL = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}
_DENIED = {errno.EACCES, errno.EPERM, errno.EROFS}


class ParamsError(TypeError):
    """A message built with a missing, extra or misspelt parameter: a programming error, caught in tests."""


def check_params(what: str, declared: frozenset[str] | set[str], given: set[str]) -> None:
    """``given`` must be exactly the ``declared`` parameters of a message (its placeholders)."""
    missing, extra = sorted(declared - given), sorted(given - declared)
    if missing or extra:
        said = "; ".join(p for p in (f"missing {', '.join(missing)}" if missing else "",
                                     f"not in its message {', '.join(extra)}" if extra else "") if p)
        raise ParamsError(f"{what}: {said} (declared: {', '.join(sorted(declared)) or 'none'})")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class UsageError(Exception):
    """A mistake in the command: exit code 2. ``params`` are exactly the placeholders of its message."""

    exit_code = 2

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(f"{key}: {params}")
        if key not in MESSAGES:
            raise ParamsError(f"no usage message '{key}'")
        check_params(f"usage message '{key}'", _placeholders(MESSAGES[key]["cs"]) | _placeholders(MESSAGES[key]["en"]),
                     set(params))
        self.key, self.params = key, {k: str(v) for k, v in params.items()}

    def message(self, lang: Lang) -> str:
        return MESSAGES[self.key][lang if lang in ("cs", "en") else "cs"].format(**self.params)


class EnvironmentProblem(UsageError):
    """The machine refused (disk full, read-only, permission): exit code 1."""

    exit_code = 1


def environment_problem(exc: OSError, path: Path | str | None = None) -> EnvironmentProblem:
    """An OSError in words, naming ``exc.filename`` or else ``path`` (a write of a full disk names none)."""
    where = exc.filename or path or "?"
    if exc.errno in _FULL:
        return EnvironmentProblem("disk_full", path=where)
    if exc.errno in _DENIED:
        return EnvironmentProblem("no_permission", path=where)
    return EnvironmentProblem("os_error", path=where, reason=exc.strerror or type(exc).__name__)
