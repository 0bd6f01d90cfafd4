"""Personal data: detection in every free-text cell, one redaction policy, nothing planted reaches an output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import find_row, set_answer

from auditkit.validation.personal import detect, find, redact

# -- the recognisers, one form each ----------------------------------------------------------------
FOUND = [
    ("Paní Nováková s dcerou Aničkou přišla v noci.", ["name"], ["Nováková", "Aničkou"]),
    ("Sociální pracovnice Jana Malá vede spis K07.", ["name"], ["Jana Malá"]),
    ("Vedoucí Mgr. Svobodová potvrdila termín.", ["name"], ["Svobodová"]),
    ("p. Dvořák z vrátnice vydává balíčky.", ["name"], ["Dvořák"]),
    ("s manželem Karlem a synem Petříkem", ["name"], ["Karlem", "Petříkem"]),
    ("Klientka nar. 12. 6. 1985 podepsala smlouvu.", ["birth_date"], ["12. 6. 1985"]),
    ("datum narození: 3. května 1990", ["birth_date"], ["3. května 1990"]),
    ("Bydlí Lidická 12, 602 00 Brno.", ["address"], ["Lidická 12", "602 00 Brno"]),
    ("Klientka z pokoje č. 12 odmítá IP.", ["room"], ["12"]),
    ("Telefon 777-123-456.", ["phone"], ["777-123-456"]),
    ("Volat 777 12 34 56 po 16. hodině.", ["phone"], ["777 12 34 56"]),
    ("kontakt +420 777 123 456", ["phone"], ["+420 777 123 456"]),
    ("kontakt 00420777123456", ["phone"], ["00420777123456"]),
    ("kontakt 777123456", ["phone"], ["777123456"]),
    ("píše na jana (at) seznam.cz", ["email"], ["jana (at) seznam.cz"]),
    ("píše na jana zavináč seznam tečka cz", ["email"], ["jana zavináč seznam tečka cz"]),
    ("Klientka 925315/1234 nesouhlasila.", ["birth_number"], ["925315/1234"]),
    ("RČ 8556121234", ["birth_number"], ["8556121234"]),
    ("pani Novakova s dcerou Anickou", ["name"], ["Novakova", "Anickou"]),  # typed without diacritics
    ("Kontakt na paní NOVÁKOVOU nemáme.", ["name"], ["NOVÁKOVOU"]),
    ("Klientka bydlí u přítele Pavla Vaňka.", ["name"], ["Pavla Vaňka"]),
    ("RČ: 855612-1234", ["birth_number"], ["855612-1234"]),
]

CLEAN = [
    "č. j. 230115/2023 ze dne 30. 3. 2023",
    "Podle § 91 odst. 2 zákona 108/2006 Sb. smlouva obsahuje všechny náležitosti.",
    "Týmová supervize probíhá 4× ročně, individuální jen na žádost.",
    "Klíčová pracovnice vede IP u klientky K12 od 1. 2. 2023.",
    "Pracovnice Úřadu práce dochází jednou týdně.",
    "Klientka Ukrajinka s dvěma dětmi čeká na sociální byt.",
    "Rada kraje schválila dotaci 1 200 000 Kč.",
    "Kapacita 24 lůžek, pokoj č. 3 slouží jako herna.",
    "Potravinová pomoc je vydávána ze skladu podle pravidel.",
    "Míra individualizace smluv je nízká.",  # "Míra" is also a diminutive of Miroslav
    "Ale klientky o supervizi nevědí.",  # "Ale" is "Ále" (Alena) typed without diacritics
    "Many plans were not reviewed on time.",  # an English comment
    "Spolupráce s organizací Naděje a Domovem sv. Anežky funguje.",
    "Dvě klientky odešly do bytu od obce Orlová.",
]


@pytest.mark.parametrize("text, kinds, parts", FOUND)
def test_each_form_is_found_and_replaced_by_its_token(text, kinds, parts):
    assert detect(text) == kinds
    out = redact(text)
    for part in parts:
        assert part not in out
    assert out.count("[") == len(find(text))


@pytest.mark.parametrize("text", CLEAN)
def test_safe_tokens_are_not_flagged(text):
    assert find(text) == ()
    assert redact(text) == text


def test_english_run_gets_english_tokens():
    assert redact("Paní Nováková, tel. 777 123 456", "en") == "Paní [name], tel. [phone]"


def test_service_and_provider_names_are_safe():
    text = "Azylový dům Lipová spolupracuje s OSPOD."
    assert detect(text) == ["name"]  # "Lipová" looks like a surname …
    assert detect(text, safe=("Azylový dům Lipová",)) == []  # … but it is the service's own name


# -- end to end: validate flags, summarize never shows ---------------------------------------------
PLANTED = {
    ("A Smlouva", "A03"): "Paní Nováková s dcerou Aničkou, tel. 777-123-456, smlouvu podepsala.",
    ("B Základní činnosti", "B02"): "Klientka nar. 12. 6. 1985 bydlela Lidická 12, 602 00 Brno.",
    ("E Supervize", "E02"): "Supervizi vede Mgr. Kristýna Horáčková, jana (at) seznam.cz, 777 12 34 56.",
}
COVER = "Kontakt na vedoucí: petra.dolezalova@centrum.cz, RČ klientky 925315/1234"
RECORD_NOTE = "K20 je paní Svobodová z pokoje č. 14"
BAD_CODE = "Procházková"
STRINGS = ["Nováková", "Aničkou", "777-123-456", "12. 6. 1985", "Lidická", "602 00", "Horáčková",
           "seznam.cz", "jana (at)", "777 12 34 56", "dolezalova", "925315", "Svobodová", "Procházková"]


def _plant(path: Path) -> dict[tuple[str, str], str]:
    """Type the planted texts; return {(sheet, cell): text} of every cell that must be flagged."""
    wb = openpyxl.load_workbook(path)
    cells = {}
    for (sheet, qid), text in PLANTED.items():
        cells[(sheet, set_answer(wb, sheet, qid, text, column="D"))] = text
    cover = wb["Úvod"]
    cells[("Úvod", f"D{find_row(cover, 'service_name')}")] = COVER
    cover[f"D{find_row(cover, 'service_name')}"] = COVER
    files = wb["Spisy"]
    files["F4"] = RECORD_NOTE  # a note beside the table, in a column auditkit does not read
    cells[("Spisy", "F4")] = RECORD_NOTE
    wb.save(path)
    return cells


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="200", PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "auditkit.cli", *args], capture_output=True, text=True, check=False,
                          env=env, timeout=300)


@pytest.fixture(scope="module")
def planted_round(tmp_path_factory, questionnaire):
    from auditkit.samples import ROUND, write_audit

    folder = tmp_path_factory.mktemp("planted")
    good = write_audit(questionnaire, ROUND[0], folder / "planted.xlsx")
    cells = _plant(good)
    bad = write_audit(questionnaire, ROUND[1], folder / "bad_code.xlsx")
    wb = openpyxl.load_workbook(bad)
    wb["Spisy"]["A4"] = BAD_CODE  # a name typed as the file code: an error, quoted in the message
    wb.save(bad)
    return folder, cells


def test_validate_json_flags_every_planted_cell(planted_round):
    folder, cells = planted_round
    proc = _cli("validate", str(folder), "--json")
    data = json.loads(proc.stdout)
    by_name = {Path(f["file"]).name: f for f in data["files"]}
    flagged = {(f["sheet"], f["cell"]) for f in by_name["planted.xlsx"]["findings"] if f["code"] == "personal_data"}
    assert set(cells) <= flagged
    kinds = " ".join(f["message"] for f in by_name["planted.xlsx"]["findings"] if f["code"] == "personal_data")
    for word in ("jméno osoby", "telefonní číslo", "datum narození", "adresu", "e-mailovou adresu",
                 "rodné číslo", "číslo pokoje"):
        assert word in kinds
    bad = {(f["sheet"], f["cell"], f["code"]) for f in by_name["bad_code.xlsx"]["findings"]}
    assert ("Spisy", "A4", "personal_data") in bad
    for string in STRINGS:
        assert string not in proc.stdout
    table = _cli("validate", str(folder))  # the terminal tables, too
    assert "planted.xlsx" in table.stdout
    for string in STRINGS:
        assert string not in table.stdout + table.stderr


def _xlsx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))


def test_summarize_outputs_hold_none_of_the_planted_strings(planted_round, tmp_path):
    from pypdf import PdfReader

    folder, _ = planted_round
    out = tmp_path / "out"
    proc = _cli("summarize", str(folder), "--out", str(out))
    assert proc.returncode in (0, 1), proc.stderr
    texts = {"stdout": proc.stdout + proc.stderr}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):  # every output, also ones added later
        if path.suffix == ".pdf":
            texts[path.name] = "".join(page.extract_text() for page in PdfReader(str(path)).pages)
        elif path.suffix == ".xlsx":
            texts[path.name] = _xlsx_text(path)
        else:
            texts[path.name] = path.read_bytes().decode("utf-8", "replace")
    assert {"summary.json", "summary.xlsx", "summary.pdf"} <= set(texts)
    assert any(name.endswith(".pdf") and name != "summary.pdf" for name in texts)  # a provider report
    for name, text in texts.items():
        for string in STRINGS:
            assert string not in text, (name, string)
    # the texts went through, redacted: the tokens say what was removed
    assert "[jméno]" in texts["summary.xlsx"] and "[telefon]" in texts["summary.xlsx"]
    json_text = texts["summary.json"] + proc.stdout
    assert "Procházková" not in json_text


# -- the quality bar, measured on the corpus in tests/data ------------------------------------------
DATA = Path(__file__).with_name("data")
_MARK = __import__("re").compile(r"\{(\w+):([^{}]+)\}")


def _lines(name: str) -> list[str]:
    text = (DATA / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _unmark(line: str) -> tuple[str, list[tuple[str, int, int]]]:
    """The sentence without marks, and each planted item as (kind, start, end) in it."""
    out, items, last = [], [], 0
    for m in _MARK.finditer(line):
        out.append(line[last:m.start()])
        start = sum(map(len, out))
        out.append(m.group(2))
        items.append((m.group(1), start, start + len(m.group(2))))
        last = m.end()
    out.append(line[last:])
    return "".join(out), items


def _covered(text: str, hits, a: int, b: int) -> bool:
    """Every letter and digit of the planted item lies inside a hit."""
    return all(any(h.start <= i < h.end for h in hits) for i in range(a, b) if text[i].isalnum())


def corpus_figures() -> dict[str, float]:
    """Recall over planted items (an item counts when a hit covers it and redaction removes its text)
    and the share of clean sentences with any hit. Printed by docs/security.md's command."""
    planted = [_unmark(line) for line in _lines("personal_corpus_planted.txt")]
    clean = _lines("personal_corpus_clean.txt")
    items = found = 0
    for text, marks in planted:
        hits = find(text)
        redacted = redact(text)
        for _kind, a, b in marks:
            items += 1
            found += _covered(text, hits, a, b) and text[a:b] not in redacted
    flagged = sum(bool(find(text)) for text in clean)
    return {"sentences": len(planted) + len(clean), "planted_sentences": len(planted), "items": items,
            "recall": found / items, "clean_sentences": len(clean), "false_positive_rate": flagged / len(clean)}


def test_corpus_meets_the_quality_bar():
    figures = corpus_figures()
    assert figures["sentences"] >= 300 and not any(_MARK.search(t) for t in _lines("personal_corpus_clean.txt"))
    assert figures["recall"] >= 0.95, figures
    assert figures["false_positive_rate"] <= 0.02, figures


if __name__ == "__main__":  # PYTHONPATH=src python tests/test_personal.py: the figures and every miss
    for text, marks in (_unmark(line) for line in _lines("personal_corpus_planted.txt")):
        hits, redacted = find(text), redact(text)
        for kind, a, b in marks:
            if not _covered(text, hits, a, b) or text[a:b] in redacted:
                print("missed", kind, repr(text[a:b]), "|", text)
    for text in _lines("personal_corpus_clean.txt"):
        if find(text):
            print("flagged", [(h.kind, text[h.start:h.end]) for h in find(text)], "|", text)
    print(corpus_figures())
