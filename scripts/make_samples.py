"""Regenerate sample_audits/ from the questionnaire, so the sample round never drifts from it.

Usage: python scripts/make_samples.py [--check]
  --check  regenerate into a temporary folder and fail if the answers differ from the committed files.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from auditkit.questionnaire.loader import default_questionnaire
from auditkit.pipeline import process_files
from auditkit.samples import write_previous_round, write_round, write_sample_replies
from auditkit.validation.batch import validate_paths

ROOT = Path(__file__).resolve().parent.parent / "sample_audits"
PREVIOUS = ROOT.parent / "sample_previous"  # the same network's 2022 round, for the audit cycle
REPLIES = ROOT.parent / "sample_replies"  # plans returned by three providers after the 2023 reports


def main(argv: list[str]) -> int:
    q = default_questionnaire()
    if "--check" in argv:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = {p.name: p for p in write_round(q, Path(tmp))}
            old = {r.file: r for r in validate_paths([ROOT])}
            new = {r.file: r for r in validate_paths(list(fresh.values()))}
            same = sorted(Path(f).name for f in old) == sorted(fresh) and all(
                old[str(ROOT / n)].audit.answers == new[str(p)].audit.answers for n, p in fresh.items()
            )
            print("sample_audits/ is up to date" if same else "sample_audits/ differs: run scripts/make_samples.py")
            return 0 if same else 1
    ROOT.mkdir(exist_ok=True)
    PREVIOUS.mkdir(exist_ok=True)
    for path in write_round(q, ROOT) + write_previous_round(q, PREVIOUS):
        print(path.relative_to(ROOT.parent))
    REPLIES.mkdir(exist_ok=True)
    for old in REPLIES.glob("*.xlsx"):
        old.unlink()
    _, scored = process_files([ROOT], "cs", 1)
    for path in write_sample_replies(q, scored, REPLIES):
        print(path.relative_to(ROOT.parent))
    bad = [r for folder in (ROOT, PREVIOUS, REPLIES) for r in validate_paths([folder]) if r.status != "valid"]
    for r in bad:
        print(f"{r.file}: {[f.message for f in r.findings]}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
