"""Report words as data: templates/reports/*.yaml, every key in cs and en, checked at load."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from auditkit.paths import report_templates_dir
from auditkit.questionnaire.models import LANGS, Questionnaire

# the C-accelerated safe loader when PyYAML has it (10× faster), else the pure-Python one
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class TextError(Exception):
    """A report text file that cannot be used; the message names the file and the key."""


class Texts:
    """Flat access to one text file: ``t("key", lang, **params)``."""

    def __init__(self, path: Path, data: dict[str, dict[str, str]]) -> None:
        self.path = path
        self.data = data

    def __call__(self, key: str, lang: str, **params: Any) -> str:
        try:
            text = self.data[key][lang]
        except KeyError:
            raise TextError(f"{self.path}: missing key '{key}' ({lang})") from None
        return text.format(**params) if params else text

    def require(self, keys: list[str]) -> None:
        missing = [k for k in keys if k not in self.data]
        if missing:
            raise TextError(f"{self.path}: missing keys: {', '.join(missing)}")


_PLAIN_KEYS = {"theme", "color"}


def _flatten(node: Any, prefix: str, path: Path, out: dict[str, dict[str, str]]) -> None:
    if isinstance(node, dict) and set(node) & set(LANGS):
        missing = [lang for lang in LANGS if not isinstance(node.get(lang), str) or not node[lang].strip()]
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
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 - a safe loader
    except OSError as exc:
        raise TextError(f"{path}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise TextError(f"{path}: not valid YAML ({exc})") from None
    out: dict[str, dict[str, str]] = {}
    _flatten(data or {}, "", path, out)
    return Texts(path, out)


@lru_cache(maxsize=8)
def texts(name: str, root: str | None = None) -> Texts:
    """``name`` is a file in templates/reports without .yaml: 'common', 'summary', 'provider', 'recommendations'."""
    base = Path(root) if root else report_templates_dir()
    return load_texts(base / f"{name}.yaml")


def recommendations(q: Questionnaire, root: str | None = None) -> Texts:
    """The recommendation texts; every key the questionnaire can raise must have a title and a text."""
    t = texts("recommendations", root)
    keys = {x.recommendation for a in q.areas for x in a.questions if x.recommendation}
    keys |= {i.recommendation for i in q.indicators if i.recommendation}
    need = [f"{k}.{part}" for k in sorted(keys) for part in ("title", "text")]
    t.require(need)
    return t
