"""Cell normalisation: turn what people type (in Czech) into plain values, once, at the reader.

Every parser either returns a value or raises :class:`CellError` with a catalogue code; nothing else
escapes, whatever the cell holds (see the property tests).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

# Invisible characters, never meaningful in an answer, removed: every format character (Unicode category Cf:
# soft hyphen, zero-width and bidirectional controls, tag characters …, as of Unicode 14) and the characters
# that render blank (Hangul fillers, the braille blank). Line and paragraph separators (Zl, Zp) become line
# breaks. tests/test_reading.py checks the list against the running Python's Unicode database.
_FORMAT_RANGES = (
    (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F),
    (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD),
    (0x110CD, 0x110CD), (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)
_BLANK_LOOKING = (0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800)  # Hangul fillers, braille pattern blank
_INVISIBLE: dict[int, str | None] = {c: None for a, b in _FORMAT_RANGES for c in range(a, b + 1)}
_INVISIBLE.update(dict.fromkeys(_BLANK_LOOKING))
_INVISIBLE.update({0x2028: "\n", 0x2029: "\n"})
_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f\u2009\u2002\u2003\u3000]+")
_INVISIBLE_CLASS = "".join(
    f"\\U{a:08x}-\\U{b:08x}" if a != b else f"\\U{a:08x}"
    for a, b in (*_FORMAT_RANGES, *((c, c) for c in _BLANK_LOOKING), (0x2028, 0x2029))
)
# anything clean_text(keep_newlines=True) would change, NFC aside: most cells need nothing (fast path)
_UNCLEAN = re.compile(r"[^\S \n]|  | \n|\n |^\s|\s$|[" + _INVISIBLE_CLASS + "]")
_BLANK_MARKS = {"", "-", "–", "—"}
EXCEL_ERRORS = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#GETTING_DATA", "#SPILL!", "#CALC!")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


class CellError(Exception):
    """A cell value that cannot be read as asked; ``code`` is a catalogue code (validation turns it into a
    :class:`~auditkit.validation.problems.Problem` with the sheet and cell)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


Problem = CellError  # the old name, kept for one release (a validation Problem is the value made of it)


class Percent(float):
    """A number cell shown with a percent format: the float is the stored value (1.0 for "100 %"),
    :attr:`shown` what the auditor sees (100)."""

    __slots__ = ()

    @property
    def shown(self) -> float:
        return denoise(float(self) * 100)

    def __repr__(self) -> str:
        return f"Percent({float(self)!r})"


def as_percent(value: Any) -> Any:
    """Mark a number read from a percent-formatted cell; anything else (text, blank) stays as it is."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return Percent(value)
    return value


_NOISE_DIGITS = 12  # significant digits kept: what a person types, without a formula's binary noise


def denoise(number: float) -> float:
    """3.0000000000000004 → 3.0, 0.30000000000000004 → 0.3 (formulas cached in binary floating point)."""
    if number.is_integer() or not math.isfinite(number):
        return number
    return float(f"{number:.{_NOISE_DIGITS}g}")


def clean_text(value: str, *, keep_newlines: bool = False) -> str:
    """NFC, no invisible characters, non-breaking and odd spaces made plain, runs of spaces collapsed."""
    if (
        (keep_newlines or "\n" not in value)
        and not _UNCLEAN.search(value)
        and unicodedata.is_normalized("NFC", value)
    ):
        return value  # the common case: already clean (the reader cleaned it once)
    text = unicodedata.normalize("NFC", value).translate(_INVISIBLE)
    if keep_newlines:
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # XML reads a lone CR as LF, so do we
        lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
        return "\n".join(lines).strip()
    return _SPACES.sub(" ", text.replace("\r", " ").replace("\n", " ")).strip()


# cleaned text by raw text: most cells of a workbook are the template's own labels, the same in every file
_CELL_TEXT: dict[str, str | None] = {}
_CELL_TEXT_MAX, _CELL_TEXT_LEN = 20_000, 300  # entries, characters per cached text


def normalize_cell(value: Any) -> Any:
    """Plain value of a cell: text cleaned ('' → None), whole floats → int. Dates stay dates."""
    if isinstance(value, str):
        if not value:
            return None
        hit = _CELL_TEXT.get(value, _CELL_TEXT)
        if hit is not _CELL_TEXT:
            return hit
        if not _UNCLEAN.search(value) and unicodedata.is_normalized("NFC", value):
            text: str | None = value
        else:
            text = clean_text(value, keep_newlines=True) or None
        if len(value) <= _CELL_TEXT_LEN:
            if len(_CELL_TEXT) >= _CELL_TEXT_MAX:
                _CELL_TEXT.clear()
            _CELL_TEXT[value] = text
        return text
    if isinstance(value, float) and math.isfinite(value):
        value = denoise(value)
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
    return value


def normalize_row(row: list[Any]) -> list[Any]:
    """``[normalize_cell(v) for v in row]``, with the cells seen before (a template's labels, "", "ano")
    looked up without a call each: the reader runs this over every cell of every workbook."""
    get = _CELL_TEXT.get
    out: list[Any] = []
    for v in row:
        if v.__class__ is str:
            if not v:
                out.append(None)
                continue
            hit = get(v, _CELL_TEXT)  # the cache itself as the "not there" marker, as in normalize_cell
            out.append(normalize_cell(v) if hit is _CELL_TEXT else hit)
        elif v is None:
            out.append(None)
        else:
            out.append(normalize_cell(v))
    return out


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and clean_text(value) in _BLANK_MARKS)


@functools.lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Comparison key: case-insensitive, without diacritics, single spaces."""
    decomposed = unicodedata.normalize("NFD", clean_text(text).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def formula_error(value: Any) -> str | None:
    if isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS:
        return value.strip().upper()
    return None


# -- numbers ---------------------------------------------------------------------------------------
def _text_to_number(text: str) -> float:
    s = clean_text(text).replace(" ", "").replace("\u2212", "-")
    if not s:
        raise CellError("answer_type")
    if "," in s and "." in s:
        # both separators: the last one is the decimal mark, the other groups thousands
        dec, group = (",", ".") if s.rfind(",") > s.rfind(".") else (".", ",")
        head, _, tail = s.rpartition(dec)
        if not re.fullmatch(r"[+-]?\d{1,3}(\d{3})*", head.replace(group, "")) or not re.fullmatch(
            r"[+-]?\d{1,3}(" + re.escape(group) + r"\d{3})*", head
        ):
            raise CellError("answer_type")
        s = head.replace(group, "") + "." + tail
    elif s.count(",") == 1:
        s = s.replace(",", ".")
    elif s.count(",") > 1 or s.count(".") > 1:
        raise CellError("answer_ambiguous", "1.234.5")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?", s, flags=re.IGNORECASE):
        raise CellError("answer_type")
    number = float(s)
    if not math.isfinite(number):
        raise CellError("answer_type")
    return number


def parse_number(value: Any, *, integer: bool = False) -> int | float:
    """A number from a number cell or text typed the Czech way ('2,5', '1 234', ' 3 ')."""
    if isinstance(value, (bool, dt.date, dt.datetime, dt.time, dt.timedelta)):
        raise CellError("answer_type")
    if isinstance(value, (int, float)):
        number = float(value)
        if not math.isfinite(number):
            raise CellError("answer_type")
    elif isinstance(value, str):
        number = _text_to_number(value)
    else:
        raise CellError("answer_type")
    if integer:
        if not number.is_integer():
            raise CellError("answer_type")
        return int(number)
    if number.is_integer() and abs(number) < 2**53:
        return int(number)
    return number


def parse_percent(value: Any) -> float:
    """A percentage as the auditor sees it.

    A %-formatted cell (:class:`Percent`) holds a fraction: 1.0 is 100 %, 2.5 is 250 %. Text with a
    % sign ('40 %') is read as written. A bare number (a General cell, or text without %) is read as
    percent points ('40' → 40), except a fraction below 1 ('0,4' → 40), see :func:`percent_is_ambiguous`.
    """
    if isinstance(value, Percent):
        return value.shown
    if isinstance(value, str):
        text = clean_text(value)
        if text.endswith("%"):
            return float(parse_number(text[:-1]))
    number = float(parse_number(value))
    if 0 < abs(number) < 1:
        number = denoise(number * 100)
    return number


def percent_is_ambiguous(value: Any) -> bool:
    """A bare number up to 1 in a percent answer: 1 might mean 100 %, 0,5 might mean 0,5 %."""
    if isinstance(value, (Percent, bool)):
        return False
    if isinstance(value, str):
        if clean_text(value).endswith("%"):
            return False
        try:
            value = parse_number(value)
        except CellError:
            return False
    return isinstance(value, (int, float)) and 0 < abs(value) <= 1


# -- dates -----------------------------------------------------------------------------------------
_CZ_DATE = re.compile(r"^(\d{1,2})\s*[./]\s*(\d{1,2})\s*[./]\s*(\d{2}|\d{4})\.?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


_NAMED_DATE = re.compile(r"^(\d{1,2})\.?\s*([^\W\d_]+)\.?\s*,?\s*(\d{4})$")  # 30. března 2023, 30 March 2023
_NAMED_DATE_EN = re.compile(r"^([^\W\d_]+)\.?\s*(\d{1,2})(?:st|nd|rd|th)?\s*,?\s*(\d{4})$")  # March 30, 2023


@functools.lru_cache(maxsize=1)
def _month_names() -> dict[str, int]:
    """Folded month names (Czech genitive and nominative, English; wide and abbreviated) → month, from CLDR."""
    from babel.dates import get_month_names  # only when a date is typed in words

    names: dict[str, int] = {}
    for locale in ("cs", "en"):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for month, name in get_month_names(width, context=context, locale=locale).items():
                    names.setdefault(fold(name.rstrip(".")), month)
    return names


def _named_date(text: str) -> dt.date | None:
    m = _NAMED_DATE.match(text)
    if m:
        day, name, year = m.groups()
    else:
        m = _NAMED_DATE_EN.match(text)
        if not m:
            return None
        name, day, year = m.groups()
    month = _month_names().get(fold(name))
    if month is None:
        raise CellError("answer_type")
    return dt.date(int(year), month, int(day))


def parse_date(value: Any) -> dt.date:
    """A date from a date cell, an Excel serial number, '30. 3. 2023', '30.3.23', '2023-03-30' or with the
    month in words ('30. března 2023', '30 March 2023')."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value) or not 1 <= value < 2958466:
            raise CellError("answer_type")
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    if not isinstance(value, str):
        raise CellError("answer_type")
    text = clean_text(value)
    m = _CZ_DATE.match(text)
    try:
        if m:
            day, month, year = (int(g) for g in m.groups())
            if len(m.group(3)) == 2:
                year += 2000
            return dt.date(year, month, day)
        m = _ISO_DATE.match(text)
        if m:
            year, month, day = (int(g) for g in m.groups())
            return dt.date(year, month, day)
        named = _named_date(text)
        if named is not None:
            return named
    except ValueError:
        raise CellError("answer_type") from None
    raise CellError("answer_type")


# -- choices ---------------------------------------------------------------------------------------
def choice_keys(option_id: str, labels: Iterable[str], aliases: Iterable[str]) -> set[str]:
    return {fold(x) for x in (option_id, *labels, *aliases) if x}


def as_choice_text(value: Any) -> str:
    """The text a choice cell stands for: 2.0 → '2', TRUE → 'true', '  Ano ' → 'ano'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return clean_text(value)
    raise CellError("answer_choice")


_LIST_MARK = re.compile(r"^(?:[-–—•·*▪◦]|\d{1,2}[.)])\s+")  # a bullet or number before an item on its line


def split_multi(text: str) -> list[str]:
    """The items of a list typed one per line (Alt+Enter) or separated by ';' (commas: see the caller)."""
    parts = (_LIST_MARK.sub("", part.strip()).strip() for part in re.split(r"[;\n\r\u2028\u2029]", text))
    return [part for part in parts if part]
