"""Start-up: a command imports only what it uses (docs/performance.md, "Start-up"). Behavioural checks on
the modules a real command line loads, never on time."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from auditkit.paths import sample_audits_dir

SCRIPT = """
import atexit, json, sys
atexit.register(lambda: print("MODULES " + json.dumps(sorted(sys.modules))))
sys.argv = ["auditkit", *json.loads(sys.argv[1])]
from auditkit.cli import main
main()
"""

# never needed to check one clean workbook: the writers, the pool, the round's aggregation and reports, a table
NOT_FOR_VALIDATE = {
    "reportlab", "openpyxl", "numpy", "pandas", "multiprocessing", "concurrent.futures.process",
    "rich.progress", "rich.live", "rich.table", "auditkit.reports.provider_pdf", "auditkit.reports.summary_pdf",
    "auditkit.summary", "auditkit.scoring", "auditkit.rounds", "auditkit.spool", "auditkit.staging",
    "auditkit.tidy", "auditkit.excel.template", "auditkit.excel.xlsxout",
}


def modules(*args: str, **env: str) -> set[str]:
    proc = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(args)], capture_output=True, text=True,
                          timeout=120, check=False, env={**os.environ, **env})
    assert proc.returncode == 0, proc.stderr  # every command line here succeeds
    line = next(x for x in proc.stdout.splitlines() if x.startswith("MODULES "))
    return set(json.loads(line.removeprefix("MODULES ")))


def loaded(mods: set[str], names: set[str]) -> set[str]:
    return {n for n in names if n in mods or any(m.startswith(n + ".") for m in mods)}


@pytest.fixture(scope="module")
def one(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("one") / "one.xlsx"
    shutil.copy(next(iter(sorted(sample_audits_dir().glob("*.xlsx")))), path)
    return path


def test_validate_of_one_workbook_loads_no_writer_no_pool_no_round(one):
    mods = modules("validate", str(one))
    assert "auditkit.validation.workbook" in mods and "python_calamine" in mods  # it did validate
    assert loaded(mods, NOT_FOR_VALIDATE) == set()


def test_validate_json_of_one_workbook_loads_no_writer_and_no_summary_model_either(one):
    mods = modules("validate", str(one), "--json")
    assert "auditkit.validation.output" in mods  # it did print the JSON
    assert loaded(mods, NOT_FOR_VALIDATE | {"auditkit.serialize"}) == set()


def test_help_loads_neither_pydantic_nor_the_pipeline():
    mods = modules("--help") - {"pydantic.plugin._loader"}  # (auditkit.cli's stand-in for it, not pydantic)
    assert loaded(mods, {"pydantic", "auditkit.pipeline", "auditkit.questionnaire", "rich.table", "yaml"}) == set()


# what a run that finds its derived data in the user cache (auditkit.usercache) never needs: the YAML parser
# (the checked definitions are read back), Babel's whole locale data (babel.dates comes with it; the plural
# rules and number symbols are read back), and importlib.metadata, which only pydantic's plugin loader imports
# (auditkit.cli stands in for that loader while plugins are off)
NOT_WITH_A_WARM_CACHE = {"yaml", "babel.dates", "importlib.metadata"}


def test_validate_with_a_warm_cache_parses_no_yaml_and_loads_no_locale_data(one, tmp_path):
    cache = str(tmp_path / "cache")
    cold = modules("validate", str(one), AUDITKIT_CACHE_DIR=cache)  # builds and keeps them
    assert {"yaml", "babel.dates"} <= cold
    warm = modules("validate", str(one), AUDITKIT_CACHE_DIR=cache)
    assert "auditkit.validation.workbook" in warm and "babel.numbers" in warm  # it did validate and count
    assert loaded(warm, NOT_WITH_A_WARM_CACHE) == set()
    assert loaded(warm, NOT_FOR_VALIDATE) == set()


def test_validate_with_pydantic_plugins_on_uses_pydantic_s_own_loader(one, tmp_path):
    mods = modules("validate", str(one), PYDANTIC_DISABLE_PLUGINS="", AUDITKIT_CACHE_DIR=str(tmp_path / "cache"))
    assert "auditkit.validation.workbook" in mods and "importlib.metadata" in mods
