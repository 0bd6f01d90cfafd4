"""Personal data in auditors' free text: detection and the one redaction policy.

:func:`find` returns every hit (kind, start, end) in a text; :func:`redact` replaces each hit with a token
that says what was removed ("[jméno]", "[telefon]"). Validation calls both on every free-text cell, so a
hit is a warning naming its cell, and every output downstream sees the redacted text only.

The recognisers are regular expressions with context words, plus a list of Czech first names
(``data/names_cs.txt``, loaded on first use) whose declined and diminutive forms are generated here.
docs/security.md explains the choice and reports the measured recall and false-positive rate.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditkit.validation.models import Audit

KINDS = ("birth_number", "email", "phone", "birth_date", "address", "room", "name")
LABELS = {
    "cs": {"birth_number": "rodné číslo", "email": "e-mail", "phone": "telefonní číslo",
           "birth_date": "datum narození", "address": "adresa", "room": "číslo pokoje nebo bytu",
           "name": "jméno osoby"},
    "en": {"birth_number": "birth number", "email": "e-mail address", "phone": "phone number",
           "birth_date": "date of birth", "address": "street address", "room": "room or flat number",
           "name": "name of a person"},
}
TOKENS = {
    "cs": {"birth_number": "[rodné číslo]", "email": "[e-mail]", "phone": "[telefon]",
           "birth_date": "[datum narození]", "address": "[adresa]", "room": "[pokoj]", "name": "[jméno]"},
    "en": {"birth_number": "[birth number]", "email": "[e-mail]", "phone": "[phone]",
           "birth_date": "[date of birth]", "address": "[address]", "room": "[room]", "name": "[name]"},
}
ALL = frozenset(KINDS)
NOT_NAMES = frozenset(k for k in KINDS if k != "name")  # what is checked in fields that hold names by design
# cover-sheet fields where a name belongs (the auditors) or is the subject (the service, the provider)
NAMED_FIELDS = frozenset({"service_name", "provider", "service_id", "auditors", "audit_round"})

_NAMES_FILE = Path(__file__).with_name("data") / "names_cs.txt"


@dataclass(frozen=True)
class Hit:
    kind: str
    start: int
    end: int


# -- letters and words -----------------------------------------------------------------------------
_UP = "A-ZÁČĎÉĚÍŇÓŘŠŤÚŮÝŽÄÖÜ"
_LO = "a-záčďéěíňóřšťúůýžäöüï"
_WORD = re.compile(rf"[{_UP}][{_LO}]+(?:-[{_UP}][{_LO}]+)?|[{_LO}{_UP}]+\.?")
_CAP = re.compile(rf"[{_UP}][{_LO}]+(?:-[{_UP}][{_LO}]+)?$")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


# -- birth numbers ---------------------------------------------------------------------------------
_BIRTH_SLASH = re.compile(r"(?<![\d/.])(\d{2})(\d{2})(\d{2})\s?/\s?(\d{3,4})(?![\d/])")
_BIRTH_PLAIN = re.compile(r"(?<![\d/.,])(\d{2})(\d{2})(\d{2})(\d{3,4})(?![\d/,])")
_BIRTH_CUE = re.compile(r"(?:\brodn\w*\s+čísl\w*|\bRČ|\br\.\s?č\.|\bRC\b|birth number)\W{0,4}$", re.I)
# a reference number looks the same: "č. j. 230115/2023", "sp. zn.", "spis 150301/2022"
_REFERENCE_CUE = re.compile(
    r"(?:č\.\s?j\.?|čj\.?|č\.\s?jedn\w*|jednací\w*|sp\.\s?zn\.?|zn\.|spis\w*|ev\.\s?č\.?|evid\w*|ref\.?|"
    r"č\.\s?smlouvy|smlouv\w*\s+č\.|rozhodnutí\s+č\.|účt\w*|IČO?)\s*:?\s*(?-i:[A-Z]{2,}[-/]?\s*)?$", re.I)


def _birth_ok(yy: str, mm: str, dd: str, tail: str) -> tuple[bool, bool]:
    """(a plausible date, the modulo-11 check holds)."""
    month, day = int(mm), int(dd)
    for shift in (70, 50, 20):
        if month > shift:
            month -= shift
            break
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return False, False
    if len(tail) == 3:
        return True, False
    head = int(yy + mm + dd + tail[:3])
    check = head % 11 % 10
    return True, int(tail[3]) == check or int(yy + mm + dd + tail) % 11 == 0


def _birth_numbers(text: str) -> list[Hit]:
    hits = []
    for m in _BIRTH_SLASH.finditer(text):
        date_ok, checksum = _birth_ok(*m.groups())
        before = text[max(0, m.start() - 30):m.start()]
        if not date_ok or _REFERENCE_CUE.search(before):
            continue
        tail = m.group(4)
        year_like = len(tail) == 4 and 1990 <= int(tail) <= 2039  # NNNNNN/YYYY: a reference number format
        if checksum or not year_like or _BIRTH_CUE.search(before):
            hits.append(Hit("birth_number", *m.span()))
    for m in _BIRTH_PLAIN.finditer(text):
        date_ok, checksum = _birth_ok(*m.groups())
        before = text[max(0, m.start() - 30):m.start()]
        if date_ok and ((checksum and len(m.group(4)) == 4) or _BIRTH_CUE.search(before)):
            hits.append(Hit("birth_number", *m.span()))
    return hits


# -- e-mails and phones ----------------------------------------------------------------------------
_AT = r"(?:\s*@\s*|\s*[(\[{<]\s*(?:at|zavináč|zavinac)\s*[)\]}>]\s*|\s+(?:at|zavináč|zavinac)\s+)"
_DOT = r"(?:\s*\.\s*|\s*[(\[{<]\s*(?:dot|tečka|tecka)\s*[)\]}>]\s*|\s+(?:dot|tečka|tecka)\s+)"
_EMAIL = re.compile(rf"[\w.+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}[a-z]{{2,6}}\b", re.I)
_SEP = r"[ \u00a0.\-/]?"
_PHONE = re.compile(
    r"(?<![\d/.,])(?:\(?(?:\+|00)\s?420\)?[ \u00a0.\-]?)?"
    rf"(?:[2-9]\d{{2}}{_SEP}\d{{3}}{_SEP}\d{{3}}|[2-9]\d{{2}}{_SEP}\d{{2}}{_SEP}\d{{2}}{_SEP}\d{{2}})"
    r"(?![\d])(?!\s?(?:Kč|Kc|korun|CZK|,-|€|EUR|%|/\d))"
)
_PHONE_INTL = re.compile(r"(?<![\d\w])(?:\+|00)(?!420)[1-9]\d{1,2}[ \u00a0.\-]?\(?\d{1,4}\)?(?:[ \u00a0.\-]?\d{2,4}){2,4}(?!\d)")


# -- dates of birth --------------------------------------------------------------------------------
_MONTHS = ("ledna|února|unora|března|brezna|dubna|května|kvetna|června|cervna|července|cervence|srpna|září|zari|"
           "října|rijna|listopadu|prosince|january|february|march|april|may|june|july|august|september|"
           "october|november|december")
_DATE = (rf"(?:\d{{1,2}}\.\s?\d{{1,2}}\.\s?(?:\d{{4}}|\d{{2}})\b|\d{{1,2}}\.\s?(?:{_MONTHS})\s+\d{{4}}"
         rf"|\d{{1,2}}\s+(?:{_MONTHS})\s+\d{{4}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}|(?:19|20)\d{{2}}\b)")
_BIRTH_DATE = re.compile(
    rf"(?:\bnar\.|\bnarozen[aáéýiíou]*\b|\bnarození\b|\bdat\.\s?nar\.|\bd\.\s?nar\.|\bborn\b|\bDOB\b|"
    rf"\bdate of birth\b|\*)\s*[:,]?\s*(?:dne\s+|v\s+roce\s+|roku\s+|r\.\s?|in\s+|on\s+)?({_DATE})", re.I)


# -- addresses and rooms ---------------------------------------------------------------------------
_NUM = r"\d{1,4}(?:\s?/\s?\d{1,4})?[a-zA-Z]?"
_AFTER_NUMBER = r"(?=\s*(?:$|[,;)]|\.(?:\s|$)|\s+\d{3}\s?\d{2}\b|\s+(?:v|ve|na|u)\s|\s+[" + _UP + "]))"
_STREET = re.compile(
    rf"(?:\b(?:ul\.|ulic[eií]|nám\.|náměstí|nábř\.|nábřeží|tř\.|tříd[aěuy]|adres[aeyu]|bydlišt[eěi]|bytem|"
    rf"bydlí\s+(?:v|ve|na))\s*:?\s*(?:[{_UP}][{_LO}]*\.?\s+){{0,3}}{_NUM}\b"
    rf"|\b[{_UP}][{_LO}]+(?:á|í|é|ého|ova|ovo|ově|ovu)\s+(?:[{_UP}][{_LO}]+\s+)?{_NUM}{_AFTER_NUMBER})"
)
_POSTCODE = re.compile(rf"(?<![\d/§.,])(?:PSČ\s*)?\d{{3}}\s?\d{{2}}(?![\d/,])\s+[{_UP}][{_LO}]+(?:[- ][{_UP}][{_LO}]+)*")
_STREET_NOT = re.compile(r"^(?:Sb|Příloh|Kapitol|Standard|Oblast|Otázk|Vyhlášk|Zákon|Bod|Krok|Verz|Tabulk|Strán)", re.I)
_ROOM = re.compile(
    r"\b(?:pokoj\w*|byt|bytu|bytě|bytem|bytová\s+jednotk\w*|jednotk\w*|buňk\w*|buňce|apartmán\w*|"
    r"room|flat|unit|č\.\s?pokoje|čísl\w+\s+pokoje)\s*(?:č\.\s?|čísl[oem]+\s+|no\.\s?|number\s+)?"
    r"(\d{1,3}[a-zA-Z]?|[A-Z]\d{1,3})\b(?!\s*(?:\+|kk|%|Kč|dn|měs|týd|rok|let|hod|osob|lůž|m2|m²|x|×|krát))",
    re.I,
)
_PERSON_CUE = re.compile(
    r"klient|uživatel|matk|maminc|maminka|paní|\bpan\b|rodin|bydl|ubytovan|\bsyn|dcer|dít|\bděti|otec|otc|"
    r"partner|manžel|babičk|\bjejí\b|\bjeho\b|obyvatel|žen[aěyu]\b|\bmuž|sestr|bratr|family|client|mother|"
    r"resident|\bher\b|\bhis\b", re.I)


# -- names -----------------------------------------------------------------------------------------
_TITLES = {"paní", "pan", "pana", "panu", "panem", "pí", "pí.", "p.", "sl.", "slečna", "slečny", "slečnou",
           "slečně", "mgr.", "bc.", "ing.", "mudr.", "phdr.", "judr.", "paeddr.", "rndr.", "mga.", "doc.",
           "prof.", "dr.", "mr.", "mrs.", "ms.", "miss", "mr", "mrs", "ms", "dis.", "ph.d.", "phd."}
_PERSON_WORDS = re.compile(
    r"^(?:klient\w*|uživatel\w*|obyvatel\w*|žadatel\w*|matk\w*|matce|maminc\w*|maminka|otec|otc\w*|tatínk?\w*|"
    r"syn|syn[aeiuo]\w*|synáček|synek|synk\w*|dcer\w*|dceř\w*|dítě|dítět\w*|děti|dětí|chlap\w*|holčič\w*|"
    r"partner\w*|druh|druh[aeu]\w*|družk\w*|manžel\w*|bratr\w*|sestr\w*|babič\w*|děd\w*|vnuk\w*|vnuč\w*|"
    r"tet[aěyou]\w*|strýc\w*|kolega|kolegy|kolegou|kolegyn\w*|pracovnic\w*|pracovník\w*|vedoucí\w*|ředitel\w*|"
    r"koordinátor\w*|supervizor\w*|metodi\w*|asistent\w*|terapeut\w*|psycholog\w*|lektor\w*|dobrovol\w*|"
    r"vrátn\w*|kuchař\w*|uklízeč\w*|zaměstnan\w*|sociální|nezl\.|nezletil\w*|"
    r"client|mother|father|son|daughter|child|partner|worker|manager|resident|mrs|mr|ms)$", re.I)
# capitalised words that follow a person word without being a name: institutions, nationalities
_NOT_NAME = re.compile(
    r"^(?:úřad|úřed|kraj|krajsk|měst|magistr|obec|obecn|ospod|polici|soud|probačn|charit|diakon|armád|"
    r"centr|azyl|domov|dům|dom[ueě]|nemocn|škol|mateřsk|základn|poradn|ministerst|mpsv|člověk|spolk|spolek|"
    r"nadac|fond|sdružen|služb|klub|linka|intervenčn|bíl|rodinn|společnost|ukrajin|romk|romov|rom$|romů|"
    r"sloven|slovák|vietnam|mongol|češk|čech|česk|polk|polák|rusk|rus$|němk|němec|azylov|noclehárn|ubytovn|"
    r"armáda|slezsk|moravsk|ostravsk|praž|brněn|sociáln|evropsk|unie|státn|stát|zákon|vyhlášk|standard|"
    r"smlouv|kodex|plán|ip$|ústav|fakult|univerzit|policie|hasič|zdravotn|pojišťovn|všeobecn|ministr|"
    r"vánoc|velikonoc|silvestr|nov[ýé]\s|pondělí|úterý|středa|čtvrtek|pátek|sobota|neděle)", re.I)
_OVA = re.compile(rf"^[{_UP}][{_LO}]+ov(?:á|é|ou)$")
_OVA_ASCII = re.compile(rf"^[{_UP}][{_LO}]+ov(?:a|e|ou)$")
# adjectives in -ová that start sentences of audit text ("Týmová supervize", "Klíčová pracovnice")
_OVA_ADJECTIVE = re.compile(
    r"^(?:tým|případ|kriz|byt|dluh|cen|mzd|skupin|hodnot|celk|kurz|rozpočt|projekt|systém|výcvik|dotazník|"
    r"úvazk|kontakt|odbor|závazk|text|bod|vztah|klíč|kvalit|zákon|nákla|materiál|potravin|dávk|odměn|směn|"
    r"víkend|pokoj|bezbariér|volnočas|prázdnin|pobyt|spis|dodatk|doklad|záznam|výkaz|plán|cíl|obor|grant|"
    r"fond|proces|problém|tréning|trénink|supervizn|ceník|časov|domov|sít|cest|hrac|obsah|rámc|vzor|"
    r"komunitn|program|prac|zdravotn|škol|roč|měsíčn|denn|týdn|stravov|sport|výchov|herní|"
    r"barev|pilot|kapacit|finan|peněž|služb|úkol|okres|krajov|region|typ|model|kurs|"
    r"lékov|úrazov|havarijn|požárn|provozn|bezpečnostn|vstup|výstup|nástup|odchod|příchod|adaptač|mimořád)"
)
_SENTENCE_END = re.compile(r"[.!?…:;\n\r\t•–—-]")
_ABBREV_BEFORE_DOT = {"p", "sl", "pí", "mgr", "bc", "ing", "mudr", "phdr", "judr", "paeddr", "rndr", "mga", "doc",
                      "prof", "dr", "č", "j", "nar", "ul", "nám", "tř", "tel", "odst", "písm", "mr", "mrs", "ms"}


@dataclass(frozen=True)
class _Names:
    forms: frozenset[str]  # every generated form, as written (capitalised) and without diacritics
    ambiguous: frozenset[str]  # lower-case forms that are also ordinary words


_SOFT = set("ťďňšžčřcjľ")


def _fem_a(stem: str) -> set[str]:
    """Forms of a feminine name ending in -a (``stem`` without the -a), or of a consonant-final one."""
    out = {stem + e for e in ("a", "y", "u", "o", "ou", "i")}
    last = stem[-1:]
    if stem.endswith("ch"):
        out.add(stem[:-2] + "še")
    elif last == "k":
        out.add(stem[:-1] + "ce")
    elif last in "hg":
        out.add(stem[:-1] + "ze")
    elif last == "r":
        out.add(stem[:-1] + "ře")
    elif last in "dtnbpvmf":
        out.add(stem + "ě")
    elif last in "ťďň":
        out.add(stem[:-1] + {"ť": "tě", "ď": "dě", "ň": "ně"}[last])
        out.add(stem + "e")
    else:
        out.add(stem + "e")
    return out


def _male(name: str) -> set[str]:
    """Forms of a masculine name: Petr, Petra, Petrovi, Petrem, Petře; Marek, Marka; Pavel, Pavla."""
    if name.endswith("a"):
        return _fem_a(name[:-1]) | {name[:-1] + "ovi"}
    if name.endswith(("í", "é")):
        return {name, name + "ho", name + "mu", name + "m"}
    if name.endswith("o"):
        s = name[:-1]
        return {name, s + "a", s + "ovi", s + "em", s + "u"}
    s = name
    if re.search(r"[^aeiouyáéíóúůý]ek$", name) or name.endswith(("ěk", "ček")):
        s = name[:-2] + name[-1]
        if s.endswith("ňk") or name.endswith("něk"):
            s = name[:-3] + "ňk"
    elif name in ("Pavel", "Karel", "Havel"):
        s = name[:-2] + "l"
    out = {name, s + "a", s + "ovi", s + "em", s + "u", s + "e", s + "i", s + "ovi"}
    if s.endswith("r"):
        out.add(s[:-1] + "ře")
    return out


def _female(name: str) -> set[str]:
    if name.endswith("a"):
        return _fem_a(name[:-1])
    if name.endswith("e"):
        s = name[:-1]
        return {name, s + "i", s + "í"}
    return {name} | _fem_a(name)


@lru_cache(maxsize=1)
def _names() -> _Names:
    forms: set[str] = set()
    ambiguous: set[str] = set()
    for line in _NAMES_FILE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        gender, _, rest = line.partition("\t")
        words = [w.strip() for w in rest.split(",") if w.strip()]
        if gender == "?":
            ambiguous.update(words)
            continue
        make = _male if gender == "m" else _female
        for w in words:
            for form in make(w):
                forms.add(form)
                forms.add(_fold(form))
    return _Names(frozenset(forms), frozenset(ambiguous))


def _sentence_start(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in " \u00a0\"'„“”‚‘’«»()[]*":
        i -= 1
    if i < 0:
        return True
    if text[i] != "." and _SENTENCE_END.match(text[i]):
        return True
    if text[i] == ".":
        j = i
        while j > 0 and text[j - 1].isalpha():
            j -= 1
        word = text[j:i]
        if len(word) == 1 and word.isupper():
            return False  # an initial: "J. Nováková"
        return word.lower() not in _ABBREV_BEFORE_DOT
    return False


_TOKEN = re.compile(rf"[{_UP}{_LO}]+(?:-[{_UP}{_LO}]+)?\.?|[^\s]")


def _name_hits(text: str, safe: frozenset[str]) -> list[Hit]:
    names = _names()
    toks = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    marked = [False] * len(toks)
    n = len(toks)

    def bare(i: int) -> str:
        return toks[i][0].rstrip(".")

    def is_cap(i: int) -> bool:
        return 0 <= i < n and bool(_CAP.match(bare(i))) and toks[i][0][-1] != "." and len(bare(i)) > 1

    def name_like(i: int) -> bool:
        return is_cap(i) and not _NOT_NAME.match(bare(i).lower()) and bare(i) not in safe \
            and not _PERSON_WORDS.match(bare(i))

    def cue(i: int) -> bool:  # a title or a person word right before token i
        if i <= 0:
            return False
        w = toks[i - 1][0].lower()
        if w in _TITLES:
            return True
        return not w.endswith(".") and bool(_PERSON_WORDS.match(w))  # "klientovi. Vycházejte" is no cue

    for i, (tok, start, _) in enumerate(toks):
        word = tok.rstrip(".")
        if not is_cap(i) or word in safe:
            continue
        first = word in names.forms
        low = word.lower()
        mid = not _sentence_start(text, start)
        hit = False
        if first and low not in names.ambiguous and not _NOT_NAME.match(low):
            hit = True
        elif first and (cue(i) or (name_like(i + 1) and (mid or i + 1 < n and bare(i + 1) in names.forms))):
            hit = True
        elif _OVA.match(word) and not _NOT_NAME.match(low):
            hit = cue(i) or not _OVA_ADJECTIVE.match(low) or name_like(i + 1) and bare(i + 1) in names.forms
        elif _OVA_ASCII.match(word) and cue(i):
            hit = True
        elif cue(i) and name_like(i):
            prev = toks[i - 1][0].lower()
            # "Sociální pracovnice Malá" yes; but a sentence-initial "Pracovnice Úřadu" is handled by _NOT_NAME
            hit = prev != "sociální"
        if hit:
            marked[i] = True
    # extend each name over its neighbours: a surname after a first name, titles in between
    for i in range(n):
        if marked[i]:
            j = i + 1
            while j < n and j <= i + 2 and name_like(j) and not marked[j]:
                marked[j] = True
                j += 1
            if i > 0 and not marked[i - 1] and name_like(i - 1) and not cue(i - 1):
                w = bare(i - 1)
                if not _sentence_start(text, toks[i - 1][1]) or _OVA.match(w) or w in names.forms:
                    marked[i - 1] = True
    hits: list[Hit] = []
    for i in range(n):
        if marked[i]:
            start, end = toks[i][1], toks[i][1] + len(bare(i))
            if hits and re.fullmatch(r"[\s,]*", text[hits[-1].end:start]) and text[hits[-1].end:start].count(",") == 0:
                hits[-1] = Hit("name", hits[-1].start, end)
            else:
                hits.append(Hit("name", start, end))
    return hits


# -- all together ----------------------------------------------------------------------------------
def _safe_words(safe: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w for s in safe for w in re.findall(rf"[{_UP}{_LO}]+", s) if w[:1].isupper())


@lru_cache(maxsize=8192)
def _find(text: str, safe: tuple[str, ...], kinds: frozenset[str]) -> tuple[Hit, ...]:
    found: list[Hit] = []

    def add(hit: Hit) -> None:
        if hit.kind in kinds and not any(hit.start < h.end and h.start < hit.end for h in found):
            found.append(hit)

    has_digit = any(c.isdigit() for c in text)
    if "@" in text or re.search(r"(?i)\(at\)|\[at\]| at |zavin", text):
        for m in _EMAIL.finditer(text):
            add(Hit("email", *m.span()))
    if has_digit:
        for h in _birth_numbers(text):
            add(h)
        for m in _BIRTH_DATE.finditer(text):
            add(Hit("birth_date", *m.span(1)))
        for m in _PHONE.finditer(text):
            add(Hit("phone", *m.span()))
        for m in _PHONE_INTL.finditer(text):
            add(Hit("phone", *m.span()))
        for m in _POSTCODE.finditer(text):
            if m.group().split()[-1] not in ("Kč", "Sb"):
                add(Hit("address", *m.span()))
        for m in _STREET.finditer(text):
            if not _STREET_NOT.match(m.group()) and not text[max(0, m.start() - 2):m.start()].strip().endswith("§"):
                add(Hit("address", *m.span()))
        if _PERSON_CUE.search(text):
            for m in _ROOM.finditer(text):
                add(Hit("room", *m.span(1)))
    if "name" in kinds:
        for h in _name_hits(text, _safe_words(safe)):
            add(h)
    return tuple(sorted(found, key=lambda h: h.start))


def find(text: str, safe: tuple[str, ...] = (), kinds: frozenset[str] = ALL) -> tuple[Hit, ...]:
    """Every piece of personal data in ``text``, in order, without overlaps.

    ``safe``: phrases that are never a person's name here (the service's and the provider's names).
    ``kinds``: which kinds to look for (fields that hold names by design pass :data:`NOT_NAMES`).
    """
    if not text or not isinstance(text, str):
        return ()
    return _find(text, tuple(safe), frozenset(kinds))


def detect(text: str, safe: tuple[str, ...] = (), kinds: frozenset[str] = ALL) -> list[str]:
    """Kinds of personal data in ``text``, in order of first appearance, without repeats."""
    out: list[str] = []
    for h in find(text, safe, kinds):
        if h.kind not in out:
            out.append(h.kind)
    return out


def redact(text: str, lang: str = "cs", safe: tuple[str, ...] = (),
           kinds: frozenset[str] = ALL) -> str:
    """The redaction policy: each hit replaced by a token saying what was removed ("[jméno]", "[name]")."""
    hits = find(text, safe, kinds)
    if not hits:
        return text
    tokens = TOKENS.get(lang, TOKENS["cs"])
    out, last = [], 0
    for h in hits:
        out.append(text[last:h.start])
        out.append(tokens[h.kind])
        last = h.end
    out.append(text[last:])
    return "".join(out)


# -- the policy for a typed audit ------------------------------------------------------------------
def safe_phrases(*names: object) -> tuple[str, ...]:
    """The service's and provider's own names, as typed on the cover sheet: never redacted as a person."""
    return tuple(str(n) for n in names if isinstance(n, str) and n.strip())


def kinds_for(question_id: str, identification: bool = False) -> frozenset[str]:
    """What to look for in a question's text answer: no names in fields that hold names by design."""
    return NOT_NAMES if identification and question_id in NAMED_FIELDS else ALL


def redact_audit(audit: Audit, q: object = None, safe: tuple[str, ...] = ()) -> Audit:
    """``audit`` with every auditor-typed text redacted: answers, comments, record cells, cover fields.

    Called once, where validation hands the typed audit on; every output (reports, summary workbook,
    JSON, terminal) is made from its result, so none of them can show what was detected.
    """
    lang = audit.language

    def text(value: object, kinds: frozenset[str] = ALL) -> object:
        return redact(value, lang, safe, kinds) if isinstance(value, str) else value

    answers = {}
    for key, a in audit.answers.items():
        value, comment = text(a.value), text(a.comment)
        answers[key] = a if (value, comment) == (a.value, a.comment) else a.model_copy(
            update={"value": value, "comment": comment})
    records = {k: [{c: text(v) for c, v in row.items()} for row in rows] for k, rows in audit.records.items()}
    fields = {k: text(v, NOT_NAMES) for k, v in audit.service.model_dump().items() if isinstance(v, str)}
    return audit.model_copy(update={"answers": answers, "records": records,
                                    "service": audit.service.model_copy(update=fields)})
