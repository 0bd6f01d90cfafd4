"""Report words as data: templates/reports/*.yaml, every key in cs and en, checked at load."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from auditkit import lang as lang_
from auditkit.paths import report_templates_dir
from auditkit.questionnaire.models import LANGS, Questionnaire

# the C-accelerated safe loader when PyYAML has it (10× faster), else the pure-Python one
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class TextError(Exception):
    """A report text file that cannot be used; the message names the file and the key."""


Entry = str | dict[str, str]  # a text, or a counted phrase: CLDR plural category → text with {n}


class Texts:
    """Flat access to one text file: ``t("key", lang, **params)``.

    A counted phrase (``{cs: {one: …, few: …, many: …, other: …}, en: {one: …, other: …}}``) needs the
    parameter ``n``: Babel picks the form for it (``lang.count``) and ``{n}`` is written as the language
    writes numbers."""

    def __init__(self, path: Path, data: dict[str, dict[str, Entry]]) -> None:
        self.path = path
        self.data = data

    def __call__(self, key: str, lang: str, **params: Any) -> str:
        try:
            text = self.data[key][lang]
        except KeyError:
            raise TextError(f"{self.path}: missing key '{key}' ({lang})") from None
        if isinstance(text, dict):
            if "n" not in params:
                raise TextError(f"{self.path}: key '{key}' is a counted phrase and needs n")
            n = params.pop("n")
            return lang_.count(n, text, lang, **params)
        return text.format(**params) if params else text

    def counted(self) -> list[str]:
        """The keys of the counted phrases."""
        return [k for k, v in self.data.items() if any(isinstance(x, dict) for x in v.values())]

    def require(self, keys: list[str]) -> None:
        missing = [k for k in keys if k not in self.data]
        if missing:
            raise TextError(f"{self.path}: missing keys: {', '.join(missing)}")


_PLAIN_KEYS = {"theme", "color", "symbol", "response_days", "inclusion_areas", "max_shown", "regions"}


def _forms_ok(value: Any, lang: str) -> bool:
    """A counted phrase's forms: every category the language needs, each a non-empty text."""
    return (isinstance(value, dict) and set(value) <= set(lang_.CATEGORIES)
            and all(isinstance(value.get(c), str) and value[c].strip() for c in lang_.REQUIRED[lang]))


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
            raise TextError(f"{path}: key '{prefix}': unexpected fields {', '.join(sorted(extra))}")
        out[prefix] = {lang: node[lang] for lang in LANGS}
    elif isinstance(node, str) and prefix.rsplit(".", 1)[-1] in _PLAIN_KEYS:
        out[prefix] = {lang: node for lang in LANGS}  # a setting, not words: the same in every language
    elif isinstance(node, dict):
        for k, v in node.items():
            _flatten(v, f"{prefix}.{k}" if prefix else str(k), path, out)
    else:
        raise TextError(f"{path}: key '{prefix}': expected {{cs: …, en: …}}, got {type(node).__name__}")


def load_texts(path: Path) -> Texts:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except OSError as exc:
        raise TextError(f"{path}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise TextError(f"{path}: not valid YAML ({exc})") from None
    if isinstance(data, dict) and any(isinstance(k, bool) for k in data.get("_bases", {}) or {}):
        raise TextError(f"{path}: key '_bases': quote \"no\" (unquoted YAML reads it as false)")
    for key, node in (data or {}).items():
        if isinstance(node, dict) and any(isinstance(k, bool) for k in node):
            raise TextError(f"{path}: key '{key}': quote \"no\" (unquoted YAML reads it as false)")
    out: dict[str, dict[str, Entry]] = {}
    _flatten(data or {}, "", path, out)
    _derive_findings(out)
    return Texts(path, out)


def _derive_findings(out: dict[str, dict[str, Entry]]) -> None:
    """Finding texts (recommendations.yaml): a fact with a ``claim`` gets its "not evidenced" wording from
    ``_bases.not_evidenced`` unless it has its own; a fact without a region ``text`` takes its first
    basis's text."""
    template = {part: out.get(f"_bases.not_evidenced.{part}") for part in ("title", "text")}
    for key in [k for k in out if k.endswith(".claim") and k.count(".") == 1]:
        fact = key[: -len(".claim")]
        for part, words in template.items():
            if words is not None and f"{fact}.not_evidenced.{part}" not in out:
                out[f"{fact}.not_evidenced.{part}"] = {
                    lang: str(words[lang]).replace("{claim}", str(out[key][lang])) for lang in LANGS
                }
        if f"{fact}.text" not in out:
            for basis in ("no", "threshold", "indicator", "partly"):
                if f"{fact}.{basis}.text" in out:
                    out[f"{fact}.text"] = out[f"{fact}.{basis}.text"]
                    break


@lru_cache(maxsize=8)
def texts(name: str, root: str | None = None) -> Texts:
    """``name`` is a file in templates/reports without .yaml: 'common', 'summary', 'provider', 'recommendations'."""
    base = Path(root) if root else report_templates_dir()
    return load_texts(base / f"{name}.yaml")


def recommendations(q: Questionnaire, root: str | None = None) -> Texts:
    """The finding texts: every fact the questionnaire can raise needs its topic title, its claim and a
    title and a text for every basis a finding on it can have (``<fact>.<basis>.title`` / ``.text``)."""
    t = texts("recommendations", root)
    need = []
    for fact, bases in sorted(q.fact_bases().items()):
        need += [f"{fact}.title", f"{fact}.text", f"{fact}.theme", f"{fact}.claim"]
        need += [f"{fact}.{basis}.{part}" for basis in sorted(bases) for part in ("title", "text")]
    t.require(need)
    return t
