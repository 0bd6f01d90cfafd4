"""The provider report: content, privacy, redaction, escaping, suppression, fonts — read back with pypdf."""

from __future__ import annotations

import re
from pathlib import Path

import pdfcheck
import pytest
from pypdf import PdfReader

import auditkit
from auditkit import texts as texts_mod
from auditkit.paths import report_templates_dir, sample_audits_dir
from auditkit.pipeline import score_results
from auditkit.plan import inclusion_areas, plan_rows
from auditkit.questionnaire.loader import default_questionnaire
from auditkit.reports.provider_pdf import finding_refs, write_provider_report
from auditkit.summary import benchmark
from auditkit.texts import TextError, load_texts, recommendations, texts
from auditkit.validation.batch import validate_paths

TITLE = {"cs": "Závěrečná zpráva z procesního auditu", "en": "Final report of the process audit"}
PERSONAL = "925315/1234 a jana@example.cz a +420 603 123 456"
PERSONAL_PARTS = ["925315/1234", "925315", "jana@example.cz", "example.cz", "603 123 456", "603123456"]
MARKUP = "<b>&<para>"


# ---------------------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def q():
    return default_questionnaire()


@pytest.fixture(scope="module")
def sample(q):
    results = validate_paths([sample_audits_dir()])
    audits = [r.audit for r in results if r.status == "valid"]
    scored = score_results(results)
    assert len(audits) == len(scored) == 6
    return audits, scored, benchmark(q, scored)


@pytest.fixture(scope="module")
def reports(tmp_path_factory, sample, q):
    """Every sample service in Czech, the first also in English: [(lang, audit, scored, PdfReader)]."""
    audits, scored, bench = sample
    folder = tmp_path_factory.mktemp("provider")
    out = []
    for audit, s in zip(audits, scored, strict=True):
        path = write_provider_report(audit, s, bench, q, "cs", folder / f"{Path(s.file).stem}.pdf")
        out.append(("cs", audit, s, PdfReader(str(path))))
    path = write_provider_report(audits[0], scored[0], bench, q, "en", folder / "en.pdf")
    out.append(("en", audits[0], scored[0], PdfReader(str(path))))
    return out


_PAGES: dict[int, tuple[PdfReader, list[str]]] = {}


def _pages(reader: PdfReader) -> list[str]:
    """Text per page, whitespace collapsed (extracted once per reader: pypdf is slow)."""
    if id(reader) not in _PAGES:
        _PAGES[id(reader)] = (reader, [" ".join(page.extract_text().split()) for page in reader.pages])
    return _PAGES[id(reader)][1]


def _text(reader: PdfReader) -> str:
    return " ".join(_pages(reader))


# ---------------------------------------------------------------------------------------------- content


def test_cover_names_own_service(reports):
    for lang, _, s, reader in reports:
        cover = _pages(reader)[0]
        assert s.service.service_name in cover
        assert s.service.service_id in cover
        assert s.service.provider in cover
        title = TITLE[lang]
        assert title in cover


def test_area_chapters_and_outline(reports, q):
    for lang, _, _, reader in reports:
        text, outline = _text(reader), pdfcheck.outline_titles(reader)
        for area in q.areas:
            assert area.title(lang) in text
            assert any(area.title(lang) in t for t in outline), (lang, area.id)
        if lang == "cs":
            for title in ("Závěr auditu", "Rozsah a vzorek auditu", "Souhrn výsledků", "Ukazatele",
                          "Plán opatření", "Slovníček pojmů"):
                assert title in outline


def test_known_findings_print_their_recommendation(reports, q):
    rec = recommendations(q)
    seen = 0
    for lang, _, s, reader in reports:
        text = _text(reader)
        for flag in s.findings:
            assert " ".join(rec(f"{flag.key}.title", lang).split()) in text
            seen += 1
    assert seen > 20  # the sample round has findings (Kotva alone has many)
    kotva = next(r for r in reports if r[2].service.service_name == "Azylový dům Kotva")
    assert "Recepci nebo vrátnici zajišťují pracovníci přímé péče" in _text(kotva[3])


def test_action_plan_lists_every_finding_in_priority_order(reports, q):
    """The closing chapter: the plan workbook's rows (auditkit.plan.plan_rows), every finding once, ranked
    1..n by the documented rule (key criterion, basis, weight, effect on inclusion), with the finding's label
    from the area chapters and the recommended measure; the provider's columns are empty."""
    inclusion = inclusion_areas()
    checked = 0
    for lang, _, s, reader in reports:
        if lang != "cs" or not s.findings:
            continue
        rows = plan_rows(q, s, "cs")
        refs = finding_refs(s, q)
        assert len(rows) == len(s.findings) and [r.number for r in rows] == list(range(1, len(rows) + 1))
        flags = {str(f.fact or f.key): f for f in s.findings}
        keys = [(not r.critical, (flags[r.fact].basis or "no") not in ("no", "threshold", "indicator"),
                 -(q.questions()[flags[r.fact].question_id][1].effective_weight
                   if flags[r.fact].question_id else 1.0), r.area not in inclusion) for r in rows]
        assert keys == sorted(keys)
        text = _text(reader)
        plan = text[text.index("Zjištění jsou seřazena podle priority"):text.rindex("Vydání zprávy")]
        for head in ("Pořadí", "Zjištění", "Doporučené opatření", "Vaše opatření", "Odpovídá", "Termín"):
            assert head in plan
        at = [plan.index(f"{r.number}. {refs[r.fact]} {' '.join(r.title.split())}") for r in rows]
        assert at == sorted(at)
        checked += 1
    assert checked >= 5


def test_page_one_is_the_conclusion(reports, q):
    for lang, _, s, reader in reports:
        page1 = _pages(reader)[0]
        rows = plan_rows(q, s, lang)
        words = {"cs": ("Závěr auditu", "Co řešit přednostně", "Silné stránky služby", "Co bude dál",
                        "(15 dnů od vydání)", "návrh k vyjádření poskytovatele", "Procesní index služby je"),
                 "en": ("Conclusion of the audit", "What to address first", "Strengths of the service",
                        "What happens next", "(15 days after issue)", "draft for the provider's comments",
                        "process index is")}[lang]
        for w in words:
            assert w in page1, (lang, w)
        assert "n = 6" in page1  # the regional figures say on how many services they rest
        shown = rows[:5]
        assert 3 <= len(shown) or len(shown) == len(s.findings)
        for r in shown:
            assert " ".join(r.title.split()) in page1
        refs = finding_refs(s, q)
        for r in rows[5:]:
            assert f"{refs[r.fact]})" not in page1
        assert re.search(r"Oblast „|Nejlépe hodnocenou|The area “|The best rated", page1)


def test_scope_and_sample_on_page_two(reports):
    for lang, _, s, reader in reports:
        page2 = _pages(reader)[1]
        assert ("Rozsah a vzorek auditu" if lang == "cs" else "Scope and sample of the audit") in page2
        if lang == "cs":
            assert f"{s.service.files_sampled} spis" in page2
            assert "rozhovor" in page2
    kotva = next(r for r in reports if r[2].service.service_name == "Azylový dům Kotva")
    assert "Sociální pracovnice byla v době auditu nemocná" in _pages(kotva[3])[1]


def test_signoff_and_date_of_issue_at_the_end(reports):
    for lang, _, s, reader in reports:
        if lang != "cs":
            continue
        text = _text(reader)
        end = text[text.rindex("Vydání zprávy"):]
        assert "Datum vydání:" in end and "podpis" in end
        for name in s.service.auditors.split(","):
            assert name.strip() in end


def test_answers_show_option_labels_and_units(reports):
    _, _, _, reader = reports[0]  # Jasmín: C01 capacity 48 beds, B04 on the 0–3 scale
    text = _text(reader)
    assert "48 lůžek" in text and "(lůžka)" not in text  # the unit agrees with its number (Babel)
    assert "3 ze 3" in text


def test_metadata(reports):
    for lang, _, s, reader in reports:
        meta = reader.metadata
        title = TITLE[lang]
        assert meta.title == f"{title} – {s.service.service_name}"
        assert meta.author == texts("common")("author", lang)
        assert s.service.service_id in meta.subject
        assert reader.trailer["/Root"]["/Lang"] == {"cs": "cs-CZ", "en": "en-GB"}[lang]


def test_page_numbers_header_and_reproducibility(reports):
    for lang, _, s, reader in reports:
        pages = _pages(reader)
        label = "Strana {} z {}" if lang == "cs" else "Page {} of {}"
        for n, page in enumerate(pages, start=1):
            assert label.format(n, len(pages)) in page
            assert s.service.service_name in page  # running header
        assert s.sha256[:12] not in " ".join(pages[:-3])  # technical references live in the method annex
        line = texts("common")("reproducibility", lang, version=auditkit.__version__,
                               qid=s.questionnaire_id, qversion=s.questionnaire_version, hash=s.sha256[:12])
        assert " ".join(line.split()) in " ".join(pages[-3:])


def test_regional_comparison_is_shown_when_not_suppressed(reports):
    _, _, _, reader = reports[0]
    text = _text(reader)
    assert "Medián kraje" in text
    assert "Srovnání s krajem vychází z údajů 6 auditovaných služeb" in text
    # n = 6 is below the documented n for quarters: positions in halves, in words
    assert "lepší polovina" in text or "horší polovina" in text
    assert "nejlepší čtvrtina" not in text and "nejslabší čtvrtina" not in text
    assert "Q1–Q3 kraje" in text and "Rozpětí" not in text and "min." not in text


# ---------------------------------------------------------------------------------------------- privacy


def test_no_other_provider_appears(reports):
    for _, _, own, reader in reports:
        text = _text(reader)
        for _, _, other, _ in reports:
            if other.service.service_id == own.service.service_id:
                continue
            for value in (other.service.service_name, other.service.provider, other.service.service_id,
                          Path(other.file).name):
                assert value not in text, (own.service.service_name, value)


def _with_comment(audit, scored, comment: str):
    """Copies where every auditor comment and every finding's evidence is ``comment``."""
    answers = {k: a.model_copy(update={"comment": comment}) for k, a in audit.answers.items()}
    findings = [f.model_copy(update={"evidence": comment}) if f.question_id else f for f in scored.findings]
    return audit.model_copy(update={"answers": answers}), scored.model_copy(update={"findings": findings})


def test_personal_data_is_redacted(tmp_path, sample, q):
    audits, scored, bench = sample
    audit, s = _with_comment(audits[1], scored[1], PERSONAL)
    assert s.findings
    reader = PdfReader(str(write_provider_report(audit, s, bench, q, "cs", tmp_path / "r.pdf")))
    text = _text(reader)
    raw = "".join(page.extract_text() for page in reader.pages)
    for part in PERSONAL_PARTS:
        assert part not in text and part not in raw
    assert "[rodné číslo] a [e-mail] a [telefon]" in text  # the token says what was removed


def test_auditor_text_prints_as_typed(tmp_path, sample, q):
    audits, scored, bench = sample
    audit, s = _with_comment(audits[1], scored[1], MARKUP)
    reader = PdfReader(str(write_provider_report(audit, s, bench, q, "cs", tmp_path / "r.pdf")))
    assert _text(reader).count(MARKUP) >= len(audit.answers)


def test_suppressed_benchmark_shows_own_values_only(tmp_path, sample, q):
    audits, scored, _ = sample
    small = benchmark(q, scored[:4])
    assert small.suppressed
    reader = PdfReader(str(write_provider_report(audits[0], scored[0], small, q, "cs", tmp_path / "r.pdf")))
    text = _text(reader)
    assert "Srovnání s krajem je potlačeno" in text
    assert "potlačeno" in text
    assert "Medián kraje" not in text
    assert "lepší polovina" not in text and "horší polovina" not in text and "nejlepší čtvrtina" not in text
    en = PdfReader(str(write_provider_report(audits[0], scored[0], small, q, "en", tmp_path / "e.pdf")))
    assert "Regional median" not in _text(en) and "suppressed" in _text(en)


def test_suppressed_flag_wins_over_stray_figures(tmp_path, sample, q):
    """A benchmark marked suppressed prints no aggregate even if one was (wrongly) filled in."""
    audits, scored, full = sample
    stray = full.model_copy(update={"suppressed": True})
    reader = PdfReader(str(write_provider_report(audits[0], scored[0], stray, q, "cs", tmp_path / "r.pdf")))
    assert "Medián kraje" not in _text(reader)


def test_mismatched_audit_is_refused(tmp_path, sample, q):
    audits, scored, bench = sample
    with pytest.raises(ValueError, match="different workbooks"):
        write_provider_report(audits[0], scored[1], bench, q, "cs", tmp_path / "r.pdf")
    assert not (tmp_path / "r.pdf").exists()


# ---------------------------------------------------------------------------------------------- texts


def test_missing_key_fails_before_drawing(tmp_path, sample, q, monkeypatch):
    audits, scored, bench = sample
    broken = load_texts(report_templates_dir() / "provider.yaml")
    del broken.data["indicators.title"]
    real = texts_mod.texts_for
    monkeypatch.setattr("auditkit.reports.provider_pdf.texts_for",
                        lambda q, name: broken if name == "provider" else real(q, name))
    with pytest.raises(TextError, match="indicators.title"):
        write_provider_report(audits[0], scored[0], bench, q, "cs", tmp_path / "r.pdf")
    assert list(tmp_path.iterdir()) == []


def test_missing_translation_fails_at_load(tmp_path):
    path = tmp_path / "provider.yaml"
    path.write_text("title: {cs: Zpráva}\n", encoding="utf-8")
    with pytest.raises(TextError, match="title.*en"):
        load_texts(path)


# ---------------------------------------------------------------------------------------------- fonts


def test_fonts_embedded_and_every_character_has_a_glyph(reports):
    for lang, _, _, reader in reports[:1] + reports[-1:]:
        pdfcheck.assert_embedded_dejavu(reader)
        covered = pdfcheck.covered_characters(reader)
        chars = set("".join(page.extract_text() for page in reader.pages)) - set(" \n\t")
        assert chars - covered == set(), lang
        if lang == "cs":
            assert set("ěščřžýáíéůúňťďĚŠČŘŽ") & chars >= set("ěščřžýáíéůú")


# ---------------------------------------------------------------------------------------------- edge cases


def test_unscored_area_and_special_answers(tmp_path, sample, q):
    """N/A everywhere in one area (no score, no verdict), "not evidenced" and blank answers elsewhere."""
    from auditkit.scoring import score_audit

    audits, _, bench = sample
    audit = audits[0]
    premises = {x.id for x in q.area("premises").questions}
    answers = {}
    for qid, a in audit.answers.items():
        if qid in premises:
            a = a.model_copy(update={"status": "na", "value": None})
        elif qid == "A03":
            a = a.model_copy(update={"status": "not_evidenced", "value": None})
        elif qid == "A06":
            a = a.model_copy(update={"status": "blank", "value": None})
        answers[qid] = a
    audit = audit.model_copy(update={"answers": answers})
    scored = score_audit(q, audit)
    assert scored.areas["premises"].verdict is None
    reader = PdfReader(str(write_provider_report(audit, scored, bench, q, "cs", tmp_path / "r.pdf")))
    text = _text(reader)
    assert "nelze hodnotit" in text
    assert texts("common")("verdict.none", "cs") in text
    assert "nedoloženo" in text and "neuvedeno" in text and "N/A" in text
    flag = next(f for f in scored.findings if f.question_id == "A03")  # not evidenced raises the flag
    assert texts("recommendations")(f"{flag.key}.title", "cs") in text


def test_no_findings_says_so(tmp_path, sample, q):
    audits, scored, bench = sample
    clean = scored[0].model_copy(update={"findings": []})
    reader = PdfReader(str(write_provider_report(audits[0], clean, bench, q, "en", tmp_path / "r.pdf")))
    text = _text(reader)
    assert "The audit recorded no finding." in text
    assert "The audit recorded no finding in this area." in text


# ---------------------------------------------------------------------------------------------- disclosure


def _drawing_ops(reader: PdfReader) -> list[str]:
    """Every page's drawing operations (paths, rectangles, colours, positions) without its text objects."""
    out = []
    for page in reader.pages:
        content = page.get_contents().get_data().decode("latin-1")
        out.append(re.sub(r"\bBT\b.*?\bET\b", "", content, flags=re.DOTALL))
    return out


def _shifted(s, d: float):
    """A copy of ``s`` with every area score and both indices moved by ``d`` (kept within 0–100)."""
    move = (lambda x: None if x is None else min(100.0, max(0.0, x + d)))
    areas = {k: v.model_copy(update={"score": move(v.score)}) for k, v in s.areas.items()}
    return s.model_copy(update={"areas": areas, "process_index": move(s.process_index),
                                "outcome_index": move(s.outcome_index)})


def test_no_drawn_shape_encodes_another_providers_value(tmp_path, sample, q):
    """With n = 5 (the smallest round that is compared at all) the drawing operations of a provider report
    are the same whatever the other four providers scored: no bar, marker or band encodes their values.
    (A min–max range chart fails this: its whiskers move with the others' scores.)"""
    audits, scored, _ = sample
    own, others = scored[0], scored[1:5]
    real = benchmark(q, [own, *others])
    assert real.n == 5 and not real.suppressed
    moved = benchmark(q, [own, *[_shifted(s, -9 - 2 * i) for i, s in enumerate(others)]])
    assert moved.areas["contract"].median != real.areas["contract"].median  # the others really changed
    a = PdfReader(str(write_provider_report(audits[0], own, real, q, "cs", tmp_path / "a.pdf")))
    b = PdfReader(str(write_provider_report(audits[0], own, moved, q, "cs", tmp_path / "b.pdf")))
    assert len(a.pages) == len(b.pages)
    assert _drawing_ops(a) == _drawing_ops(b)
    text = _text(a)  # min and max are single providers' values: never printed; median and IQR with n are
    assert "Rozpětí" not in text and "min." not in text and "max." not in text
    assert "Q1–Q3 kraje" in text and "n = 5" in text
