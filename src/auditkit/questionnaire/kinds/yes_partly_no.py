"""yes_partly_no: the questionnaire's scale ``yes_partly_no`` (ano / částečně / ne)."""

from __future__ import annotations

from typing import ClassVar

from auditkit.questionnaire.kinds.base import register
from auditkit.questionnaire.kinds.options import Scale


@register
class YesPartlyNo(Scale):
    name: ClassVar = "yes_partly_no"
    derivable: ClassVar = True
