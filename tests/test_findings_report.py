"""The provider report as a provider reads it: findings worded by their basis, lost points explained,
thresholds labelled as the audit's calibration, no figure contradicting the record sheets (sample round)."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from auditkit.paths import sample_audits_dir
from auditkit.pipeline import score_results
from auditkit.questionnaire.loader import default_questionnaire
from auditkit.reports.provider_pdf import write_provider_report
from auditkit.summary import benchmark
from auditkit.texts import recommendations
from auditkit.validation.batch import validate_paths


@pytest.fixture(scope="module")
def q():
    return default_questionnaire()


@pytest.fixture(scope="module")
def round_(q):
    results = [r for r in validate_paths([sample_audits_dir()]) if r.status == "valid"]
    scored = score_results(results)
    return [r.audit for r in results], scored, benchmark(q, scored)


def _report(tmp_path, q, round_, name, lang="cs", change=None):
    audits, scored, bench = round_
    i = next(i for i, s in enumerate(scored) if name in s.service.service_name)
    audit, s = audits[i], scored[i]
    if change is not None:
        from auditkit.scoring import score_audit

        audit = change(audit)
        s = score_audit(q, audit)
    pdf = write_provider_report(audit, s, bench, q, lang, tmp_path / f"{lang}.pdf")
    return s, " ".join(" ".join(p.extract_text().split()) for p in PdfReader(str(pdf)).pages)


def test_kotva_explains_every_area_below_good_and_labels_thresholds(tmp_path, q, round_):
    s, text = _report(tmp_path, q, round_, "Kotva")
    below = [a for a in s.areas.values() if a.verdict not in (None, "good")]
    assert below and all(a.lost for a in below)
    assert "Kde služba ztratila body" in text
    assert f"(hodnocené oblasti: {s.process_areas} z 8)" in text  # the process index says what it stands on
    assert "Prahy pro zjištění" in text and "kalibrační práh auditu" in text
    for x in ("< 40 %", "> 30 %", "≤ 4", "< 6"):
        assert x in text
    # training: the staff sheet and the finding agree
    short = s.indicators["training_short_workers"]
    title = " ".join(recommendations(q)("training.indicator.title", "cs").split())
    assert (title in text) == bool(short)


def test_not_evidenced_finding_asserts_nothing_more(tmp_path, q, round_):
    def fees_not_evidenced(audit):
        answers = dict(audit.answers)
        answers["A07"] = answers["A07"].model_copy(update={"status": "not_evidenced", "value": None})
        return audit.model_copy(update={"answers": answers})

    s, text = _report(tmp_path, q, round_, "Jasmín", change=fees_not_evidenced)
    flag = next(f for f in s.findings if f.question_id == "A07")
    assert flag.basis == "not_evidenced" and not flag.critical
    assert "Nebylo doloženo, že úhrady za ubytování nepřekračují maxima" in text
    assert "překračují maxima podle" not in text.replace("nepřekračují", "")  # the negative is never asserted
    assert "vraťte" not in text and "Přeplatky" not in text
