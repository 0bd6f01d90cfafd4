"""Report words as data: templates/reports/*.yaml, every key in cs and en, checked at load (auditkit.words),
and the finding texts a questionnaire needs. Definitions like the questionnaires: the reports, the data set,
the plan and the returned plan's check all read them, so they sit below all of those.

A questionnaire may carry its own words in ``<its folder>/reports/<name>.yaml``: each key there replaces the
shared one of the same name (or adds one: the finding texts of its own facts, the words of its own verdicts);
every other key keeps the shared wording (``texts_for``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from auditkit import words as words_
from auditkit.questionnaire.models import LANGS, Questionnaire
from auditkit.words import Entry, TextError, Texts
from auditkit.words import load_texts as _load

__all__ = ["Entry", "TextError", "Texts", "load_texts", "recommendations", "texts", "texts_for"]


def load_texts(path: Path) -> Texts:
    """A report text file, checked (:func:`auditkit.words.load_texts`), with the derived finding texts."""
    t = _load(path)
    _derive_findings(t.data)
    return t


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
    """``name`` is a file in templates/reports without .yaml: 'common', 'summary', 'provider', 'recommendations'.

    The shared files are read once, through :func:`auditkit.words.words` (which the word tables of the
    modules use too, and which keeps them in the start-up cache); the derived finding texts go into a copy."""
    if root:
        return load_texts(Path(root) / f"{name}.yaml")
    shared = words_.words(name)
    data = dict(shared.data)
    _derive_findings(data)
    return Texts(shared.path, data)


def texts_for(q: Questionnaire, name: str) -> Texts:
    """The words of ``name`` for reports on ``q``: the shared file, each key replaced by the one in the
    questionnaire's own ``reports/<name>.yaml`` when that file has it (a missing key is then reported against
    that file, where a questionnaire's own keys belong)."""
    from auditkit.questionnaire.loader import folder_of

    folder = folder_of(q)
    own = folder / "reports" / f"{name}.yaml" if folder is not None else None
    return _merged(name, str(own) if own is not None and own.is_file() else None)


@lru_cache(maxsize=32)
def _merged(name: str, own: str | None) -> Texts:
    shared = texts(name)
    if own is None:
        return shared
    data = {**shared.data, **_load(Path(own)).data}
    _derive_findings(data)
    return Texts(Path(own), data)


def recommendations(q: Questionnaire, root: str | None = None) -> Texts:
    """The finding texts: every fact the questionnaire can raise needs its topic title, its claim and a
    title and a text for every basis a finding on it can have (``<fact>.<basis>.title`` / ``.text``)."""
    t = texts("recommendations", root) if root else texts_for(q, "recommendations")
    need = []
    for fact, bases in sorted(q.fact_bases().items()):
        need += [f"{fact}.title", f"{fact}.text", f"{fact}.theme", f"{fact}.claim"]
        need += [f"{fact}.{basis}.{part}" for basis in sorted(bases) for part in ("title", "text")]
    t.require(need)
    return t
