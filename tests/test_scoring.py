"""Scoring on hand-built audits with known results, indicators, and aggregation checked independently."""

from __future__ import annotations

import statistics

import pytest

from auditkit import formula
from auditkit.scoring import score_audit
from auditkit.summary import benchmark, quartile_position, summarize_round
from auditkit.validation.models import Answer, Audit, ServiceInfo


def _best_value(q, item, best: bool):
    if item.kind in ("yes_no", "yes_partly_no", "scale_0_3", "choice"):
        options = [o for o in q.options_for(item) if o.score is not None] or list(q.options_for(item))
        pick = max if best else min
        return pick(options, key=lambda o: o.score or 0).id
    if item.kind in ("integer", "decimal", "percent"):
        if item.score_bands:
            band = max(item.score_bands, key=lambda b: b.score) if best else min(item.score_bands, key=lambda b: b.score)
            idx = item.score_bands.index(band)
            lo = item.score_bands[idx - 1].upto if idx else (item.min or 0)
            hi = band.upto if band.upto is not None else (item.max if item.max is not None else lo + 10)
            value = hi if band.upto is not None else min(hi, lo + 1)
            return int(value) if item.kind == "integer" else float(value)
        return 1
    if item.kind == "multi_choice":
        if best:
            return [o.id for o in item.options]
        unscored = [o.id for o in item.options if o.score is None]
        return unscored[:1] or [item.options[0].id]
    return "text"


def make_audit(q, best: bool = True, overrides: dict | None = None, records: dict | None = None) -> Audit:
    answers = {}
    for area in q.areas:
        for item in area.questions:
            value = _best_value(q, item, best)
            status = "answered"
            if overrides and item.id in overrides:
                value = overrides[item.id]
                if value in ("na", "not_evidenced"):
                    status, value = value, None
            answers[item.id] = Answer(question_id=item.id, status=status, value=value, comment=f"doklad {item.id}",
                                      sheet=area.sheet.cs, cell="C5")
    if records is None:
        good = best
        records = {
            "staff": [{"role": "sw", "fte": 1.0, "reception_hours": 0 if good else 30, "training_hours": 30 if good else 8},
                      {"role": "pss", "fte": 1.0, "reception_hours": 0 if good else 30, "training_hours": 30 if good else 8}],
            "files": [{"code": "K01", "months_of_stay": 6, "contract_individualised": "yes" if good else "no",
                       "plan_reviewed": "yes" if good else "no", "housing_goal": "yes" if good else "no"}],
            "departures": [{"destination": "own_rental" if good else "street", "count": 4}],
        }
    answers["C02"] = answers["C02"].model_copy(update={"value": 10 if best else 40})
    answers["C03"] = answers["C03"].model_copy(update={"value": 1.0})
    answers["E03"] = answers["E03"].model_copy(update={"value": 40 if best else 2})
    return Audit(file="x.xlsx", sha256="0" * 64, questionnaire_id=q.id, questionnaire_version=q.version, language="cs",
                 service=ServiceInfo(service_name="AD Test", service_id="1234567"), answers=answers, records=records)


def test_all_best_is_good_practice_everywhere(questionnaire):
    scored = score_audit(questionnaire, make_audit(questionnaire, best=True))
    for area in scored.areas.values():
        assert area.score == pytest.approx(100), area
        assert area.verdict == "good", area
    assert scored.findings == []
    assert scored.process_index == pytest.approx(100)
    assert scored.outcome_index == pytest.approx(100)


def test_all_worst_is_serious_everywhere(questionnaire):
    scored = score_audit(questionnaire, make_audit(questionnaire, best=False))
    for area in scored.areas.values():
        assert area.score == pytest.approx(0), area
        assert area.verdict == "serious", area
    assert scored.process_index == pytest.approx(0)
    assert scored.outcome_index == pytest.approx(0)
    facts = [f.fact for f in scored.findings]
    assert {f.area for f in scored.findings} == {a.id for a in questionnaire.areas}  # findings in every area
    assert {"supervision_frequency", "reception", "households_per_sw", "training"} <= set(facts)
    assert len(facts) == len(set(facts))  # one fact, one finding
    flag = next(f for f in scored.findings if f.fact == "supervision_frequency")
    assert flag.area == "supervision" and flag.basis == "threshold"
    assert {e.question_id for e in flag.sources} == {"E02", "E03"}  # both answers are its evidence
    assert "doklad E02" in {e.evidence for e in flag.sources}
    reception = next(f for f in scored.findings if f.fact == "reception")
    assert reception.basis == "no" and {e.indicator_id for e in reception.sources} >= {"reception_share"}


def test_na_is_excluded_and_not_evidenced_counts_zero(questionnaire):
    area = questionnaire.area("premises")
    na_all_but_first = {x.id: "na" for x in area.questions[1:]}
    scored = score_audit(questionnaire, make_audit(questionnaire, overrides={"I05": "na", "I06": "na"}))
    assert scored.areas["premises"].score == pytest.approx(100)
    assert scored.areas["premises"].not_applicable == 2

    # less than half of the area's weight assessable: no score, no verdict, and out of the process index
    scored = score_audit(questionnaire, make_audit(questionnaire, overrides=na_all_but_first))
    premises = scored.areas["premises"]
    assert (premises.score, premises.verdict, premises.assessable) == (None, None, False)
    assert premises.not_applicable == len(area.questions) - 1
    assert scored.process_areas == sum(a.kind == "process" for a in questionnaire.areas) - 1

    # I03 (weight 1) not evidenced among the premises items: score drops by its weight share
    scored = score_audit(questionnaire, make_audit(questionnaire, overrides={"I03": "not_evidenced"}))
    weights = {x.id: x.effective_weight for x in area.questions if x.effective_weight}
    expected = 100 * (sum(weights.values()) - weights["I03"]) / sum(weights.values())
    assert scored.areas["premises"].score == pytest.approx(expected)
    assert scored.areas["premises"].not_evidenced == 1
    assert any(f.question_id == "I03" for f in scored.findings)  # red flag: not evidenced counts


def test_partly_and_weights(questionnaire):
    scored = score_audit(questionnaire, make_audit(questionnaire, overrides={"A02": "partly"}))
    area = questionnaire.area("contract")
    weights = [x.effective_weight for x in area.questions if x.effective_weight and (x.kind != "percent" or x.score_bands)]
    expected = 100 * (sum(weights) - 2 * 0.5) / sum(weights)  # A02 has weight 2
    assert scored.areas["contract"].score == pytest.approx(expected)


def test_critical_red_flag_overrides_a_high_score(questionnaire):
    scored = score_audit(questionnaire, make_audit(questionnaire, overrides={"E01": "no"}))
    supervision = scored.areas["supervision"]
    assert supervision.score > 60
    assert supervision.critical_flags == 1
    assert supervision.verdict == "serious"


def test_one_red_flag_keeps_a_high_score_from_good_practice(questionnaire):
    scored = score_audit(questionnaire, make_audit(questionnaire, overrides={"I03": "no"}))
    premises = scored.areas["premises"]
    assert premises.score >= 80 and premises.red_flags == 1
    assert premises.verdict == "reserves"


def test_indicator_formulas(questionnaire):
    records = {
        "staff": [
            {"role": "sw", "fte": 1.0, "reception_hours": 0, "training_hours": 30},
            {"role": "sw", "fte": 0.5, "reception_hours": 10, "training_hours": 20},
            {"role": "pss", "fte": 1.0, "reception_hours": 20, "training_hours": 26},
            {"role": "manager", "fte": 1.0, "reception_hours": 40, "training_hours": 0},
        ],
        "files": [
            {"code": "K1", "months_of_stay": 3, "contract_individualised": "yes", "plan_reviewed": "yes", "housing_goal": "yes"},
            {"code": "K2", "months_of_stay": 9, "contract_individualised": "no", "plan_reviewed": "yes", "housing_goal": "no"},
            {"code": "K3", "months_of_stay": 14, "contract_individualised": "yes", "plan_reviewed": "no", "housing_goal": "yes"},
        ],
        "departures": [{"destination": "own_rental", "count": 3}, {"destination": "social_flat", "count": 2},
                       {"destination": "hostel", "count": 4}, {"destination": "street", "count": 1}],
    }
    audit = make_audit(questionnaire, records=records)
    ind = score_audit(questionnaire, audit).indicators
    c02, c03 = audit.answers["C02"].value, audit.answers["C03"].value
    assert ind["households_per_sw"] == pytest.approx(c02 / c03)
    assert ind["reception_share"] == pytest.approx(100 * 30 / (40 * 2.5))
    assert ind["training_short_workers"] == 1  # the SW with 20 h (24 h due; the manager is not counted)
    assert ind["supervision_hours_per_worker"] == pytest.approx(audit.answers["E03"].value)
    assert ind["housing_departures_share"] == pytest.approx(50)
    assert ind["street_departures_share"] == pytest.approx(10)
    assert ind["median_stay_months"] == 9
    assert ind["housing_goal_share"] == pytest.approx(200 / 3)
    assert ind["contract_individualised_share"] == pytest.approx(200 / 3)


def test_indicator_missing_inputs_give_none(questionnaire):
    audit = make_audit(questionnaire, overrides={"C03": "na"}, records={"staff": [], "files": [], "departures": []})
    ind = score_audit(questionnaire, audit).indicators
    assert ind["households_per_sw"] is None
    assert ind["housing_goal_share"] is None
    assert ind["median_stay_months"] is None
    assert ind["housing_departures_share"] is None


@pytest.mark.parametrize(
    ("text", "message"),
    [("__import__('os')", "unknown function"), ("C99 / 2", "unknown name 'C99'"), ("sum(staff.salary)", "no column"),
     ("share(files, housing_goal='maybe')", "not an option"), ("C02 ** 2", "not allowed"), ("lambda: 1", "not allowed"),
     ("C02 + 'x'", "only a filter value or a row condition"), ("count(staff, **staff)", "name=value")],
)
def test_formula_language_refuses_what_it_does_not_know(questionnaire, text, message):
    from auditkit.questionnaire.kinds import kind_of

    questions = {x.id for a in questionnaire.areas for x in a.questions}
    tables = {r.id: {c.id: ({o.id for o in questionnaire.options_for(c)} if kind_of(c).options_from != "none" else None)
                     for c in r.columns} for r in questionnaire.records}
    with pytest.raises(formula.FormulaError, match=message):
        formula.check(formula.parse(text), questions, tables)


def test_aggregation_against_an_independent_calculation(questionnaire):
    audits = [make_audit(questionnaire, best=b, overrides=o) for b, o in
              [(True, {}), (False, {}), (True, {"E02": 3}), (True, {"C05": "pss"}), (True, {"E01": "no"})]]
    scored = []
    for i, a in enumerate(audits):
        a = a.model_copy(update={"file": f"f{i}.xlsx", "service": ServiceInfo(service_name=f"AD {i}", service_id=f"100000{i}")})
        scored.append(score_audit(questionnaire, a))
    summary = summarize_round(questionnaire, scored, [])
    for area in questionnaire.areas:
        values = sorted(s.areas[area.id].score for s in scored)
        st = summary.area_stats[area.id]
        assert st.median == pytest.approx(statistics.median(values))
        assert (st.min, st.max) == (pytest.approx(values[0]), pytest.approx(values[-1]))
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
        assert (st.q1, st.q3) == (pytest.approx(q1), pytest.approx(q3))
    counts = {x.key: x.count for x in summary.systemic}
    assert counts["supervision_frequency"] == 2  # the worst audit and E02 = 3
    assert counts["reception"] == 2
    assert summary.services[0].file != "f1.xlsx"  # ranking: worst is not first
    assert summary.services[-1].file == "f1.xlsx"
    bench = benchmark(questionnaire, scored)
    assert not bench.suppressed and bench.n == 5
    assert benchmark(questionnaire, scored[:4]).suppressed
    assert quartile_position(100, bench.areas["contract"]) == 1
    assert quartile_position(0, bench.areas["contract"]) == 4


# -- what a finding rests on (basis), one fact one finding, explained verdicts --------------------------


def _critical_items(q):
    return [x for a in q.areas for x in a.questions if x.critical and x.red_flag is not None]


def test_not_evidenced_on_a_critical_item_is_a_not_evidenced_finding_not_a_critical_one(questionnaire):
    from auditkit.texts import recommendations

    rec = recommendations(questionnaire)
    for item in _critical_items(questionnaire):
        scored = score_audit(questionnaire, make_audit(questionnaire, overrides={item.id: "not_evidenced"}))
        flag = next(f for f in scored.findings if f.question_id == item.id)
        assert (flag.basis, flag.critical, flag.key) == ("not_evidenced", False, f"{flag.fact}.not_evidenced")
        assert rec(f"{flag.key}.title", "cs").startswith("Nebylo doloženo, že ")
        assert rec(f"{flag.key}.title", "en").startswith("It was not evidenced that ")
        area = scored.areas[flag.area]
        assert area.critical_flags == 0 and area.verdict != "good"


def test_partly_on_a_critical_item_is_not_an_unmet_key_criterion(questionnaire):
    for qid in ("A01", "B01"):
        scored = score_audit(questionnaire, make_audit(questionnaire, overrides={qid: "partly"}))
        flag = next(f for f in scored.findings if f.question_id == qid)
        assert flag.basis == "partly" and not flag.critical
        area = scored.areas[flag.area]
        assert area.critical_flags == 0 and area.verdict == "reserves", area


def test_no_on_a_critical_item_is_critical(questionnaire):
    for item in _critical_items(questionnaire):
        if item.derived_from is not None:
            continue  # C08 comes from the staff sheet when it is filled
        scored = score_audit(questionnaire, make_audit(questionnaire, overrides={item.id: "no"}))
        flag = next(f for f in scored.findings if f.question_id == item.id)
        assert flag.basis == "no" and flag.critical, item.id
        assert scored.areas[flag.area].verdict == "serious"


def test_advisory_voice_and_a_wording_for_every_basis(questionnaire):
    from auditkit.texts import recommendations

    rec = recommendations(questionnaire)  # raises when a basis's wording is missing
    for fact, bases in questionnaire.fact_bases().items():
        for basis in bases - {"not_evidenced"}:
            cs = rec(f"{fact}.{basis}.text", "cs")
            en = rec(f"{fact}.{basis}.text", "en")
            assert "Doporučujeme" in cs and "recommend" in en, (fact, basis)


def test_a_missing_basis_wording_fails_at_load(questionnaire, tmp_path):
    import shutil

    from auditkit.texts import TextError, recommendations, texts

    shutil.copytree(texts("recommendations").path.parent, tmp_path / "t")
    path = tmp_path / "t" / "recommendations.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  partly:\n    title: {cs: \"Pomoc je někdy")
    end = text.index("aid_logistics_time:")
    path.write_text(text[:start] + "\n" + text[end:], encoding="utf-8")
    with pytest.raises(TextError, match=r"aid_conditional\.partly\.title"):
        recommendations(questionnaire, str(tmp_path / "t"))


def test_critical_na_only_under_its_declared_condition(questionnaire):
    # N/A on a critical item without a condition counts as not evidenced
    scored = score_audit(questionnaire, make_audit(questionnaire, overrides={"A07": "na"}))
    assert scored.areas["contract"].not_evidenced == 1
    assert any(f.question_id == "A07" and f.basis == "not_evidenced" for f in scored.findings)
    # D03 may be N/A when the service gives no aid (D02 = none): area D then cannot be judged
    no_aid = {x.id: "na" for x in questionnaire.area("aid").questions if x.id not in ("D01", "D02", "D10")}
    scored = score_audit(questionnaire, make_audit(questionnaire, overrides={"D02": "none", **no_aid}))
    aid = scored.areas["aid"]
    assert (aid.verdict, aid.assessable, aid.not_evidenced) == (None, False, 0)
    # but not when it does
    scored = score_audit(questionnaire, make_audit(questionnaire, overrides={"D02": "team", "D03": "na"}))
    assert any(f.question_id == "D03" and f.basis == "not_evidenced" for f in scored.findings)


def test_lost_points_explain_every_verdict_below_good(questionnaire):
    scored = score_audit(questionnaire, make_audit(questionnaire, overrides={"G03": "partly", "G05": "no", "G04": "not_evidenced"}))
    children = scored.areas["children"]
    lost = {(x.question_id, x.status) for x in children.lost}
    assert lost == {("G03", "partly"), ("G05", "no"), ("G04", "not_evidenced")}
    assert sum(x.points_lost for x in children.lost) == pytest.approx(100 - children.score, abs=0.05)


def test_multiple_choice_red_flags_any_all_not_all(questionnaire):
    from auditkit.questionnaire.models import RedFlag
    from auditkit.scoring import flag_hit

    chosen = ["casework", "housing"]
    assert flag_hit(RedFlag(answer_in=("casework", "networking")), chosen)
    assert not flag_hit(RedFlag(answer_in=("casework", "networking"), match="all"), chosen)
    assert flag_hit(RedFlag(answer_in=("casework", "networking"), match="not_all"), chosen)
    assert not flag_hit(RedFlag(answer_in=("casework",), match="not_all"), chosen)
    # C12: the multidisciplinary competences are scored and raise a finding when one is missing
    scored = score_audit(questionnaire, make_audit(questionnaire, overrides={"C12": ["casework", "networking"]}))
    flag = next(f for f in scored.findings if f.question_id == "C12")
    assert flag.fact == "multidisciplinary_competences" and flag.basis == "no"
    assert any(x.question_id == "C12" for x in scored.areas["staffing"].lost)


def test_training_comes_from_the_staff_sheet_with_the_legal_rules(questionnaire):
    def audit(staff, c08="yes"):
        return make_audit(questionnaire, overrides={"C08": c08}, records={
            "staff": staff, "files": [], "departures": [{"destination": "own_rental", "count": 1}]})

    lawful = [
        {"role": "sw", "fte": 1.0, "reception_hours": 0, "training_hours": 24},
        {"role": "pss", "fte": 1.0, "reception_hours": 0, "training_hours": 12, "duty_months": 6},  # joined in July
        {"role": "pss", "fte": 1.0, "reception_hours": 0, "training_hours": 0, "duty_months": 0},  # in probation
        {"role": "other", "fte": 1.0, "reception_hours": 0, "training_hours": 0},  # the duty is not theirs
    ]
    scored = score_audit(questionnaire, audit(lawful, c08="no"))  # the typed "no" is overridden by the sheet
    assert scored.indicators["training_short_workers"] == 0
    assert not any(f.fact == "training" for f in scored.findings)
    short = [*lawful, {"role": "pss", "fte": 0.5, "reception_hours": 0, "training_hours": 16}]
    scored = score_audit(questionnaire, audit(short, c08="yes"))
    flag = next(f for f in scored.findings if f.fact == "training")
    assert (flag.basis, flag.critical, flag.indicator_id) == ("indicator", True, "training_short_workers")


def test_zero_social_worker_fte_is_a_finding(questionnaire):
    audit = make_audit(questionnaire)
    audit.answers["C03"] = audit.answers["C03"].model_copy(update={"value": 0.0})
    scored = score_audit(questionnaire, audit)
    assert scored.indicators["households_per_sw"] is None  # no division by zero …
    flag = next(f for f in scored.findings if f.fact == "sw_missing")
    assert flag.basis == "indicator" and flag.area == "staffing"


def test_monthly_team_supervision_is_not_flagged(questionnaire):
    # 12 two-hour team sessions: every participant has 24 h
    scored = score_audit(questionnaire, make_audit(questionnaire, overrides={"E02": 12, "E03": 24.0}))
    assert not any(f.fact == "supervision_frequency" for f in scored.findings)
