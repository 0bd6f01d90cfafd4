"""``template --from``: the next round's workbook for a service, prefilled from its previous workbook."""

from __future__ import annotations

from pathlib import Path

from auditkit.errors import UsageError
from auditkit.excel.prefill import add_previous
from auditkit.excel.template import build_template
from auditkit.fsutil import atomic_write
from auditkit.lang import Lang
from auditkit.questionnaire.loader import newest, registry
from auditkit.questionnaire.models import Questionnaire
from auditkit.validation.batch import validate_one
from auditkit.validation.models import FileResult


def next_round_template(
    previous: Path, out: Path, lang: Lang, questionnaire: str | None = None,
) -> tuple[FileResult, Questionnaire | None]:
    """Write ``out`` from ``previous``; returns the previous workbook's validation and the questionnaire used
    (``None`` when the previous workbook could not be read: nothing is written then). ``questionnaire``, when
    given, must be the previous workbook's (a usage error otherwise): the next round keeps the questionnaire.

    A previous workbook with errors still gives a template: the answers that could not be read stay empty in
    the "previous answer" column, and the caller shows the problems.
    """
    registry()  # a questionnaire folder or definition problem is said as such, not as this file's finding
    result = validate_one(previous, str(previous), lang)
    if result.audit is None:
        return result, None
    if questionnaire is not None and questionnaire != result.audit.questionnaire_id:
        newest(questionnaire)  # an unknown id is said as such
        raise UsageError("template_from_other", path=previous, found=result.audit.questionnaire_id,
                         qid=questionnaire)
    q = newest(result.audit.questionnaire_id)
    wb = build_template(q, lang)
    add_previous(wb, q, result.audit, lang)
    with atomic_write(out) as tmp:
        wb.save(tmp)
    return result, q
