"""Numbers and dates as people read them: Czech decimal comma, no spurious decimals."""

from __future__ import annotations

import datetime as dt


def num(x: float | None, decimals: int = 1, lang: str = "cs", dash: str = "–") -> str:
    if x is None:
        return dash
    text = f"{x:,.{decimals}f}".replace(",", "\u00a0")
    return text.replace(".", ",") if lang == "cs" else text


def pct(x: float | None, decimals: int = 0, lang: str = "cs", dash: str = "–") -> str:
    return dash if x is None else f"{num(x, decimals, lang)}\u00a0%"


def date(d: dt.date | None, lang: str = "cs") -> str:
    if d is None:
        return "–"
    return f"{d.day}. {d.month}. {d.year}" if lang == "cs" else d.isoformat()
