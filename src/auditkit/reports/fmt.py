"""Numbers and dates as people read them (Babel via ``auditkit.lang``): decimal comma and non-breaking
thousands separator in Czech, no spurious decimals."""

from __future__ import annotations

import datetime as dt

from auditkit import lang as lang_
from auditkit.lang import Lang


def num(x: float | None, decimals: int = 1, lang: Lang = "cs", dash: str = "–") -> str:
    return lang_.number(x, decimals, lang, dash)


def pct(x: float | None, decimals: int = 0, lang: Lang = "cs", dash: str = "–") -> str:
    return lang_.percent(x, decimals, lang, dash)


def date(d: dt.date | None, lang: Lang = "cs") -> str:
    return lang_.date(d, lang)
