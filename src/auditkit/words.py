"""Words as data: every user-facing word lives in a YAML file under templates/reports/, in cs and en.

One loader for all of them (report texts, workbook words, command-line words): each key holds ``{cs: …,
en: …}`` (or a counted phrase, ``{cs: {one: …, few: …, many: …, other: …}, en: {one: …, other: …}}``),
both languages are present and use the same ``{placeholders}``, checked when the file is loaded. A wrong
file raises :class:`TextError`, a :class:`~auditkit.errors.DefinitionError` naming the file and the key,
which the command line prints as the methodologist's mistake (exit code 2).

Modules keep their words as lazy views (:func:`by_lang`, :func:`by_key`): importing a module reads no file;
the first look-up loads and checks the whole file once.

This module is core: it imports nothing from the reports, the CLI or rendering.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from auditkit import datafile
from auditkit import lang as lang_
from auditkit.datafile import DefinitionError
from auditkit.lang import LANGS, Lang
from auditkit.paths import report_templates_dir

__all__ = ["LANGS", "Entry", "TextError", "Texts", "by_key", "by_lang", "entry", "load_texts", "placeholders",
           "read_yaml", "words"]


class TextError(DefinitionError):
    """A words file that cannot be used; the message names the file and the key."""


Entry = str | dict[str, str]  # a text, or a counted phrase: CLDR plural category → text with {n}


def placeholders(text: str) -> set[str]:
    """The names of the ``{placeholders}`` in ``text`` ("{n}", "{path}"; "{{" is a literal brace)."""
    try:
        return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError as exc:  # "{" without its "}"
        raise ValueError(f"unbalanced braces ({exc})") from None


class Texts:
    """Flat access to one text file: ``t("key", lang, **params)``.

    A counted phrase (``{cs: {one: …, few: …, many: …, other: …}, en: {one: …, other: …}}``) needs the
    parameter ``n``: Babel picks the form for it (``lang.count``) and ``{n}`` is written as the language
    writes numbers."""

    def __init__(self, path: Path, data: dict[str, dict[str, Entry]]) -> None:
        self.path = path
        self.data = data

    def __call__(self, key: str, lang: Lang, **params: Any) -> str:
        try:
            text = self.data[key][lang]
        except KeyError:
            raise TextError(f"{self.path}: missing key '{key}' ({lang})") from None
        try:
            if isinstance(text, dict):
                if "n" not in params:
                    raise TextError(f"{self.path}: key '{key}' is a counted phrase and needs n")
                n = params.pop("n")
                return lang_.count(n, text, lang, **params)
            return text.format(**params) if params else text
        except (KeyError, IndexError) as exc:  # a placeholder the program does not fill: a typo in the file
            given = ", ".join("{" + p + "}" for p in sorted([*params, *(["n"] if isinstance(text, dict) else [])]))
            raise TextError(f"{self.path}: key '{key}': unknown placeholder {{{exc.args[0]}}} "
                            f"(this text can use {given or 'none'})") from None

    def counted(self) -> list[str]:
        """The keys of the counted phrases."""
        return [k for k, v in self.data.items() if any(isinstance(x, dict) for x in v.values())]

    def setting(self, key: str, lang: Lang, default: str = "") -> str:
        """A plain setting (a theme, a colour, a symbol: never a counted phrase) in ``lang``, or ``default``
        when the file does not give it."""
        value = self.data.get(key, {}).get(lang)
        return value if isinstance(value, str) else default

    def require(self, keys: list[str]) -> None:
        missing = [k for k in keys if k not in self.data]
        if missing:
            raise TextError(f"{self.path}: missing keys: {', '.join(missing)}")

    def group(self, prefix: str) -> dict[str, dict[str, Entry]]:
        """The keys under ``prefix.`` without it: ``{key: {lang: text}}``."""
        head = prefix + "."
        found = {k[len(head):]: v for k, v in self.data.items() if k.startswith(head)}
        if not found:
            raise TextError(f"{self.path}: missing group '{prefix}'")
        return found


_PLAIN_KEYS = {"theme", "color", "symbol", "response_days", "inclusion_areas", "max_shown", "regions"}


def _forms_ok(value: Any, lang: Lang) -> bool:
    """A counted phrase's forms: every category the language needs, each a non-empty text."""
    return (isinstance(value, dict) and set(value) <= set(lang_.CATEGORIES)
            and all(isinstance(value.get(c), str) and value[c].strip() for c in lang_.REQUIRED[lang]))


def _names(entry: Entry, path: Path, key: str) -> set[str]:
    """The placeholders of a text, or of all forms of a counted phrase together."""
    try:
        return set().union(*(placeholders(t) for t in (entry.values() if isinstance(entry, dict) else [entry])))
    except ValueError as exc:
        raise TextError(f"{path}: key '{key}': {exc}") from None


def placeholder_difference(names: Mapping[str, set[str]]) -> str | None:
    """How the languages' placeholders differ ("only cs: {expectd}; only en: {expected}"), or None."""
    if names["cs"] == names["en"]:
        return None
    return "; ".join(f"only {lang}: {', '.join('{' + n + '}' for n in sorted(names[lang] - names[other]))}"
                     for lang, other in (("cs", "en"), ("en", "cs")) if names[lang] - names[other])


def _check_placeholders(node: dict[str, Entry], path: Path, key: str) -> None:
    """Both languages fill the same ``{placeholders}``: a typo in one of them is the methodologist's mistake."""
    only = placeholder_difference({lang: _names(node[lang], path, key) for lang in LANGS})
    if only is not None:
        raise TextError(f"{path}: key '{key}': cs and en use different placeholders ({only})")


def _flatten(node: Any, prefix: str, path: Path, out: dict[str, dict[str, Entry]]) -> None:
    if isinstance(node, dict) and set(node) & set(LANGS):
        forms = [lang for lang in LANGS if isinstance(node.get(lang), dict)]
        if forms and len(forms) != len(LANGS):
            raise TextError(f"{path}: key '{prefix}': a counted phrase needs plural forms in every language")
        bad = [lang for lang in forms if not _forms_ok(node[lang], lang)]
        if bad:
            need = "; ".join(f"{lang}: {', '.join(lang_.REQUIRED[lang])}" for lang in bad)
            raise TextError(f"{path}: key '{prefix}': plural forms missing or unknown (needs {need})")
        missing = [lang for lang in LANGS if lang not in forms
                   and (not isinstance(node.get(lang), str) or not node[lang].strip())]
        if missing:
            raise TextError(f"{path}: key '{prefix}': missing translation {', '.join(missing)}")
        extra = set(node) - set(LANGS)
        if extra:
            raise TextError(f"{path}: key '{prefix}': unexpected fields {', '.join(sorted(map(str, extra)))}")
        _check_placeholders(node, path, prefix)
        out[prefix] = {lang: node[lang] for lang in LANGS}
    elif isinstance(node, str) and prefix.rsplit(".", 1)[-1] in _PLAIN_KEYS:
        out[prefix] = {lang: node for lang in LANGS}  # a setting, not words: the same in every language
    elif isinstance(node, dict):
        for k, v in node.items():
            _flatten(v, f"{prefix}.{k}" if prefix else str(k), path, out)
    else:
        raise TextError(f"{path}: key '{prefix}': expected {{cs: …, en: …}}, got {type(node).__name__}")


def read_yaml(path: Path) -> Any:
    """A YAML file's content; unreadable or invalid YAML is a :class:`TextError` naming the file and line."""
    return datafile.read_yaml(path, TextError)


def load_texts(path: Path) -> Texts:
    data = read_yaml(path)
    if data is not None and not isinstance(data, dict):
        raise TextError(f"{path}: expected keys with {{cs: …, en: …}} at the top level, got {type(data).__name__}")
    if isinstance(data, dict) and any(isinstance(k, bool) for k in data.get("_bases", {}) or {}):
        raise TextError(f"{path}: key '_bases': quote \"no\" (unquoted YAML reads it as false)")
    for key, node in (data or {}).items():
        if isinstance(node, dict) and any(isinstance(k, bool) for k in node):
            raise TextError(f"{path}: key '{key}': quote \"no\" (unquoted YAML reads it as false)")
    out: dict[str, dict[str, Entry]] = {}
    _flatten(data or {}, "", path, out)
    return Texts(path, out)


@lru_cache(maxsize=16)
def words(name: str) -> Texts:
    """The words file ``templates/reports/<name>.yaml``, loaded and checked once (and kept in the user cache
    while the file is unchanged: auditkit.usercache; a file with a mistake is never kept)."""
    from auditkit import usercache

    path = report_templates_dir() / f"{name}.yaml"
    key = usercache.fingerprint("words", 1, usercache.code_stamp(), files=[path])
    return usercache.cached(f"words-{name}", key, lambda: load_texts(path), lambda value: isinstance(value, Texts))


class _View(Mapping[str, Any]):
    """A read-only mapping filled from a words file on first use (importing a module reads no file)."""

    def __init__(self, name: str, group: str, by: str) -> None:
        self._name, self._group, self._by = name, group, by
        self._data: dict[str, Any] | None = None

    def _load(self) -> dict[str, Any]:
        if self._data is None and self._by == "entry":
            t = words(self._name)
            if self._group not in t.data:
                raise TextError(f"{t.path}: missing key '{self._group}'")
            self._data = dict(t.data[self._group])
        if self._data is None:
            entries = words(self._name).group(self._group)
            if self._by == "lang":
                self._data = {lang: {k: v[lang] for k, v in entries.items()} for lang in LANGS}
            else:
                self._data = {k: dict(v) for k, v in entries.items()}
        return self._data

    def __getitem__(self, key: str) -> Any:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def __repr__(self) -> str:
        return f"<words {self._name}.yaml: {self._group}>"


def by_lang(name: str, group: str) -> Mapping[str, dict[str, Any]]:
    """The group ``group`` of words file ``name`` as ``{lang: {key: text}}`` (loaded on first use)."""
    return _View(name, group, "lang")


def by_key(name: str, group: str) -> Mapping[str, dict[str, Any]]:
    """The group ``group`` of words file ``name`` as ``{key: {lang: text}}`` (loaded on first use)."""
    return _View(name, group, "key")


def entry(name: str, key: str) -> Mapping[str, Any]:
    """The key ``key`` (dotted) of words file ``name`` as ``{lang: text}`` (loaded on first use)."""
    return _View(name, key, "entry")
