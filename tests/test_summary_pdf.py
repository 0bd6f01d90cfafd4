"""The summary analysis PDF: built from the sample round in cs and en, read back with pypdf."""

from __future__ import annotations

import re
from pathlib import Path

import pdfcheck
import pytest
from pypdf import PdfReader

from auditkit import lang
from auditkit.paths import sample_audits_dir
from auditkit.pipeline import run_round
from auditkit.questionnaire.loader import registry
from auditkit.reports import fmt
from auditkit.reports.summary_pdf import write_summary_pdf
from auditkit.summary import Relationship
from auditkit.texts import texts

AUDITOR = "<b>&<para>"


def words(key: str, lang: str) -> str:
    return texts("summary")(key, lang)


def common(key: str, lang: str) -> str:
    return texts("common")(key, lang)


def section_titles(lang: str) -> list[str]:
    """The level-0 bookmarks, in order."""
    return [words("conclusion.title", lang), common("method.title", lang)] + [
        words(f"sections.{key}", lang)
        for key in ("overview", "areas", "systemic", "relationship", "recommendations", "excluded", "annex")
    ] + [common("glossary.title", lang)]


@pytest.fixture(scope="module")
def sample():
    summary, _ = run_round([sample_audits_dir()])
    q = registry()[(summary.questionnaire_id, summary.questionnaire_version)]
    return summary, q


@pytest.fixture(scope="module")
def pdfs(sample, tmp_path_factory):
    summary, q = sample
    folder = tmp_path_factory.mktemp("summary_pdf")
    out = {code: write_summary_pdf(summary, q, code, folder / f"summary_{code}.pdf") for code in ("cs", "en")}
    for code in ("cs", "en"):
        out[f"anon_{code}"] = write_summary_pdf(summary, q, code, folder / f"anon_{code}.pdf", anonymous=True)
    return out


def text_of(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(str(path)).pages)


@pytest.mark.parametrize("lang", ["cs", "en"])
def test_sections_services_and_outline(pdfs, sample, lang):
    summary, _ = sample
    text = text_of(pdfs[lang])
    reader = PdfReader(str(pdfs[lang]))
    top_level = [item.title for item in reader.outline if not isinstance(item, list)]
    assert top_level == section_titles(lang)
    for title in section_titles(lang):
        assert title in text, title
    outline = pdfcheck.outline_titles(reader)
    for s in summary.services:
        assert s.service.service_name in text
        assert s.service.service_name in outline  # one annex bookmark per service


def test_czech_words_numbers_and_systemic_counts(pdfs, sample):
    summary, q = sample
    text = text_of(pdfs["cs"])
    assert "Souhrnná analýza výstupů z procesních auditů" in text
    assert "Doporučení pro kraj" in text
    assert "Přístav" in text and "Slunečnice" in text
    best = summary.services[0]
    # indices in whole per cent (text, overview, annex); decimals only where an indicator has them
    assert " ".join(fmt.pct(best.process_index, 0, "cs").split()) in text
    assert " ".join(fmt.pct(best.process_index, 1, "cs").split()) not in text
    ind = next(i for i in q.indicators if i.decimals and summary.indicator_stats[i.id].median % 1)
    shown = fmt.num(summary.indicator_stats[ind.id].median, ind.decimals, "cs")  # e.g. "7,5": decimal comma
    assert "," in shown and shown in text
    first = summary.systemic[0]
    title = texts("recommendations")(f"{first.key}.title", "cs")
    assert f"{first.count} {lang.of(first.n, 'cs')} {first.n}: {title}" in text
    assert f"{lang.of(len(summary.services), 'cs')} {len(summary.services)}" in text
    rho = fmt.num(summary.relationship.spearman, 2, "cs").replace("-", "−")
    assert f"ρ = {rho}" in text
    assert "statistickou významnost neuvádíme" in text
    assert q.area("contract").title("cs") in text


def test_english_numbers_use_decimal_point(pdfs, sample):
    summary, q = sample
    text = text_of(pdfs["en"])
    assert "Summary analysis of the process audits" in text
    ind = next(i for i in q.indicators if i.decimals and summary.indicator_stats[i.id].median % 1)
    assert fmt.num(summary.indicator_stats[ind.id].median, ind.decimals, "en") in text
    first = summary.systemic[0]
    assert f"{first.count} of {first.n}: " in text
    assert "no statistical significance is claimed" in text


@pytest.mark.parametrize("lang,tag", [("cs", "cs-CZ"), ("en", "en-GB")])
def test_metadata_and_page_labels(pdfs, lang, tag):
    reader = PdfReader(str(pdfs[lang]))
    assert reader.metadata.title == words("title", lang)
    assert reader.metadata.author == common("author", lang)
    assert reader.trailer["/Root"]["/Lang"] == tag
    n = len(reader.pages)
    assert common("page_label", lang).format(page=n, pages=n) in reader.pages[-1].extract_text()


def test_all_fonts_embedded(pdfs):
    reader = PdfReader(str(pdfs["cs"]))
    pdfcheck.assert_embedded_dejavu(reader)  # never a standard font (no ř ě ů), e.g. Helvetica from a table cell
    chars = set("".join(page.extract_text() for page in reader.pages)) - set(" \n\t")
    assert chars - pdfcheck.covered_characters(reader) == set()


def test_atomic_write_leaves_no_temporary_files(pdfs):
    assert sorted(p.name for p in pdfs["cs"].parent.iterdir()) == [
        "anon_cs.pdf", "anon_en.pdf", "summary_cs.pdf", "summary_en.pdf"]


def test_auditor_evidence_prints_literally_and_redacted(sample, tmp_path):
    summary, q = sample
    target = next(s for s in summary.services if s.findings)
    flag = target.findings[0].model_copy(update={"evidence": f"Viz {AUDITOR}, tel. 603 123 456"})
    changed = target.model_copy(update={"findings": [flag, *target.findings[1:]]})
    services = [changed if s is target else s for s in summary.services]
    text = text_of(write_summary_pdf(summary.model_copy(update={"services": services}), q, "cs",
                                     tmp_path / "evidence.pdf"))
    assert f"Viz {AUDITOR}" in text
    assert "603 123 456" not in text  # personal data never reaches a report


def test_all_files_rejected_still_lists_them(tmp_path):
    folder = tmp_path / "round"
    folder.mkdir()
    (folder / "rozbity.xlsx").write_bytes(b"this is not a workbook")
    (folder / "poznamky.txt").write_text("notes", encoding="utf-8")
    summary, _ = run_round([folder])
    assert not summary.services and summary.rejected and summary.skipped
    q = registry()[(summary.questionnaire_id, summary.questionnaire_version)]
    for code in ("cs", "en"):
        text = text_of(write_summary_pdf(summary, q, code, tmp_path / f"empty_{code}.pdf"))
        assert "rozbity.xlsx" in text and "poznamky.txt" in text  # every file accounted for
        assert words("sections.excluded", code) in text
        assert " ".join(summary.rejected[0].findings[0].message.split()) in text


def test_one_service_with_missing_values(sample, tmp_path):
    summary, q = sample
    one = summary.services[0]
    areas = {k: v.model_copy(update={"score": None, "verdict": None}) if i % 2 else v
             for i, (k, v) in enumerate(one.areas.items())}
    bare = one.model_copy(update={"areas": areas, "indicators": dict.fromkeys(one.indicators),
                                  "process_index": None, "outcome_index": None})
    rel = Relationship(x=summary.relationship.x, y=summary.relationship.y, points=[], spearman=None, n=0)
    crafted = summary.model_copy(update={"services": [bare], "relationship": rel, "systemic": []})
    text = text_of(write_summary_pdf(crafted, q, "cs", tmp_path / "one.pdf"))
    assert one.service.service_name in text
    assert words("relationship.not_assessable", "cs").split(":")[0] in text
    no_rel = summary.model_copy(update={"relationship": None})
    text = text_of(write_summary_pdf(no_rel, q, "en", tmp_path / "none.pdf"))
    assert words("relationship.not_defined", "en") in text


@pytest.mark.parametrize("rho,key", [(-0.94, "strong_negative"), (-0.5, "moderate_negative"), (0.1, "weak"),
                                     (0.55, "moderate_positive"), (0.8, "strong_positive")])
def test_relationship_words_follow_rho(sample, tmp_path, rho, key):
    summary, q = sample
    rel = summary.relationship.model_copy(update={"spearman": rho})
    text = text_of(write_summary_pdf(summary.model_copy(update={"relationship": rel}), q, "en",
                                     tmp_path / "rho.pdf"))
    assert words(f"relationship.strength.{key}", "en") in text
    assert words("relationship.caveat", "en").format(n=rel.n) in text


def test_large_round_shows_distributions(sample, tmp_path):
    """Hundreds of services: fixed-size charts, no per-service annex, names capped; the PDF still builds."""
    from auditkit.reports.summary_pdf import LARGE_ROUND
    from auditkit.summary import summarize_round

    summary, _ = sample
    q = registry()[(summary.questionnaire_id, summary.questionnaire_version)]
    services = []
    for i in range(200):
        base = summary.services[i % len(summary.services)]
        svc = base.service.model_copy(update={"service_name": f"Služba {i:03d}", "service_id": f"{9000000 + i}"})
        services.append(base.model_copy(update={"file": f"f{i:03d}.xlsx", "service": svc}))
    big = summarize_round(q, services, [])
    out = write_summary_pdf(big, q, "cs", tmp_path / "big.pdf")
    reader = PdfReader(str(out))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Služba 199" in text  # every service stays in the overview table
    shown = texts("summary")("annex.omitted", "cs", n=200, limit=LARGE_ROUND)
    assert " ".join(shown.split()) in " ".join(text.split())
    assert len(reader.pages) < 40  # no page per service


def test_a_round_of_forty_services_lists_every_profile_in_the_contents(sample, tmp_path):
    """Up to LARGE_ROUND services the annex has a profile per service, each in the contents: a contents
    longer than a page goes on over the next page (it used to stop the build), and every entry is there."""
    from auditkit.reports.summary_pdf import LARGE_ROUND
    from auditkit.summary import summarize_round

    summary, q = sample
    services = []
    for i in range(LARGE_ROUND):
        base = summary.services[i % len(summary.services)]
        svc = base.service.model_copy(update={"service_name": f"Služba {i:03d}", "service_id": f"{9000000 + i}"})
        services.append(base.model_copy(update={"file": f"f{i:03d}.xlsx", "service": svc}))
    out = write_summary_pdf(summarize_round(q, services, []), q, "cs", tmp_path / "forty.pdf")
    pages = pages_of(out)
    glossary = common("glossary.title", "cs")
    end = next(k for k, page in enumerate(pages) if re.search(rf"{glossary} \d+$", page))  # the contents' last
    assert end >= 2  # page 1 is the conclusion; the contents took more than one page
    contents = " ".join(pages[1 : end + 1])
    entries = [int(m.group(1)) for m in re.finditer(r"Služba (\d{3}) \d+", contents)]
    assert sorted(entries) == list(range(LARGE_ROUND))  # every profile listed once, with its page
    assert len(pages) > LARGE_ROUND  # a profile page per service


# ------------------------------------------------------------------------------- page 1, region, anonymous


def pages_of(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(str(path)).pages]


@pytest.mark.parametrize("key", ["cs", "anon_cs"])
def test_page_one_is_the_conclusion(pdfs, sample, key):
    summary, _ = sample
    page1 = pages_of(pdfs[key])[0]
    assert "Závěr" in page1 and "Co z toho plyne pro kraj" in page1
    assert "V kole 2023 bylo auditováno 6 služeb" in page1
    shared = [x for x in summary.systemic if x.count >= 2]
    for x in shared[:3]:  # the top systemic findings in words with their counts
        title = " ".join(texts("recommendations")(f"{x.key}.title", "cs").split())
        assert f"{x.count} {lang.of(x.n, 'cs')} {x.n} služeb: {title}" in page1
    assert "Spearman" in page1 and "n = 6" in page1  # the outcome relationship, honestly sized
    assert "Medián procesního indexu je" in page1


def test_region_chapter_is_addressed_to_the_region_and_covers_the_themes(pdfs):
    regional = texts("regional")
    themes = [k for k in regional.data if k.startswith("themes.") and k.endswith(".title")]
    assert len(themes) == 8
    for key, edition in (("cs", "cs"), ("anon_cs", "cs"), ("en", "en")):
        text = text_of(pdfs[key])
        chapter = text[text.rindex(words("sections.recommendations", edition)):]
        for t in themes:
            assert " ".join(regional(t, edition).split()) in chapter, (key, t)
        # provider-level orders stay in the provider reports
        for order in ("Zrušte recepci", "Upravte ceník", "Přeplatky domácnostem vraťte"):
            assert order not in chapter
    cs = text_of(pdfs["cs"])
    assert "Podklad v tomto kole:" in cs and "ze 6 služeb:" in cs


@pytest.mark.parametrize("key,edition", [("anon_cs", "cs"), ("anon_en", "en")])
def test_anonymous_edition_names_no_service_and_ranks_none(pdfs, sample, key, edition):
    summary, _ = sample
    text = text_of(pdfs[key])
    for s in summary.services:
        for value in (s.service.service_name, s.service.provider, s.service.service_id, Path(s.file).name):
            assert value not in text, value
        for word in s.service.service_name.split()[2:]:  # "Kotva", "Modrý kruh" …
            assert word not in text, word
    assert words("anonymous.title", edition) in text
    assert words("systemic.single", edition) not in text  # no single-service lists
    assert words("overview.rank", edition) + " " not in text.replace(words("anonymous.code", edition), "")
    assert common("range", edition) not in text  # min and max are single services' values
    assert words("sections.excluded", edition) not in text and words("sections.annex", edition) not in text
    codes = [f"S{k}" for k in range(1, len(summary.services) + 1)]
    assert all(c in text for c in codes)


def test_anonymous_edition_suppresses_aggregates_under_five(sample, tmp_path):
    from auditkit.summary import summarize_round

    summary, q = sample
    small = summarize_round(q, summary.services[:4], [])
    text = text_of(write_summary_pdf(small, q, "cs", tmp_path / "a.pdf", anonymous=True))
    assert "potlačeno" in text and "Medián procesního indexu je" not in text
    for s in small.services:
        assert s.service.service_name not in text
    regional = text_of(write_summary_pdf(small, q, "cs", tmp_path / "r.pdf"))
    assert "Medián procesního indexu je" in regional  # the region's own edition keeps them
