"""scale_0_3: the questionnaire's scale ``scale_0_3`` (0 not met … 3 exemplary); a red flag may name
options or a threshold ("at_most: 1")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from auditkit.questionnaire.kinds.base import register
from auditkit.questionnaire.kinds.options import Scale

if TYPE_CHECKING:
    from auditkit.lang import Lang
    from auditkit.questionnaire.kinds.base import Column, Question, Questionnaire


@register
class Scale03(Scale):
    name: ClassVar = "scale_0_3"
    words: ClassVar = ("shown",)
    flag_rules: ClassVar = frozenset({"answer_in", "number"})

    def flag_value(self, value: Any) -> float | None:
        if isinstance(value, str) and value.isdigit():
            return float(value)
        return super().flag_value(value)

    def cell_value(self, q: Questionnaire, item: Question | Column, value: Any, lang: Lang) -> Any:
        return value if isinstance(value, int) else super().cell_value(q, item, value, lang)

    def render(self, q: Questionnaire, item: Question | Column, value: Any, lang: Lang) -> str:
        return self.word("shown", lang, value=super().render(q, item, value, lang))
