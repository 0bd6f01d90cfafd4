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
from typing import TYPE_CHECKING, Any

from auditkit import words as words_
from auditkit.questionnaire.models import NAMED_ROLES

if TYPE_CHECKING:
    from auditkit.lang import Lang
    from auditkit.validation.models import Audit, ServiceInfo

KINDS = ("birth_number", "email", "phone", "birth_date", "address", "room", "name")
TOKENS = words_.by_lang("validation", "personal_tokens")  # what replaces each kind in every output
ALL = frozenset(KINDS)
NOT_NAMES = frozenset(k for k in KINDS if k != "name")  # what is checked in fields that hold names by design
# cover-sheet fields where a name belongs (the auditors) or is the subject (the service, the provider): by role
NAMED_FIELDS = NAMED_ROLES

_NAMES_FILE = Path(__file__).with_name("data") / "names_cs.txt"


class _Lazy:
    """A regular expression compiled on first use, which then takes the place of this stand-in among the
    module's names: importing validation stays cheap (start-up of the CLI), a text that needs only a few
    patterns compiles only those (compiling all 29 takes ~15 ms), and later uses pay no indirection."""

    __slots__ = ("_args", "_rx")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._args = (pattern, flags)
        self._rx: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._rx is None:
            self._rx = re.compile(*self._args)
            names = globals()
            for key in [k for k, v in names.items() if v is self]:
                names[key] = self._rx
        return getattr(self._rx, name)


@dataclass(frozen=True)
class Hit:
    kind: str
    start: int
    end: int


# -- letters and words -----------------------------------------------------------------------------
_UP = "A-ZÁČĎÉĚÍŇÓŘŠŤÚŮÝŽÄÖÜ"
_LO = "a-záčďéěíňóřšťúůýžäöüï"
_WORD = _Lazy(rf"[{_UP}][{_LO}]+(?:-[{_UP}][{_LO}]+)?|[{_LO}{_UP}]+\.?")
_CAP = _Lazy(rf"[{_UP}][{_LO}]+(?:-[{_UP}][{_LO}]+)?$")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


# -- birth numbers ---------------------------------------------------------------------------------
_BIRTH_SLASH = _Lazy(r"(?<![\d/.\-])(\d{2})(\d{2})(\d{2})\s?[/\-]\s?(\d{3,4})(?![\d/\-])")
_BIRTH_PLAIN = _Lazy(r"(?<![\d/.,])(\d{2})(\d{2})(\d{2})(\d{3,4})(?![\d/,])")
_BIRTH_CUE = _Lazy(r"(?:\brodn\w*\s+čísl\w*|\bRČ|\br\.\s?č\.|\bRC\b|birth number)\W{0,4}$", re.IGNORECASE)
# a reference number looks the same: "č. j. 230115/2023", "sp. zn.", "spis 150301/2022"
_REFERENCE_CUE = _Lazy(
    r"(?:č\.\s?j\.?|čj\.?|č\.\s?jedn\w*|jednací\w*|sp\.\s?zn\.?|zn\.|spis\w*|ev\.\s?č\.?|evid\w*|ref\.?|"
    r"č\.\s?smlouvy|smlouv\w*\s+č\.|rozhodnutí\s+č\.|účt\w*|IČO?)\s*:?\s*(?-i:[A-Z]{2,}[-/]?\s*)?$", re.IGNORECASE)


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
        if not date_ok or _REFERENCE_CUE.search(before):
            continue
        if len(m.group(4)) == 4 or _BIRTH_CUE.search(before):  # nine digits without a cue: a phone number
            hits.append(Hit("birth_number", *m.span()))
    return hits  # (the modulo-11 check decides NNNNNN/YYYY: a reference number unless it holds)


# -- e-mails and phones ----------------------------------------------------------------------------
_AT = r"(?:\s*@\s*|\s*[(\[{<]\s*(?:at|zavináč|zavinac)\s*[)\]}>]\s*|\s+(?:at|zavináč|zavinac)\s+)"
_DOT = r"(?:\s*\.\s*|\s*[(\[{<]\s*(?:dot|tečka|tecka)\s*[)\]}>]\s*|\s+(?:dot|tečka|tecka)\s+)"
_EMAIL = _Lazy(rf"[\w.+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}[a-z]{{2,6}}\b", re.IGNORECASE)
_SEP = r"[ \u00a0.\-/]?"
_PHONE = _Lazy(
    r"(?<![\d/.,])(?:\(?(?:\+|00)\s?420\)?[ \u00a0.\-]?)?"
    rf"(?:[2-9]\d{{2}}{_SEP}\d{{3}}{_SEP}\d{{3}}|[2-9]\d{{2}}{_SEP}\d{{2}}{_SEP}\d{{2}}{_SEP}\d{{2}})"
    r"(?![\d])(?!\s?(?:Kč|Kc|korun|CZK|,-|€|EUR|%|/\d))"
)
_PHONE_INTL = _Lazy(r"(?<![\d\w])(?:\+|00)(?!420)[1-9]\d{1,2}[ \u00a0.\-]?\(?\d{1,4}\)?(?:[ \u00a0.\-]?\d{2,4}){2,4}(?!\d)")


# -- dates of birth --------------------------------------------------------------------------------
_MONTHS = ("ledna|února|unora|března|brezna|dubna|května|kvetna|června|cervna|července|cervence|srpna|září|zari|"
           "října|rijna|listopadu|prosince|january|february|march|april|may|june|july|august|september|"
           "october|november|december")
_DATE = (rf"(?:\d{{1,2}}\.\s?\d{{1,2}}\.\s?(?:\d{{4}}|\d{{2}})\b|\d{{1,2}}\.\s?(?:{_MONTHS})\s+\d{{4}}"
         rf"|\d{{1,2}}\s+(?:{_MONTHS})\s+\d{{4}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}|(?:19|20)\d{{2}}\b)")
_BIRTH_DATE = _Lazy(
    rf"(?:\bnar\.|\bnarozen[aáéýiíou]*\b|\bnarození\b|\bdat\.\s?nar\.|\bd\.\s?nar\.|\bborn\b|\bDOB\b|"
    rf"\bdate of birth\b|\bročník\w*|\*)\s*[:,]?\s*(?:(?:dne|v|roku|roce|r\.|in|on)\s*)*({_DATE})", re.IGNORECASE)


# -- addresses and rooms ---------------------------------------------------------------------------
_NUM = r"\d{1,4}(?:\s?/\s?\d{1,4})?[a-zA-Z]?"
_AFTER_NUMBER = r"(?=\s*(?:$|[,;)]|\.(?:\s|$)|\s+\d{3}\s?\d{2}\b|\s+(?:v|ve|na|u)\s|\s+[" + _UP + "]))"
_STREET = _Lazy(
    rf"(?:\b(?:ul\.|ulic[eií]|nám\.|náměstí|nábř\.|nábřeží|tř\.|tříd[aěuy]|adres[aeyu]|bydlišt[eěi]|bytem|"
    rf"bydlí\s+(?:v|ve|na))\s*:?\s*(?:[{_UP}][{_LO}]*\.?\s+){{0,3}}{_NUM}\b"
    rf"|\b[{_UP}][{_LO}]+(?:á|í|é|ě|ého|ova|ovo|ově|ovu)\s+(?:[{_UP}][{_LO}]+\s+)?"
    rf"(?:(?:ulic[eií]|náměstí|třída|tříd[ěuy])\s+|(?:ul|nám|tř)\.\s*)?"
    rf"{_NUM}{_AFTER_NUMBER}|\b(?:č\.\s?p\.|čp\.|č\.\s?or\.)\s*\d{{1,5}}\b|\bPSČ\s*\d{{3}}\s?\d{{2}}\b)"
)
_POSTCODE = _Lazy(rf"(?<![\d/§.,])(?:PSČ\s*)?\d{{3}}\s?\d{{2}}(?![\d/,])\s+[{_UP}][{_LO}]+(?:[- ][{_UP}][{_LO}]+)*")
_STREET_NOT = _Lazy(r"^(?:Sb|Příloh|Kapitol|Standard|Oblast|Otázk|Vyhlášk|Zákon|Bod|Krok|Verz|Tabulk|Strán)", re.IGNORECASE)
_ROOM = _Lazy(
    r"\b(?:pokoj\w*|pok\.|byt|bytu|bytě|bytem|bytová\s+jednotk\w*|jednotk\w*|buňk\w*|buňce|apartmán\w*|"
    r"room|flat|unit|č\.\s?pokoje|čísl\w+\s+pokoje)\s*(?:č\.\s?|čísl[oem]+\s+|no\.\s?|number\s+)?"
    r"(\d{1,3}[a-zA-Z]?|[A-Z]\d{1,3})\b(?!\s*(?:\+|kk|%|Kč|dn|měs|týd|rok|let|hod|osob|lůž|m2|m²|x|×|krát))",
    re.IGNORECASE,
)
_PERSON_CUE = _Lazy(
    r"klient|uživatel|matk|maminc|maminka|paní|\bpan\b|rodin|bydl|ubytovan|\bsyn|dcer|dít|\bděti|otec|otc|"
    r"partner|manžel|babičk|\bjejí\b|\bjeho\b|obyvatel|žen[aěyu]\b|\bmuž|sestr|bratr|family|client|mother|"
    r"resident|\bher\b|\bhis\b", re.IGNORECASE)


# -- names -----------------------------------------------------------------------------------------
_TITLES = {"pani", "slecna", "paní", "pan", "pana", "panu", "panem", "pí", "pí.", "p.", "sl.", "slečna", "slečny", "slečnou",
           "slečně", "mgr.", "bc.", "ing.", "mudr.", "phdr.", "judr.", "paeddr.", "rndr.", "mga.", "doc.",
           "prof.", "dr.", "mr.", "mrs.", "ms.", "miss", "mr", "mrs", "ms", "dis.", "ph.d.", "phd."}
_ABBREVIATIONS = {"sb.", "st.", "ul.", "nám.", "tř.", "čj.", "odst.", "písm.", "např.", "tzv.", "resp.", "str.",
                  "tel.", "nar.", "zn.", "ev.", "sp.", "pozn.", "viz.", "obr.", "tab.", "kap.", "čl.", "mj."}
_STARTERS = {"dnes", "včera", "zítra", "také", "pak", "ale", "když", "podle", "dle", "proto", "potom", "nyní",
             "teď", "tam", "zde", "tady", "kde", "kdy", "jak", "že", "ani", "jen", "už", "ještě", "rovněž",
             "dále", "navíc", "později", "ráno", "večer", "odpoledne", "letos", "loni", "nakonec", "zatím"}
_PLACE_BEFORE = {"obec", "obce", "obci", "obcí", "město", "města", "městě", "městem", "v", "ve", "do", "okres",
                 "okresu", "okrese"}
_STRONG_TITLES = {"pani", "slecna", "paní", "pan", "pana", "panu", "panem", "pí", "pí.", "p.", "sl.", "slečna", "slečny", "slečnou",
                  "pi", "slecny", "slecnou"}
_PERSON_WORDS = _Lazy(
    r"^(?:klient\w*|uživatel\w*|obyvatel\w*|žadatel\w*|matk\w*|matce|maminc\w*|maminka|otec|otc\w*|tatínk?\w*|"
    r"syn|syn[aeiuo]\w*|synáček|synek|synk\w*|dcer\w*|dceř\w*|dítě|dítět\w*|děti|dětí|chlap\w*|holčič\w*|"
    r"partner\w*|druh|druh[aeu]\w*|družk\w*|manžel\w*|bratr\w*|sestr\w*|babič\w*|děd\w*|vnuk\w*|vnuč\w*|"
    r"tet[aěyou]\w*|strýc\w*|kolega|kolegy|kolegou|kolegyn\w*|pracovnic\w*|pracovník\w*|vedoucí\w*|ředitel\w*|"
    r"koordinátor\w*|supervizor\w*|metodi\w*|asistent\w*|terapeut\w*|psycholog\w*|lektor\w*|dobrovol\w*|"
    r"vrátn\w*|kuchař\w*|uklízeč\w*|zaměstnan\w*|nezl\.|nezletil\w*|přítel\w*|kamarád\w*|soused\w*|"
    r"snach\w*|zeť|zetě\w*|tchyn\w*|tchán\w*|švagr\w*|bratran\w*|sestřenic\w*|neteř\w*|synov\w*|vnouč\w*|"
    r"prababič\w*|expartner\w*|kurátor\w*|opatrovní\w*|pěstoun\w*|učitel\w*|lékař\w*|pediatr\w*|doktor\w*|"
    r"advokát\w*|exekutor\w*|policist\w*|"
    r"client|mother|father|son|daughter|child|partner|worker|manager|resident|mrs|mr|ms)$", re.IGNORECASE)
_PERSON_WORDS_FOLDED = _Lazy(_fold(_PERSON_WORDS._args[0]), re.IGNORECASE)  # "manzel Karel", "dite Anicka"
# capitalised words that follow a person word without being a name: institutions, nationalities
_NOT_NAME = _Lazy(
    r"^(?:úřad\w*|úřed\w*|kraj$|kraj[eiů]|krajem|krajsk\w*|městsk\w*|město|města|městem|městě|magistrát\w*|obec$|obc[eií]|"
    r"obecn\w*|ospod\w*|polici\w*|soud$|soud[uy]|soudem|probačn\w*|charit\w*|diakon\w*|armád\w*|centr[uaem]?$|azyl\w*|domov$|domov[ay]|"
    r"domově|domovem|dům$|dom[ueě]$|domem|nemocnic\w*|škol[aeyuo]|školou|školk\w*|mateřsk\w*|základn\w*|poradn\w*|ministerst\w*|"
    r"mpsv|člověk\w*|spolk\w*|spolek|nadac\w*|fond[uy]?$|sdružen\w*|služb\w*|klub[uy]?$|klubem|link[auy]|intervenčn\w*|"
    r"bíl[ýéá]$|bílého|bílém|rodinn\w*|společnost\w*|"
    r"ukrajin\w*|romk\w*|rom$|romov\w*|romů|romský|slovenk\w*|slovák$|vietnam\w*|mongol\w*|češk\w*|"
    r"čech$|češi$|polk[ayu]$|ruskyn\w*|rus$|němk\w*|němec$|němc[ieů]$|"
    r"noclehárn\w*|ubytovn\w*|slezsk\w*|moravsk\w*|ostravsk\w*|pražsk\w*|brněnsk\w*|sociáln\w*|evropsk\w*|unie$|státn\w*|stát$|zákon\w*|"
    r"vyhlášk\w*|standard\w*|smlouv\w*|kodex\w*|plán$|ip$|ústav\w*|fakult\w*|univerzit\w*|hasič\w*|zdravotn\w*|pojišťovn\w*|všeobecn\w*|"
    r"odbor\w*|odděl\w*|agentur\w*|krizov\w*|dětsk\w*|středis\w*|kontaktn\w*|nízkoprah\w*|terénn\w*|"
    r"komunitn\w*|organizac\w*|naděj\w*|podan\w*|program\w*|projekt\w*|asociac\w*|institut\w*|klinik\w*|"
    r"ambulanc\w*|psychiatr\w*|léčebn\w*|hospic\w*|farnost\w*|farní\w*|církev|církv\w*|katolick\w*|"
    r"evangelick\w*|husitsk\w*|svaz\w*|komor\w*|inspekc\w*|kancelář\w*|informačn\w*|vzdělávac\w*|"
    r"výchovn\w*|pedagogick\w*|psychologick\w*|poradensk\w*|manželsk\w*|rodičovsk\w*|mládež\w*|senior\w*|"
    r"housing|first|caritas|tísn\w*|spás\w*|ministr\w*|vánoc\w*|velikonoc\w*|silvestr\w*|pondělí|úterý|středa|čtvrtek|pátek|sobota|neděle)$", re.IGNORECASE)
_OVA = _Lazy(rf"^[{_UP}][{_LO}]+ov(?:á|é|ou)$")
_OVA_ASCII = _Lazy(rf"^[{_UP}][{_LO}]+ov(?:a|e|ou)$")
# adjectives in -ová that start sentences of audit text ("Týmová supervize", "Klíčová pracovnice")
_OVA_ADJECTIVE = _Lazy(
    r"^(?:tým|případ|kriz|byt|dluh|cen|mzd|skupin|hodnot|celk|kurz|rozpočt|projekt|systém|výcvik|dotazník|"
    r"úvazk|kontakt|odbor|závazk|text|bod|vztah|klíč|kvalit|zákon|nákla|materiál|potravin|dávk|odměn|směn|"
    r"víkend|pokoj|bezbariér|volnočas|prázdnin|pobyt|spis|dodatk|doklad|záznam|výkaz|plán|cíl|obor|grant|"
    r"fond|proces|problém|tréning|trénink|supervizn|ceník|časov|domov|sít|cest|hrac|obsah|rámc|vzor|"
    r"komunitn|program|prac|zdravotn|škol|roč|měsíčn|denn|týdn|stravov|sport|výchov|herní|"
    r"barev|pilot|kapacit|finan|peněž|služb|úkol|okres|krajov|region|typ|model|kurs|"
    r"lékov|úrazov|havarijn|požárn|provozn|bezpečnostn|vstup|výstup|nástup|odchod|příchod|adaptač|mimořád)"
)
_SENTENCE_END = _Lazy(r"[.!?…:;\n\r\t•–—-]")
_ABBREV_BEFORE_DOT = {"p", "sl", "pí", "mgr", "bc", "ing", "mudr", "phdr", "judr", "paeddr", "rndr", "mga", "doc",
                      "prof", "dr", "č", "j", "nar", "ul", "nám", "tř", "tel", "odst", "písm", "mr", "mrs", "ms"}


@dataclass(frozen=True)
class _Names:
    forms: frozenset[str]  # every generated form, as written (capitalised) and without diacritics
    ambiguous: frozenset[str]  # lower-case forms that are also ordinary words
    folded: frozenset[str]  # forms typed without diacritics that are no form with them ("Anicka")


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
    """The name forms, built from the names file and the rules above, or kept from an earlier run while
    neither has changed (auditkit.usercache: building them takes ~5 ms, reading them back ~1 ms)."""
    from auditkit import usercache

    key = usercache.fingerprint("names", 1, usercache.code_stamp())  # the names file is one of auditkit's
    return usercache.cached("names", key, _build_names, lambda value: isinstance(value, _Names))


def _build_names() -> _Names:
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
            forms.update(make(w))
    # typed without diacritics ("Anicka"): a name too, but "Ale", "Very", "Many" open sentences, so these
    # forms count inside a sentence, after a title or person word, or beside another part of a name
    folded = {_fold(f) for f in forms} - forms
    return _Names(frozenset(forms | folded), frozenset(ambiguous), frozenset(folded))


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


_CAPS = _Lazy(rf"[{_UP}][{_LO}]+")
_DIGIT = _Lazy(r"\d")
_DIGITS3 = _Lazy(r"\d\d\d")
_EMAIL_CUE = _Lazy(r"(?i)\(at\)|\[at\]|\{at\}|<at>| at |zavin")
_SHOUTED = _Lazy(rf"[{_UP}]{{5,}}")
_LOWER_TITLE = _Lazy(r"(?i:\b(?:paní|pani|pan|pana|panu|panem|pí|slečn\w+|slecn\w+)|(?<!\w)(?:p|sl)\.)\s+[a-záčďéěíňóřšťúůýž]")
_OPENERS = " \u00a0\"'„“”‚‘’«»()[]*-–•\t\n"
_TOKEN = _Lazy(rf"[{_UP}{_LO}]+(?:-[{_UP}{_LO}]+)?\.?|[^\s]")


def _name_hits(text: str, safe: frozenset[str]) -> list[Hit]:
    names = _names()
    toks = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    marked = [False] * len(toks)
    n = len(toks)

    def bare(i: int) -> str:
        word: str = toks[i][0]
        return word.rstrip(".")

    def is_cap(i: int) -> bool:  # a capitalised word; a dot after it ends a sentence, not an abbreviation
        if not (0 <= i < n and _CAP.match(bare(i)) and len(bare(i)) > 1):
            return False
        return toks[i][0][-1] != "." or toks[i][0].lower() not in _TITLES | _ABBREVIATIONS

    def name_like(i: int) -> bool:
        return is_cap(i) and not _NOT_NAME.match(bare(i).lower()) and bare(i) not in safe \
            and not _PERSON_WORDS.match(bare(i)) and bare(i).lower() not in _TITLES

    def saint(i: int) -> bool:  # "Domov sv. Anežky", "ZŠ T. G. Masaryka" name no one present
        return i > 0 and toks[i - 1][0].lower() in ("sv.", "svaté", "svatého", "svatý", "svatá", "st.")

    def cue(i: int) -> bool:  # a title or a person word right before token i
        if i <= 0:
            return False
        w = toks[i - 1][0].lower()
        if w in _TITLES:
            return True
        # "klientovi. Vycházejte" is no cue
        return not w.endswith(".") and bool(_PERSON_WORDS.match(w) or _PERSON_WORDS_FOLDED.match(w))

    for i, (tok, start, _) in enumerate(toks):
        word = tok.rstrip(".")
        if i > 0 and word.islower() and toks[i - 1][0].lower() in _STRONG_TITLES:
            # tired typing: "paní nováková", "pan karel"
            marked[i] = bool(_OVA.match(word.capitalize())) or word.capitalize() in names.forms
            continue
        if word.isupper() and len(word) > 4 and word.isalpha() and word not in safe and (
                word.endswith(("OVÁ", "OVÉ", "OVOU")) or (i > 0 and toks[i - 1][0].lower() in _STRONG_TITLES)):
            marked[i] = True  # "paní NOVÁKOVÁ": a surname typed in capitals
            continue
        if not is_cap(i) or word in safe or saint(i):
            continue
        first = word in names.forms
        low = word.lower()
        mid = not _sentence_start(text, start)
        hit = False
        if first:
            # an ordinary word as well ("Rada", "Květy") counts after a title or next to another part of a name
            plain = low not in names.ambiguous and not _NOT_NAME.match(low) and (mid or word not in names.folded)
            beside = name_like(i + 1) and (mid or bare(i + 1) in names.forms)
            hit = plain or cue(i) or beside
        elif _OVA.match(word) and not _NOT_NAME.match(low) and not (
                i > 0 and toks[i - 1][0].lower() in _PLACE_BEFORE and not name_like(i + 1)):  # "obce Orlová"
            # a sentence that starts with "Týmová", "Nízkoprahové", "Případovou" is about an adjective
            adjective = _OVA_ADJECTIVE.match(low) or (not mid and not low.endswith("ová"))
            hit = cue(i) or not adjective or name_like(i + 1) and bare(i + 1) in names.forms
        elif _OVA_ASCII.match(word) and cue(i):
            hit = True
        elif mid and word.endswith("ovi") and name_like(i) and len(word) > 5:
            hit = True  # "k Novákovi": a capitalised dative in -ovi is a person (places decline otherwise)
        elif cue(i) and name_like(i):
            hit = True  # "pan Dvořák", "pracovnice Malá"; institutions after a person word are in _NOT_NAME
        if hit:
            marked[i] = True
    # extend each name over its neighbours: a surname after a first name, titles in between
    for i in range(n):
        if marked[i]:
            j = i + 1
            while j < n and j <= i + 2 and name_like(j) and not marked[j]:
                marked[j] = True
                j += 1
            before = i - 1
            if before >= 0 and not marked[before] and name_like(before) and not cue(before) \
                    and bare(before).lower() not in _STARTERS:  # "Novotná Jana", "Nováková Jana"
                marked[before] = True
    # coordinated names: "s dcerami Lucinkou a Kačkou", "Anička, Péťa"
    for i in range(2, n):
        if not marked[i] and marked[i - 2] and toks[i - 1][0] in ("a", ",", "i") and bare(i) in names.forms \
                and name_like(i):
            marked[i] = True
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
@lru_cache(maxsize=256)
def _safe_words(safe: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w for s in safe for w in re.findall(rf"[{_UP}{_LO}]+", s) if w[:1].isupper())


def _name_candidates(text: str, safe: frozenset[str]) -> bool:
    """Cheap gate before the word-by-word name pass: is there any word that could start a name?

    A text whose only capitalised word opens it, and is no name, title, person word or -ová form, and
    that has no lower-case title ("paní nováková"), has none; most comments are like that.
    """
    caps = _CAPS.findall(text)
    if len(caps) > 1 or _LOWER_TITLE.search(text) or _SHOUTED.search(text):
        return True
    if not caps:
        return False
    word = caps[0]
    if not text.lstrip(_OPENERS).startswith(word):
        return True
    return word in _names().forms or bool(_OVA.match(word) or _PERSON_WORDS.match(word)) or word.lower() in _TITLES


@lru_cache(maxsize=8192)
def _find(text: str, safe: tuple[str, ...], kinds: frozenset[str]) -> tuple[Hit, ...]:
    found: list[Hit] = []

    def add(hit: Hit) -> None:
        if hit.kind in kinds and not any(hit.start < h.end and h.start < hit.end for h in found):
            found.append(hit)

    has_digit = _DIGIT.search(text) is not None
    if "@" in text or _EMAIL_CUE.search(text):
        for m in _EMAIL.finditer(text):
            add(Hit("email", *m.span()))
    if has_digit:
        if _DIGITS3.search(text):  # birth numbers, phones and postcodes all hold three digits in a row
            for h in _birth_numbers(text):
                add(h)
        low = text.lower()
        if "*" in text or any(w in low for w in ("nar", "born", "dob", "birth", "ročník")):
            for m in _BIRTH_DATE.finditer(text):
                add(Hit("birth_date", *m.span(1)))
        if _DIGITS3.search(text):
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
    words = _safe_words(safe)
    names = _name_hits(text, words) if ("name" in kinds or has_digit) and _name_candidates(text, words) else []
    rooms = list(_ROOM.finditer(text)) if has_digit else []
    if rooms and (names or _PERSON_CUE.search(text)):  # a room number tied to a person
        for m in rooms:
            add(Hit("room", *m.span(1)))
    if "name" in kinds:
        for h in names:
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


def redact(text: str, lang: Lang = "cs", safe: tuple[str, ...] = (),
           kinds: frozenset[str] = ALL) -> str:
    """The redaction policy: each hit replaced by a token saying what was removed ("[jméno]", "[name]")."""
    hits = find(text, safe, kinds)
    return _replaced(text, hits, TOKENS.get(lang, TOKENS["cs"])) if hits else text


def _replaced(text: str, hits: tuple[Hit, ...], tokens: dict[str, str]) -> str:
    """``text`` with each hit replaced by the token of its kind."""
    out: list[str] = []
    last = 0
    for h in hits:
        out += (text[last:h.start], tokens[h.kind])
        last = h.end
    out.append(text[last:])
    return "".join(out)


def redact_again(text: str) -> str:
    """The outputs' second pass over text that validation has already redacted: only contacts and numbers
    (a report must print the service's own name, which this pass cannot tell from a person's), with the
    same tokens. It guards audits a library caller builds by hand; for validated audits it finds nothing."""
    return redact(text, "cs", kinds=NOT_NAMES)

# -- the policy for a typed audit ------------------------------------------------------------------
def safe_phrases(*names: object) -> tuple[str, ...]:
    """The service's and provider's own names, as typed on the cover sheet: never redacted as a person."""
    return tuple(str(n) for n in names if isinstance(n, str) and n.strip())


def kinds_for(role: str | None, identification: bool = False) -> frozenset[str]:
    """What to look for in a question's text answer: no names in the cover fields whose ``role`` holds names by
    design (the service, the provider, the auditors)."""
    return NOT_NAMES if identification and role in NAMED_FIELDS else ALL


def _options_of(q: object) -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """The questions of ``q`` and the columns of each record table whose value is one option id of the
    definition, never typed text."""
    from auditkit.questionnaire.kinds import kind_of
    from auditkit.questionnaire.kinds.options import cached

    def build() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
        questions = frozenset(x.id for a in getattr(q, "areas", ()) for x in a.questions if kind_of(x).one_option)
        columns = {t.id: frozenset(c.id for c in t.columns if kind_of(c).one_option)
                   for t in getattr(q, "records", ())}
        return questions, columns

    return cached(q, build, "one_option")


def _redactor(lang: Lang, safe: tuple[str, ...]) -> Any:
    """``text(value, kinds=ALL)``: :func:`redact` for a text, anything else as it is (the hot path of
    :func:`redact_audit`: a few hundred cells per workbook, most of them clean)."""
    safe = tuple(safe)
    tokens = TOKENS.get(lang, TOKENS["cs"])

    def text(value: object, kinds: frozenset[str] = ALL) -> object:
        if not isinstance(value, str) or not value:
            return value
        hits = _find(value, safe, kinds)
        return _replaced(value, hits, tokens) if hits else value

    return text


def redact_service(service: ServiceInfo, q: object = None, lang: Lang = "cs", safe: tuple[str, ...] = ()) -> ServiceInfo:
    """The cover fields with personal data redacted: no names looked for where the field's role holds names
    by design (the service, the provider, the auditors); a field without such a role is checked for names too."""
    text = _redactor(lang, safe)
    roles = {x.id: x.role for x in getattr(q, "identification", ())}

    def cover(key: str, v: object) -> object:  # a field without a name-holding role is checked for names too
        return text(v, kinds_for(roles.get(key, key), identification=True))

    fields: dict[str, object] = {k: text(v, NOT_NAMES) for k, v in service.model_dump().items() if isinstance(v, str)}
    fields["fields"] = {k: cover(k, v) for k, v in service.fields.items()}
    return service.model_copy(update=fields)


def redact_audit(audit: Audit, q: object = None, safe: tuple[str, ...] = ()) -> Audit:
    """``audit`` with every auditor-typed text redacted: answers, comments, record cells, cover fields.

    Called once, where validation hands the typed audit on; every output (reports, summary workbook,
    JSON, terminal) is made from its result, so none of them can show what was detected. An answer or
    record cell whose value is one option id of the definition holds no typed text and is passed as it is.
    """
    text = _redactor(audit.language, safe)
    options, columns = _options_of(q)
    answers = {}
    for key, a in audit.answers.items():
        value = a.value if key in options else text(a.value)
        comment = text(a.comment)
        answers[key] = a if value is a.value and comment is a.comment else a.model_copy(
            update={"value": value, "comment": comment})
    records = {}
    for k, rows in audit.records.items():
        fixed = columns.get(k, frozenset())
        records[k] = [{c: v if c in fixed else text(v) for c, v in row.items()} for row in rows]
    return audit.model_copy(update={"answers": answers, "records": records,
                                    "service": redact_service(audit.service, q, audit.language, safe)})
