"""A round is summarised by one questionnaire: files of another one are rejected with a finding.

A folder may mix workbooks of two questionnaires (or of two versions of one). Their areas, questions and
scores do not compare, so ``summarize`` never merges them: the round's questionnaire is the one asked for
(``summarize --questionnaire ID``), else the one most of the round's valid workbooks use — on a tie the
declared default when it is among them, else the first id in alphabetical order — and every valid workbook
of another questionnaire or version is rejected with ``questionnaire_mismatch``, naming both and saying how
to summarise it. Invalid files stay as they are (they are listed anyway); nothing is dropped silently.
"""

from __future__ import annotations

from collections import Counter

from auditkit.errors import UsageError
from auditkit.lang import Lang
from auditkit.questionnaire.loader import default_questionnaire, newest
from auditkit.validation.models import FileResult
from auditkit.validation.problems import make


def round_questionnaire(results: list[FileResult], wanted: str | None = None) -> str | None:
    """The round's questionnaire as "id@version": of id ``wanted`` when given (its version most used in the
    round, else its newest), else the one most valid workbooks use; None when no valid workbook names one."""
    used = Counter(r.questionnaire for r in results if r.status == "valid" and r.questionnaire and r.plan is None)
    if wanted is not None:
        mine = Counter({k: n for k, n in used.items() if k.split("@")[0] == wanted})
        return _top(mine) if mine else newest(wanted).key  # an unknown id: a usage error naming the known
    if not used:
        return None
    return _top(used)


def _top(used: Counter[str]) -> str:
    most = max(used.values())
    tied = sorted(k for k, n in used.items() if n == most)
    if len(tied) > 1:
        try:
            default = default_questionnaire().id
        except UsageError:  # no single default declared: the order of the ids decides
            default = None
        tied = [k for k in tied if k.split("@")[0] == default] or tied
    return tied[0]


def reject_other_questionnaires(results: list[FileResult], key: str | None, lang: Lang | None) -> list[FileResult]:
    """``results`` in the same order; each valid workbook read with another questionnaire than ``key`` becomes
    invalid with a ``questionnaire_mismatch`` finding naming the file's questionnaire and the round's."""
    if key is None:
        return results
    out = []
    for r in results:
        if r.status != "valid" or r.plan is not None or r.questionnaire in (None, key):
            out.append(r)
            continue
        problem = make("questionnaire_mismatch", lang or r.language or "cs", r.file, found=_words(r.questionnaire),
                       expected=_words(key), found_id=r.questionnaire.split("@")[0])
        out.append(r.model_copy(update={"status": "invalid", "problems": [*r.problems, problem]}))
    return out


def _words(key: str) -> str:
    qid, _, version = key.partition("@")
    return f"{qid} {version}"
