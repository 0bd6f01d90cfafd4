"""Regenerate the JSON Schemas shipped in the package (src/auditkit/schemas/) from the output models.

Usage: python scripts/make_schemas.py [--check]
  --check  fail if a committed schema differs from the models (a field was added, renamed or removed).
"""

from __future__ import annotations

import sys
from pathlib import Path

from auditkit.serialize import SCHEMAS, schema_text

FOLDER = Path(__file__).resolve().parent.parent / "src" / "auditkit" / "schemas"


def main(argv: list[str]) -> int:
    stale = []
    for name in SCHEMAS:
        path = FOLDER / f"{name}.schema.json"
        text = schema_text(name)
        if "--check" in argv:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
            print(path)
    if stale:
        print(f"{', '.join(stale)} differ from the models: run scripts/make_schemas.py", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
