"""multi_choice: several of the question's own ``options`` in one cell; scored by the sum of the chosen
options' scores (at most 1); a red flag fires when any / all / not all of ``answer_in`` are chosen."""

from __future__ import annotations

from typing import ClassVar

from auditkit.questionnaire.kinds.base import register
from auditkit.questionnaire.kinds.options import ManyOptions


@register
class MultiChoice(ManyOptions):
    name: ClassVar = "multi_choice"
