"""Over many generated fills (samples.py, with answers mixed to not evidenced, N/A and partly): one finding
per fact, every verdict below good explained, critical only when established, and no figure a finding
rests on contradicting the record sheets. A smaller round goes through workbooks, validation and the
provider report."""

from __future__ import annotations

import random

import pytest
from pypdf import PdfReader

from auditkit.questionnaire.models import ESTABLISHED
from auditkit.samples import Profile, _facts, answers_for, records_for, varied_profile, write_audit
from auditkit.scoring import effective_answers, score_audit
from auditkit.summary import benchmark, summarize_round
from auditkit.validation.models import Answer, Audit, ServiceInfo

N_FILLS = 150


def _mixed_audit(q, i: int) -> Audit:
    base = varied_profile(i)
    p = Profile(**{**base.__dict__, "facts": _facts(q, base)})
    rng = random.Random(f"mix:{i}")
    values, comments = answers_for(q, p, rng)
    records = records_for(p, rng)
    answers = {}
    for area in q.areas:
        for item in area.questions:
            status, value = "answered", values[item.id]
            draw = rng.random()
            if draw < 0.07:
                status, value = "not_evidenced", None
            elif draw < 0.10 and item.na_allowed and not item.critical:
                status, value = "na", None
            elif draw < 0.16 and item.kind == "yes_partly_no":
                value = "partly"
            answers[item.id] = Answer(question_id=item.id, status=status, value=value, comment=comments.get(item.id),
                                      sheet=area.sheet.cs, cell="C5")
    return Audit(file=f"{p.slug}.xlsx", sha256=f"{i:064d}", questionnaire_id=q.id, questionnaire_version=q.version,
                 language="cs", service=ServiceInfo(service_name=p.name, service_id=p.service_id),
                 answers=answers, records=records)


@pytest.fixture(scope="module")
def fills(questionnaire):
    audits = [_mixed_audit(questionnaire, i) for i in range(N_FILLS)]
    return [(a, score_audit(questionnaire, a)) for a in audits]


def test_one_fact_one_finding(fills):
    for _, s in fills:
        facts = [f.fact for f in s.findings]
        assert len(facts) == len(set(facts)), s.service.service_name
        for f in s.findings:
            assert f.key == f"{f.fact}.{f.basis}" and f.sources and f.sources[0].basis == f.basis


def test_every_verdict_below_good_is_explained(fills, questionnaire):
    seen = 0
    for _, s in fills:
        for area in s.areas.values():
            assert (area.verdict is None) == (not area.assessable) == (area.score is None)
            if area.verdict not in (None, "good"):
                assert area.lost, (s.service.service_name, area)
                seen += 1
            if area.score is not None:
                costed = sum(x.points_lost for x in area.lost)
                assert costed == pytest.approx(100 - area.score, abs=0.05)
    assert seen > N_FILLS  # the mix gives plenty of areas to explain


def test_critical_only_when_established(fills):
    for _, s in fills:
        for f in s.findings:
            if f.critical:
                assert f.basis in ESTABLISHED
        for name, area in s.areas.items():
            assert area.critical_flags == sum(f.critical for f in s.findings if f.area == name)


def test_findings_agree_with_the_record_sheets(fills, questionnaire):
    checked = 0
    for audit, s in fills:
        ind = s.indicators
        effective = effective_answers(questionnaire, audit, ind)
        training = next((f for f in s.findings if f.fact == "training"), None)
        c08 = audit.answers["C08"]
        if c08.status == "answered" and ind["training_short_workers"] is not None:
            # the staff sheet decides: a finding exactly when someone is short of the hours due
            assert (training is not None) == (ind["training_short_workers"] > 0)
            assert effective["C08"].value == ("no" if ind["training_short_workers"] > 0 else "yes")
            if training is not None:
                assert training.basis == "indicator" and training.critical
            checked += 1
        reception = next((f for f in s.findings if f.fact == "reception"), None)
        if ind["reception_share"] is not None and ind["reception_share"] > 30:
            assert reception is not None and "reception_share" in {e.indicator_id for e in reception.sources}
        supervision = next((f for f in s.findings if f.fact == "supervision_frequency"), None)
        e02, e03 = audit.answers["E02"], audit.answers["E03"]
        if e02.status == e03.status == "answered" and e02.value > 4 and e03.value >= 6:
            assert supervision is None
    assert checked > N_FILLS // 2


def test_systemic_findings_count_services(fills, questionnaire):
    summary = summarize_round(questionnaire, [s for _, s in fills], [])
    for x in summary.systemic:
        assert x.count == sum(any(f.fact == x.key for f in s.findings) for _, s in fills) <= x.n


def test_generated_workbooks_agree_with_their_sheets_and_reports_explain(tmp_path, questionnaire):
    from auditkit.reports.provider_pdf import write_provider_report
    from auditkit.validation.batch import validate_paths

    paths = [write_audit(questionnaire, varied_profile(i), tmp_path / f"fill_{i}.xlsx", seed=i) for i in range(8)]
    results = validate_paths(paths)
    for r in results:
        codes = {f.code for f in r.findings}
        assert r.status == "valid", [f.message for f in r.findings]
        assert not codes & {"answer_contradicts_records", "figure_differs_from_records", "records_inconsistent"}
    scored = [score_audit(questionnaire, r.audit) for r in results]
    bench = benchmark(questionnaire, scored)
    for r, s in list(zip(results, scored, strict=True))[:3]:
        pdf = write_provider_report(r.audit, s, bench, questionnaire, "cs", tmp_path / f"{s.service.service_id}.pdf")
        text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(str(pdf)).pages)
        explained = [a for a in s.areas.values() if a.verdict not in (None, "good")
                     and any(x.points_lost > 0 for x in a.lost)]
        assert text.count("Kde služba ztratila body") == len(explained)
        short = s.indicators["training_short_workers"]
        assert ("nemají povinné hodiny dalšího vzdělávání" in text) == bool(short)
