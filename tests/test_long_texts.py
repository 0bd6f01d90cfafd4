"""Text of any length renders in both PDFs, and one failing report never stops the round (docs/security.md).

The property test feeds generated texts (any length up to a cell's 32,767 characters, any alphabet,
unbroken strings) as an auditor's comments and evidence, a service name and a provider into the provider
report and the summary PDF, and reads the PDFs back: written, every word on the page, a cut text followed
by the note saying where the whole text is.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from auditkit.paths import sample_audits_dir
from auditkit.pipeline import run_summary, score_results
from auditkit.questionnaire.loader import default_questionnaire
from auditkit.reports import provider_pdf, summary_pdf
from auditkit.summary import benchmark, summarize_round
from auditkit.validation.batch import validate_paths

A4_WIDTH, A4_HEIGHT = 595.28, 841.89
CELL_MAX = 32_767
HAS_POPPLER = shutil.which("pdftotext") is not None


@pytest.fixture(scope="module")
def q():
    return default_questionnaire()


@pytest.fixture(scope="module")
def round_results():
    return validate_paths([sample_audits_dir()])


def words_off_the_page(pdf: Path) -> list[tuple[int, str]]:
    """Every word pdftotext places (partly) outside the A4 page, with its page number."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True).stdout
    out = out.decode("utf-8", errors="replace")
    bad, page = [], 0
    for line in out.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">(.*)</word>', line)
        if m:
            x0, y0, x1, y1 = map(float, m.groups()[:4])
            if x0 < -0.5 or y0 < -0.5 or x1 > A4_WIDTH + 0.5 or y1 > A4_HEIGHT + 0.5:
                bad.append((page, m.group(5)[:40]))
    return bad


def with_texts(result, comment: str, name: str):
    """The result's audit with ``comment`` on the answers that raise a finding (so it is quoted as evidence)
    and on A01, and ``name`` as the service name and provider."""
    audit = result.audit
    (scored,) = score_results([result])
    chosen = {f.question_id for f in scored.findings if f.question_id} | {"A01"}
    answers = {k: (a.model_copy(update={"comment": comment}) if k in chosen else a)
               for k, a in audit.answers.items()}
    service = audit.service.model_copy(update={"service_name": name, "provider": name})
    audit = audit.model_copy(update={"answers": answers, "service": service})
    return result.model_copy(update={"audit": audit, "service": service})


def render_both(q, results, comment: str, name: str, folder: Path) -> tuple[Path, Path]:
    """Both PDFs of the sample round, the first service with a finding on a question given the texts."""
    results = list(results)
    index = next(i for i, s in enumerate(score_results(results)) if any(f.question_id for f in s.findings))
    results[index] = with_texts(results[index], comment, name)
    scored = score_results(results)
    summary = summarize_round(q, scored, results)
    own = next(s for s in scored if s.file == results[index].file)
    assert own.findings, "the edited service must have findings, so its evidence is quoted"
    report = provider_pdf.write_provider_report(results[index].audit, own, benchmark(q, scored), q, "cs",
                                                folder / "provider.pdf")
    return report, summary_pdf.write_summary_pdf(summary, q, "en", folder / "summary.pdf")


def check_pdf(path: Path, whole: str) -> str:
    text = "".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    assert text
    if HAS_POPPLER:
        assert words_off_the_page(path) == []
    return text


# one fragment of any alphabet (no surrogates: a workbook cannot hold them), repeated up to a cell's size
_fragment = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40)
texts = st.one_of(
    _fragment,
    st.builds(lambda f, n: (f * n)[:CELL_MAX], _fragment, st.integers(1, 2_000)),
    st.builds(lambda c, n: c * n, st.characters(exclude_categories=("Cs", "Zs", "Cc")), st.integers(100, CELL_MAX)),
)
names = st.one_of(st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=300),
                  st.builds(lambda c, n: c * n, st.sampled_from("WXšm"), st.integers(60, 300)))


@settings(max_examples=10, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking:
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # a case takes ~1 s
@given(comment=texts, name=names)
def test_any_text_renders_in_both_reports(tmp_path_factory, q, round_results, comment, name):
    folder = tmp_path_factory.mktemp("long")
    report, summary = render_both(q, round_results, comment, name, folder)
    check_pdf(report, comment)
    check_pdf(summary, comment)


@pytest.mark.parametrize("comment", [
    "Zápis z porady. " * 190,  # ~3,000 characters: 1.5 standard pages of evidence
    ("Zápis z porady. " * 2_100)[:CELL_MAX],  # a full cell
    "x" * 1_500,  # no space to break at
])
def test_long_evidence_flows_or_is_cut_with_a_note(tmp_path, q, round_results, comment):
    report, summary = render_both(q, round_results, comment, "Azylový dům " + "Dlouhý název " * 14, tmp_path)
    provider_text = check_pdf(report, comment)
    summary_text = " ".join(check_pdf(summary, comment).split())
    if len(comment) > provider_pdf.COMMENT_CHARS:
        assert "summary.xlsx" in " ".join(provider_text.split())
    if len(comment) > summary_pdf.EVIDENCE_CHARS:
        assert "the full text" in summary_text and "summary.xlsx" in summary_text
    else:
        assert "the full text" not in summary_text


def test_a_300_character_name_stays_in_the_header(tmp_path, q, round_results):
    name = "Azylový dům " + "W" * 288
    report, summary = render_both(q, round_results, "Doloženo.", name, tmp_path)
    for pdf in (report, summary):
        check_pdf(pdf, "")
    first_line = PdfReader(str(report)).pages[2].extract_text().splitlines()[0]
    assert "…" in first_line  # the running header shortens the name with an ellipsis


# -- one failing report is contained --------------------------------------------------------------------
_FAULTY = r"""
import sys
from auditkit.reports import provider_pdf
real, victim = provider_pdf.write_provider_report, sys.argv[1]

def faulty(audit, scored, *args, **kw):
    if scored.service.service_id == victim:
        raise RuntimeError("simulated layout failure")
    return real(audit, scored, *args, **kw)

provider_pdf.write_provider_report = faulty
sys.argv = ["auditkit", *sys.argv[2:]]
from auditkit.cli import main
main()
"""


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_failing_report_is_an_entry_and_the_rest_is_written(tmp_path, round_results, jobs):
    victim = next(r for r in round_results if r.status == "valid")
    out = tmp_path / "out"
    env = dict(os.environ, COLUMNS="200", PYTHONIOENCODING="utf-8")
    proc = subprocess.run([sys.executable, "-c", _FAULTY, victim.service.service_id, "summarize",
                           str(sample_audits_dir()), "--out", str(out), "--json", "--jobs", jobs, "--lang", "en"],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    data = json.loads(proc.stdout)
    (failure,) = data["failed_outputs"]
    assert (failure["code"], failure["file"]) == ("output_failed", victim.file)
    assert "simulated layout failure" in failure["message"]
    assert victim.file in proc.stderr  # named to the person too
    reports = sorted(p.name for p in (out / "reports").glob("*.pdf"))
    assert len(reports) == 5 and not any(p.startswith(victim.service.service_id) for p in reports)
    assert {"summary.pdf", "summary.xlsx", "summary.json"} <= {p.name for p in out.iterdir()}


def test_a_failing_summary_pdf_is_contained(tmp_path, monkeypatch):
    def broken(*args, **kw):
        raise ValueError("simulated")

    monkeypatch.setattr(summary_pdf, "write_summary_pdf", broken)
    _, outputs = run_summary([sample_audits_dir()], tmp_path / "out", "en", jobs=1, reports=False)
    assert [(f.code, Path(f.file).name) for f in outputs.failures] == [
        ("output_failed", "summary.pdf"), ("output_failed", "summary-anonymni.pdf")]  # both editions failed
    assert all(Path(f.file).parent == tmp_path / "out" for f in outputs.failures)  # named where it would be
    assert (tmp_path / "out" / "summary.json").exists() and (tmp_path / "out" / "summary.xlsx").exists()
