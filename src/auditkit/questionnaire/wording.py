"""What a question (or record column) expects, in words: the template's "allowed values" column and the
validation messages say the same thing ('celé číslo 0–52 nebo N/A / nedoloženo')."""

from __future__ import annotations

from auditkit import words
from auditkit.lang import Lang
from auditkit.questionnaire.kinds import kind_of
from auditkit.questionnaire.kinds.numbers import fmt_num
from auditkit.questionnaire.models import Column, Question, Questionnaire

__all__ = ["OR", "allowed_specials", "expected", "fmt_num", "special_labels"]

OR = words.entry("workbook", "wording.or")  # " nebo " / " or " (templates/reports/workbook.yaml), read on first use


def allowed_specials(q: Questionnaire, item: Question | Column) -> tuple[str, ...]:
    """The special answers a cell accepts: every audit question takes 'not evidenced' (a legitimate
    outcome), 'N/A' unless ``na_allowed: false``; identification cells take neither, record cells only
    'N/A' where a column does not apply to every row (``applies_to``)."""
    if isinstance(item, Column):
        return ("na",) if item.applies_to else ()  # N/A in the rows the column does not apply to
    if any(item is x for x in q.identification):
        return ()
    return ("na", "not_evidenced") if item.na_allowed else ("not_evidenced",)


def special_labels(q: Questionnaire, item: Question | Column, lang: Lang) -> list[str]:
    return [str(q.special_label(s, lang)) for s in allowed_specials(q, item)]


def expected(q: Questionnaire, item: Question | Column, lang: Lang, *, with_specials: bool = True) -> str:
    """What the cell should hold, in words: 'celé číslo 0–52 nebo N/A / nedoloženo'."""
    text = kind_of(item).expected(q, item, lang)
    extra = special_labels(q, item, lang) if with_specials else []
    if extra:
        text += OR[lang] + " / ".join(extra)
    return text
