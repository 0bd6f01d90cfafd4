"""Personal data in free text: birth numbers, e-mails, phone numbers. Detection and redaction."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# rodné číslo: YYMMDD/XXX(X), month +50 for women, +20/+70 since 2004; also written without the slash
_BIRTH = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{2})\s?/\s?(\d{3,4})(?!\d)|(?<!\d)(\d{2})(\d{2})(\d{2})(\d{4})(?!\d)")
# Czech phone: optional +420 / 00420, then 9 digits, possibly in groups of three
_PHONE = re.compile(r"(?<![\d/])(?:(?:\+|00)420[ ]?)?[1-9]\d{2}[ ]?\d{3}[ ]?\d{3}(?![\d/])")

KINDS = {
    "cs": {"birth_number": "rodné číslo", "email": "e-mail", "phone": "telefonní číslo"},
    "en": {"birth_number": "birth number", "email": "e-mail address", "phone": "phone number"},
}


def _plausible_birth(yy: str, mm: str, dd: str, tail: str, slashless: bool) -> bool:
    month, day = int(mm), int(dd)
    if month > 70:
        month -= 70
    elif month > 50:
        month -= 50
    elif month > 20:
        month -= 20
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return False
    if slashless:  # ten digits without a slash: require the modulo-11 check to avoid other numbers
        number = int(yy + mm + dd + tail)
        return number % 11 == 0 or (int(yy + mm + dd + tail[:3]) % 11 == 10 and tail[3] == "0")
    return True


def _birth_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in _BIRTH.finditer(text):
        if m.group(1):
            ok = _plausible_birth(m.group(1), m.group(2), m.group(3), m.group(4), slashless=False)
        else:
            ok = _plausible_birth(m.group(5), m.group(6), m.group(7), m.group(8), slashless=True)
        if ok:
            spans.append(m.span())
    return spans


# every pattern above needs an '@' or three digits in a row: most texts have neither
_CANDIDATE = re.compile(r"@|\d\d\d")


def _spans(text: str) -> list[tuple[str, int, int]]:
    if not _CANDIDATE.search(text):
        return []
    found = [("email", *m.span()) for m in _EMAIL.finditer(text)]
    found += [("birth_number", a, b) for a, b in _birth_spans(text)]
    taken = [(a, b) for _, a, b in found]
    for m in _PHONE.finditer(text):
        a, b = m.span()
        if not any(a < y and x < b for x, y in taken):
            found.append(("phone", a, b))
    return sorted(found, key=lambda t: t[1])


def detect(text: str) -> list[str]:
    """Kinds of personal data in ``text``, in order of appearance, without repeats."""
    kinds: list[str] = []
    for kind, _, _ in _spans(text):
        if kind not in kinds:
            kinds.append(kind)
    return kinds


def redact(text: str, mark: str = "███") -> str:
    """``text`` with every detected birth number, e-mail and phone number replaced by ``mark``."""
    out, last = [], 0
    for _, a, b in _spans(text):
        if a < last:
            continue
        out.append(text[last:a])
        out.append(mark)
        last = b
    out.append(text[last:])
    return "".join(out)
