"""yes_no: the questionnaire's scale ``yes_no`` (ano / ne); an indicator may give its answer."""

from __future__ import annotations

from typing import ClassVar

from auditkit.questionnaire.kinds.base import register
from auditkit.questionnaire.kinds.options import Scale


@register
class YesNo(Scale):
    name: ClassVar = "yes_no"
    derivable: ClassVar = True
