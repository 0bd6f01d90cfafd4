"""What a question (or record column) expects, in words: the template's "allowed values" column and the
validation messages say the same thing ('celé číslo 0–52 nebo N/A / nedoloženo')."""

from __future__ import annotations

from auditkit.questionnaire.models import Column, Question, Questionnaire, value_range

_KIND_WORDS = {
    "cs": {
        "integer": "celé číslo",
        "decimal": "číslo",
        "percent": "procento",
        "date": "datum (např. 30. 3. 2023)",
        "text": "text",
    },
    "en": {
        "integer": "a whole number",
        "decimal": "a number",
        "percent": "a percentage",
        "date": "a date (e.g. 2023-03-30 or 30. 3. 2023)",
        "text": "text",
    },
}
_OR = {"cs": " nebo ", "en": " or "}
MULTI_HINT = {
    "cs": "(více hodnot: každou na nový řádek – Alt+Enter – nebo oddělte středníkem)",
    "en": "(several values: one per line – Alt+Enter – or separated by ;)",
}


def fmt_num(x: float, lang: str) -> str:
    text = f"{x:.6g}" if not float(x).is_integer() else str(int(x))
    return text.replace(".", ",") if lang == "cs" else text


def _range_text(item: Question | Column, lang: str) -> str:
    lo, hi = value_range(item)
    if item.kind == "date":
        lo_s = None if lo is None else (f"1. 1. {int(lo)}" if lang == "cs" else f"{int(lo)}-01-01")
        hi_s = None if hi is None else (f"31. 12. {int(hi)}" if lang == "cs" else f"{int(hi)}-12-31")
    else:
        lo_s = fmt_num(lo, lang) if lo is not None else None
        hi_s = fmt_num(hi, lang) if hi is not None else None
    if lo_s and hi_s:
        return f"{lo_s}–{hi_s}"
    if lo_s:
        return f"≥ {lo_s}"
    if hi_s:
        return f"≤ {hi_s}"
    return ""


def specials(q: Questionnaire, lang: str) -> list[str]:
    return [q.not_applicable.label(lang), q.not_evidenced.label(lang)]


def allowed_specials(q: Questionnaire, item: Question | Column) -> tuple[str, ...]:
    """The special answers a cell accepts: every audit question takes 'not evidenced' (a legitimate
    outcome), 'N/A' unless ``na_allowed: false``; identification cells take neither, record cells only
    'N/A' where a column does not apply to every row (``applies_to``)."""
    if isinstance(item, Column):
        return ("na",) if item.applies_to else ()  # N/A in the rows the column does not apply to
    if any(item is x for x in q.identification):
        return ()
    return ("na", "not_evidenced") if item.na_allowed else ("not_evidenced",)


def special_labels(q: Questionnaire, item: Question | Column, lang: str) -> list[str]:
    labels = {"na": q.not_applicable.label(lang), "not_evidenced": q.not_evidenced.label(lang)}
    return [labels[s] for s in allowed_specials(q, item)]


def expected(q: Questionnaire, item: Question | Column, lang: str, *, with_specials: bool = True) -> str:
    """What the cell should hold, in words: 'celé číslo 0–52 nebo N/A / nedoloženo'."""
    if item.kind in ("choice", "multi_choice", "yes_no", "yes_partly_no", "scale_0_3"):
        text = " / ".join(o.label(lang) for o in q.options_for(item))
        if item.kind == "multi_choice":
            text += " " + MULTI_HINT[lang]
    elif item.kind == "text" and item.pattern_label is not None:
        text = item.pattern_label(lang)
    else:
        text = _KIND_WORDS[lang][item.kind]
        rng = _range_text(item, lang)
        if rng:
            text += f" {rng}"
        if item.unit is not None:
            text += f" ({item.unit(lang)})"
    extra = special_labels(q, item, lang) if with_specials else []
    if extra:
        text += _OR[lang] + " / ".join(extra)
    return text
