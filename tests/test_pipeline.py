"""One pipeline path: the same round in this process and in a pool gives the same outputs and the same
events; failures are contained alike on both sides; the tidy workbook is written the same way at any size."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from test_runs import clone_round

from auditkit import pipeline, workers
from auditkit.errors import EnvironmentProblem
from auditkit.events import (
    FileDone,
    FileRejected,
    FileStarted,
    OutputDone,
    OutputFailed,
    StageFinished,
    StageStarted,
)
from auditkit.paths import sample_audits_dir
from auditkit.pipeline import process_files, run_round, run_summary, write_outputs
from auditkit.questionnaire.loader import default_questionnaire


@pytest.fixture(scope="module")
def sample_round(tmp_path_factory) -> Path:
    """The six sample workbooks and one that is not a workbook at all."""
    folder = tmp_path_factory.mktemp("round") / "round"
    shutil.copytree(sample_audits_dir(), folder)
    (folder / "zz_broken.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    return folder


def summarize(folder: Path, out: Path, jobs: int, **kw):
    events: list = []
    summary, outputs = run_summary([folder], out, "cs", jobs, events=events.append, **kw)
    return summary, outputs, events


@pytest.fixture(scope="module")
def both(sample_round, tmp_path_factory):
    """The sample round summarised with one job (in this process) and with two (a pool)."""
    root = tmp_path_factory.mktemp("both")
    return {jobs: summarize(sample_round, root / str(jobs), jobs) for jobs in (1, 2)}


def test_in_process_and_pool_write_the_same_outputs(both):
    one, two = (both[j][1] for j in (1, 2))
    assert one.summary_json.read_text(encoding="utf-8") == two.summary_json.read_text(encoding="utf-8")
    assert one.tidy_xlsx.read_bytes() == two.tidy_xlsx.read_bytes()
    assert [p.name for p in one.reports] == [p.name for p in two.reports] and len(one.reports) == 6
    assert [p.name for p in one.plans] == [p.name for p in two.plans]


def test_in_process_and_pool_tell_the_same_events(both):
    assert both[1][2] == both[2][2]


def test_events_tell_every_stage_file_and_report(both):
    summary, outputs, events = both[1]
    stages = [e.stage for e in events if isinstance(e, StageStarted)]
    assert stages == ["workbooks", "summary", "tidy", "json", "summary_pdf", "opendata", "reports"]
    assert stages == [e.stage for e in events if isinstance(e, StageFinished)]
    files = sorted(p.name for p in sample_audits_dir().glob("*.xlsx")) + ["zz_broken.xlsx"]
    assert sorted(Path(e.file).name for e in events if isinstance(e, FileStarted)) == files
    done = {e.file for e in events if isinstance(e, FileDone)}
    rejected = {Path(e.file).name: e.errors for e in events if isinstance(e, FileRejected)}
    assert done == {s.file for s in summary.services} and set(rejected) == {"zz_broken.xlsx"}
    assert rejected["zz_broken.xlsx"] >= 1
    for e in events:  # each file started before its outcome
        if isinstance(e, FileDone | FileRejected):
            assert events.index(FileStarted(e.file)) < events.index(e)
    reports = [e.name for e in events if isinstance(e, OutputDone) and e.stage == "reports"]
    assert reports == [f"reports/{p.name}" for p in outputs.reports]
    total = next(e.total for e in events if isinstance(e, StageStarted) and e.stage == "workbooks")
    assert total == len(files)


def test_a_failing_workbook_task_is_contained_alike_on_both_sides(sample_round, monkeypatch, tmp_path):
    """The workers are forked after the patch, so it holds there too."""
    real = pipeline.process_one

    def broken(path, name, lang, score=True):
        if Path(name).name.startswith("ad_kotva"):
            raise RuntimeError("boom")
        return real(path, name, lang, score)

    monkeypatch.setattr(pipeline, "process_one", broken)
    got = {}
    for jobs in (1, 2):
        results, scored = process_files([sample_round], "cs", jobs)
        got[jobs] = [(r.file, r.status, [f.code for f in r.findings]) for r in results], [s.file for s in scored]
    assert got[1] == got[2]
    kotva = [r for r in got[1][0] if Path(r[0]).name.startswith("ad_kotva")]
    assert kotva and all(status == "invalid" and codes == ["internal_error"] for _, status, codes in kotva)
    assert len(kotva) == 1 and not any(Path(f).name.startswith("ad_kotva") for f in got[1][1])
    assert len(got[1][1]) == 5


def test_a_failing_report_is_contained_alike_on_both_sides(sample_round, monkeypatch, tmp_path):
    from auditkit.reports import provider_pdf

    real = provider_pdf.write_provider_report
    victim = default_service(sample_round)

    def broken(audit, scored, *args, **kw):
        if scored.service.service_id == victim:
            raise RuntimeError("no report for you")
        return real(audit, scored, *args, **kw)

    monkeypatch.setattr(provider_pdf, "write_provider_report", broken)
    seen = {}
    for jobs in (1, 2):
        _, outputs, events = summarize(sample_round, tmp_path / str(jobs), jobs)
        failed = [e.name for e in events if isinstance(e, OutputFailed)]
        seen[jobs] = ([f.code for f in outputs.failures], failed, [p.name for p in outputs.reports])
        assert len(outputs.reports) == 5 and [f.code for f in outputs.failures] == ["output_failed"]
        assert len(failed) == 1 and failed[0].startswith(f"reports/{victim}_")
        assert not list((tmp_path / str(jobs) / "reports").glob(f"{victim}_*"))  # neither report nor plan
    assert seen[1] == seen[2]


@pytest.mark.parametrize(("module", "writer"), [("auditkit.reports.provider_pdf", "write_provider_report"),
                                              ("auditkit.tidy", "write_tidy")])
def test_a_disk_error_in_an_output_fails_the_run_on_both_sides(sample_round, monkeypatch, tmp_path, module,
                                                               writer):
    """A report (written in the reports' pool) or the tidy workbook (in the round outputs' pool)."""
    import importlib

    def full(*args, **kw):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(importlib.import_module(module), writer, full)
    for jobs in (1, 2):
        out = tmp_path / str(jobs)
        with pytest.raises(EnvironmentProblem) as err:
            summarize(sample_round, out, jobs)
        assert err.value.key == "disk_full"
        assert not out.exists()  # all or nothing: --out never appeared


def test_the_round_outputs_are_written_side_by_side_and_contained_alike(sample_round, monkeypatch, tmp_path):
    """With two jobs the round's own outputs (tidy workbook, JSON, both summary PDFs, open data) are written
    by a pool; a failing summary PDF edition is contained the same way as in this process, and told as
    the same events."""
    from auditkit.reports import summary_pdf

    real = summary_pdf.write_summary_pdf
    pools = []

    class Recorded(workers.Pool):
        def __init__(self, context, jobs):
            super().__init__(context, jobs)
            pools.append(type(context).__name__)

    def broken(summary, q, lang="cs", out="summary.pdf", *, anonymous=False):
        if anonymous:
            raise ValueError("simulated layout failure")
        return real(summary, q, lang, out, anonymous=anonymous)

    monkeypatch.setattr(summary_pdf, "write_summary_pdf", broken)
    monkeypatch.setattr(workers, "Pool", Recorded)
    seen = {}
    for jobs in (1, 2):
        events: list = []
        _, outputs = run_summary([sample_round], tmp_path / str(jobs), "cs", jobs, reports=False,
                                 events=events.append)
        assert [(f.code, Path(f.file).name) for f in outputs.failures] == [("output_failed", "summary-anonymni.pdf")]
        assert outputs.summary_pdf.exists() and not (tmp_path / str(jobs) / "summary-anonymni.pdf").exists()
        assert outputs.opendata is not None and outputs.opendata.exists()
        seen[jobs] = [e for e in events if not isinstance(e, FileStarted | FileDone | FileRejected)]
        assert OutputFailed("summary_pdf", "summary-anonymni.pdf") in events
    assert seen[1] == seen[2]
    assert pools == ["_Check", "_RoundOutputs"]  # jobs 2: the workbooks' pool, then the outputs'


def default_service(folder: Path) -> str:
    _, scored = process_files([folder], "cs", 1)
    return scored[0].service.service_id


QUESTIONS = sum(len(a.questions) for a in default_questionnaire().areas)


@pytest.mark.parametrize("n", [0, 1, 250])
def test_the_tidy_workbook_is_written_one_way_at_any_size(tmp_path, n):
    """No size switches the writer (a forked child once wrote it from 200 services up): 0, 1 and 250
    services, in this process and in a pool, give the same workbook with every answer of every service."""
    folder = clone_round(tmp_path / "round", n) if n else tmp_path / "round"
    if not n:
        folder.mkdir()
        (folder / "broken.xlsx").write_bytes(b"not a workbook")
    outs = {jobs: run_summary([folder], tmp_path / f"out{jobs}", "cs", jobs, reports=False, open_data=False)[1]
            for jobs in (1, 2)}
    assert outs[1].tidy_xlsx.read_bytes() == outs[2].tidy_xlsx.read_bytes()
    data = json.loads(outs[1].summary_json.read_text(encoding="utf-8"))
    assert len(data["services"]) == n
    answers = list(openpyxl.load_workbook(outs[1].tidy_xlsx, read_only=True)["answers"].iter_rows(values_only=True))
    assert len(answers) == 1 + n * QUESTIONS


def test_a_library_caller_holding_the_audits_gets_the_same_outputs(tmp_path):
    """write_outputs without a spool parks the results' audits itself: the same tidy workbook and reports."""
    summary, results = run_round([sample_audits_dir()], "cs")
    assert all(r.audit is not None for r in results if r.status == "valid")
    library = write_outputs(summary, results, tmp_path / "lib", "cs", jobs=2)
    command = run_summary([sample_audits_dir()], tmp_path / "cmd", "cs", 1)[1]
    assert library.tidy_xlsx.read_bytes() == command.tidy_xlsx.read_bytes()
    assert [p.name for p in library.reports] == [p.name for p in command.reports]


def test_a_caller_running_threads_gets_spawned_workers_and_the_same_outputs(both, sample_round, tmp_path,
                                                                           monkeypatch):
    """A library caller with a thread of its own: the pools spawn fresh interpreters (the stage's context
    is pickled to them) instead of forking, and the outputs are the same."""
    import threading

    from auditkit import workers

    methods = []

    class Recorded(workers.Pool):
        def __init__(self, context, jobs):
            super().__init__(context, jobs)
            methods.append(self.start_method)

    monkeypatch.setattr(workers, "Pool", Recorded)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        _, outputs, events = summarize(sample_round, tmp_path / "threads", 2)
    finally:
        stop.set()
        thread.join()
    one = both[1][1]
    assert outputs.summary_json.read_text(encoding="utf-8") == one.summary_json.read_text(encoding="utf-8")
    assert outputs.tidy_xlsx.read_bytes() == one.tidy_xlsx.read_bytes()
    assert [p.name for p in outputs.reports] == [p.name for p in one.reports]
    assert events == both[1][2]
    assert methods == ["spawn", "spawn", "spawn"]  # the workbooks' pool, the round outputs' and the reports'


def test_the_cycle_stages_are_told_in_order(tmp_path):
    """With a previous round and returned plans: their stages come before and after the workbooks."""
    from auditkit.paths import sample_previous_dir, sample_replies_dir

    events: list = []
    run_summary([sample_audits_dir()], tmp_path / "out", "cs", 1, reports=False, open_data=False,
                events=events.append, previous=sample_previous_dir(), replies=sample_replies_dir())
    started = [e.stage for e in events if isinstance(e, StageStarted)]
    assert started == ["previous", "workbooks", "summary", "replies", "tidy", "json", "summary_pdf"]
    assert started == [e.stage for e in events if isinstance(e, StageFinished)]
    files = [e for e in events if isinstance(e, FileStarted)]
    assert len(files) == 6  # the previous round and the plans are read, but only this round's files are told
