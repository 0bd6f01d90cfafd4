"""Counted phrases and numbers as Czech (and English) readers write them, through Babel (CLDR).

Never hand-made plural rules: Czech has four CLDR categories and picks them by the number's form —
``one`` (1: "1 soubor"), ``few`` (2–4: "2 soubory"), ``many`` (a decimal: "1,5 souboru") and ``other``
(0, 5 and more: "5 souborů", "21 souborů"). English has ``one`` and ``other``. A counted phrase is data: a
mapping from category to text (in YAML: ``{one: …, few: …, many: …, other: …}``), and ``count`` picks the
form with Babel and fills ``{n}`` with the number formatted for the language (decimal comma, non-breaking
thousands separator).

Units of questionnaire answers ("lůžka", "týdny") are declined with the number through the table in
templates/reports/units.yaml ("1 lůžko, 2 lůžka, 5 lůžek").

This module is core: it imports nothing from the reports, the CLI or rendering.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeGuard

from auditkit.datafile import DefinitionError, read_yaml
from auditkit.paths import report_templates_dir

if TYPE_CHECKING:
    from babel import Locale

# The languages of messages and outputs. A language is passed as a ``Lang`` everywhere; the command line
# turns the user's text into one at the boundary (``as_lang``).
Lang = Literal["cs", "en"]
LANGS: tuple[Lang, ...] = ("cs", "en")


def is_lang(value: object) -> TypeGuard[Lang]:
    """Whether ``value`` is one of the languages (``"cs"``, ``"en"``)."""
    return value in LANGS


def as_lang(value: str) -> Lang:
    """``value`` ("cs", " EN ") as a language; ValueError when it is none of them."""
    code = value.strip().lower()
    if not is_lang(code):
        raise ValueError(f"unknown language {value!r}: choose one of {', '.join(LANGS)}")
    return code


CATEGORIES = ("zero", "one", "two", "few", "many", "other")
NBSP = "\u00a0"
# the categories each language needs in a counted phrase (CLDR cardinal rules for integers and decimals)
REQUIRED: dict[Lang, tuple[str, ...]] = {"cs": ("one", "few", "many", "other"), "en": ("one", "other")}
_QUOTES: dict[Lang, tuple[str, str]] = {"cs": ("\u201e", "\u201c"), "en": ("\u201c", "\u201d")}


# The CLDR items of a language that auditkit reads through Babel: its plural rules and the symbols of its
# (Latin-digit) numbers. Babel loads a language's whole locale data (~400 kB of pickles, and babel.dates)
# for either, ~15 ms of every start; these few items are kept in the user cache (auditkit.usercache) per
# Babel version, as Babel itself gives them, and Babel does all the work with them.
_CLDR_ITEMS = ("plural_form", "number_symbols")


def _cldr_items(lang: Lang) -> dict[str, Any]:
    """``lang``'s items from Babel's CLDR data, as plain data (plural rules as CLDR writes them)."""
    from babel import Locale

    full = Locale.parse(lang)
    return {"plural_form": dict(full.plural_form.rules),
            "number_symbols": {"latn": dict(full.number_symbols["latn"])}}


@lru_cache(maxsize=4)
def _locale(lang: Lang) -> Locale:
    """Babel's locale for ``lang`` holding only the cached items; anything else Babel asks of it loads
    the whole locale data (so a new use of Babel here is never wrong, only slower)."""
    import babel
    from babel import Locale, localedata
    from babel.plural import PluralRule

    from auditkit import usercache

    items = usercache.cached(f"cldr-{lang}", usercache.fingerprint("cldr", 1, babel.__version__, lang),
                             lambda: _cldr_items(lang), lambda v: isinstance(v, dict) and set(v) == set(_CLDR_ITEMS))

    class Items(dict[str | int | None, Any]):
        def __missing__(self, key: str | int | None) -> Any:
            self.update((k, v) for k, v in localedata.load(lang).items() if k not in self)
            return dict.__getitem__(self, key)

    class Subset(Locale):
        @property
        def _data(self) -> localedata.LocaleDataDict:
            return data

    data = localedata.LocaleDataDict(Items(items, plural_form=PluralRule(items["plural_form"])))
    return Subset(lang)


def _decimals(x: float) -> int:
    """As many decimal places as ``x`` has, at most two (``26`` → 0, ``1.5`` → 1, ``0.125`` → 2)."""
    x = float(x)
    if x.is_integer():
        return 0
    return 1 if round(x, 1) == round(x, 6) else 2


def category(n: float, lang: Lang, decimals: int | None = None) -> str:
    """The CLDR plural category of ``n`` as it is shown with ``decimals`` places: a number shown with
    a decimal part is Czech ``many`` ("1,5 souboru", "1,0 úvazku"); a whole number by its value."""
    from decimal import Decimal

    if decimals is None:
        decimals = _decimals(n)
    return _locale(lang).plural_form(Decimal(f"{float(n):.{decimals}f}"))


def number(x: float | None, decimals: int | None = None, lang: Lang = "cs", dash: str = "–") -> str:
    """``x`` with ``decimals`` places (None: as many as it has, up to two) in the language's format:
    Czech "12 345,5" (decimal comma, non-breaking space between thousands), English "12,345.5"; a true
    minus sign."""
    if x is None:
        return dash
    if decimals is None:
        decimals = _decimals(x)
    value = round(float(x), decimals)
    return _formatted(value, math.copysign(1.0, value), decimals, lang)  # the sign apart: -0.0 == 0.0


@lru_cache(maxsize=4096)
def _formatted(value: float, sign: float, decimals: int, lang: Lang) -> str:
    """Babel's formatting of one number, kept: a report shows the same scores and counts many times."""
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    text = format_decimal(value, format=pattern, locale=_locale(lang))
    return text.replace("-", "\u2212")


def percent(x: float | None, decimals: int = 0, lang: Lang = "cs", dash: str = "–") -> str:
    """A value given in per cent: Czech "17 %" (non-breaking space), English "17%"."""
    if x is None:
        return dash
    return f"{number(x, decimals, lang)}{NBSP if lang == 'cs' else ''}%"


def date(d: dt.date | None, lang: Lang = "cs", dash: str = "–") -> str:
    """A date as people read it: Czech "30.\u00a03.\u00a02023", English "30 March 2023"."""
    if d is None:
        return dash
    return f"{d.day}.{NBSP}{d.month}.{NBSP}{d.year}" if lang == "cs" else f"{d.day} {d.strftime('%B')} {d.year}"


def count(n: float, forms: Mapping[str, str], lang: Lang, decimals: int | None = None, **params: Any) -> str:
    """The form of a counted phrase for ``n``: ``forms`` maps CLDR categories to texts with ``{n}``
    (filled with ``n`` formatted for the language) and any other ``params``."""
    if decimals is None:
        decimals = _decimals(n)
    cat = category(n, lang, decimals)
    text = forms.get(cat) or forms.get("other") or next(iter(forms.values()))
    return text.format(n=number(n, decimals, lang), **params)


# Czech writes "ze" instead of "z" before a number whose spoken genitive starts with s, z, š, ž or with
# the clusters of "dvou, tří, čtyř" ("3 ze 6 služeb", "1 ze 2", but "2 z 5", "z 8"): the first word
# of the number as read, by its leading digits.
_ZE_UNITS = {2, 3, 4, 6, 7}  # dvou, tří, čtyř, šesti, sedmi
_ZE_TEENS = {12, 13, 14, 16, 17}  # dvanácti, třinácti, čtrnácti, šestnácti, sedmnácti


def of(n: float, lang: Lang) -> str:
    """The preposition of a share's base: Czech "z" / "ze" as the number is read, English "of"."""
    if lang != "cs":
        return "of"
    k = abs(int(n))
    if k != n or k == 0:
        return "z"
    if k >= 1000:  # the leading group decides: "z 1 000" (z tisíce), "ze 2 000" (ze dvou tisíc)
        lead = k // 1000 ** ((len(str(k)) - 1) // 3)
        return "z" if lead == 1 else of(lead, lang)
    if k >= 100:  # sta, dvou set, tří set, … šesti set, sedmi set
        return "ze" if k // 100 in (1, *_ZE_UNITS) else "z"
    if k >= 20:
        return "ze" if k // 10 in _ZE_UNITS else "z"  # dvaceti, třiceti, čtyřiceti, šedesáti, sedmdesáti
    return "ze" if k in _ZE_UNITS or k in _ZE_TEENS else "z"


def share(k: int, n: int, noun: Mapping[str, str], lang: Lang) -> str:
    """A share with its base: "1 z 6 spisů (17 %)", "3 ze 6 služeb (50 %)", "1 of 6 files (17%)".
    ``noun`` holds the noun after the base as a counted phrase (Czech genitive: ``one`` "spisu",
    ``other`` "spisů"; English ``one`` "file", ``other`` "files")."""
    pct = percent(100 * k / n, 0, lang) if n else "–"
    base = count(n, noun, lang, 0)
    return f"{number(k, 0, lang)} {of(n, lang)} {base} ({pct})"


def quote(text: str, lang: Lang) -> str:
    """``text`` in the language's quotation marks: „…“ in Czech, “…” in English."""
    left, right = _QUOTES.get(lang, _QUOTES["en"])
    return f"{left}{text}{right}"


def section(number_: str | int) -> str:
    """A provision of an act: "§ 91" with a non-breaking space, as Czech legal typography writes it."""
    return f"§{NBSP}{number_}"


# ------------------------------------------------------------------------------------------------- units


@lru_cache(maxsize=2)
def _units(root: str | None = None) -> dict[Lang, dict[str, Any]]:
    base = report_templates_dir() if root is None else Path(root)
    path = base / "units.yaml"
    data = read_yaml(path) or {}
    if not isinstance(data, dict) or not all(isinstance(data.get(lang, {}), dict) for lang in LANGS):
        raise DefinitionError(f"{path}: expected the keys cs and en, each listing units")
    for lang in LANGS:
        for unit, forms in data.get(lang, {}).items():
            if isinstance(forms, dict) and not (set(forms) <= set(CATEGORIES)
                                                and all(isinstance(forms.get(c), str) for c in REQUIRED[lang])):
                raise DefinitionError(f"{path}: key '{lang}.{unit}': plural forms missing or unknown "
                                f"(needs {', '.join(REQUIRED[lang])})")
            if not isinstance(forms, (dict, str)):
                raise DefinitionError(f"{path}: key '{lang}.{unit}': expected a word or plural forms")
    return {lang: data.get(lang, {}) for lang in LANGS}


def unit_forms(label: str, lang: Lang) -> Mapping[str, str] | None:
    """The plural forms of a unit written as ``label`` in a questionnaire (None when not declinable)."""
    entry = _units().get(lang, {}).get(label)
    return entry if isinstance(entry, dict) else None


def known_unit(label: str, lang: Lang) -> bool:
    return label in _units().get(lang, {})


def with_unit(x: float, label: str | None, lang: Lang, decimals: int | None = None) -> str:
    """A number with its unit declined to agree with it: "1 lůžko", "26 týdnů", "1,5 úvazku", "40 %"."""
    if label == "%":
        return percent(x, decimals if decimals is not None else _decimals(x), lang)
    text = number(x, decimals, lang)
    if not label:
        return text
    forms = unit_forms(label, lang)
    if forms is None:
        invariable = _units().get(lang, {}).get(label)
        word = invariable if isinstance(invariable, str) else label
        return f"{text}{NBSP}{word}"
    return count(x, {k: "{n}" + NBSP + v for k, v in forms.items()}, lang, decimals)
