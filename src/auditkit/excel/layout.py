"""The workbook layout contract shared by the template writer and the reader (docs/workbook.md)."""

from __future__ import annotations

META_SHEET = "_meta"
LISTS_SHEET = "_lists"
COVER_SHEET = {"cs": "Úvod", "en": "Cover"}
# The two locked columns of a prefilled next-round workbook (template --from) and the note on carried records.
PREVIOUS = {
    "cs": {
        "answer": "Předchozí odpověď {round}",
        "comment": "Předchozí komentář / doklad",
        "records_note": "Řádky převzaté z minulého kola: aktualizujte je (odchody smažte, nové pracovníky doplňte).",
    },
    "en": {
        "answer": "Previous answer {round}",
        "comment": "Previous comment / evidence",
        "records_note": "Rows carried over from the previous round: update them (delete leavers, add new staff).",
    },
}
# The first sheet of an annotated return copy (validate --annotate); the reader ignores it.
ANNOTATION_SHEET = {"cs": "Kontrola auditkit", "en": "auditkit check"}
ANNOTATION = {
    "cs": {
        "title": "Kontrola sešitu: co je třeba opravit",
        "counts": "Chyby: {errors} · varování: {warnings}",
        "note": ("Tento list a komentáře u buněk přidal auditkit. Odpovědi ani ověřování dat se nezměnily. "
                 "Opravte označené buňky (odkaz ve sloupci Buňka vede přímo na ně) a sešit zkontrolujte znovu; "
                 "list můžete ponechat, kontrola ho vynechá."),
        "sheet": "List", "cell": "Buňka", "severity": "Závažnost", "question": "Otázka", "message": "Co opravit",
        "error": "chyba", "warning": "varování", "info": "informace",
        "whole_file": "(celý sešit)", "none": "Sešit je v pořádku: žádná chyba ani varování.",
    },
    "en": {
        "title": "Workbook check: what to fix",
        "counts": "Errors: {errors} · warnings: {warnings}",
        "note": ("auditkit added this sheet and the cell comments. No answer and no data validation was changed. "
                 "Fix the marked cells (the link in the Cell column leads to each) and check the workbook again; "
                 "you may keep this sheet, the check skips it."),
        "sheet": "Sheet", "cell": "Cell", "severity": "Severity", "question": "Question", "message": "What to fix",
        "error": "error", "warning": "warning", "info": "info",
        "whole_file": "(whole workbook)", "none": "The workbook is fine: no error and no warning.",
    },
}

HEADERS = {
    "id": {"cs": "ID", "en": "ID"},
    "question": {"cs": "Otázka", "en": "Question"},
    "answer": {"cs": "Odpověď", "en": "Answer"},
    "comment": {"cs": "Komentář / doklad", "en": "Comment / evidence"},
    "allowed": {"cs": "Povolené hodnoty", "en": "Allowed values"},
}
# 0-based columns of a question sheet
COL_ID, COL_QUESTION, COL_ANSWER, COL_COMMENT, COL_ALLOWED = 0, 1, 2, 3, 4
HEADER_SCAN_ROWS = 30  # the header row is searched for in the first rows of a sheet
RECORD_HEADER_ROW = 3  # 1-based header row of a record sheet in the template (title, instructions above)

META_KEYS = ("questionnaire_id", "questionnaire_version", "language", "generator")

# The provider's plan workbook (excel/plan_workbook.py, validation/plan.py; words in templates/reports/plan.yaml)
# (column id, width, provider fills it)
PLAN_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("number", 5, False), ("fact", 16, False), ("area", 16, False), ("finding", 34, False),
    ("basis", 14, False), ("recommendation", 48, False), ("response", 15, True), ("reasons", 40, True),
    ("measure", 36, True), ("role", 20, True), ("deadline", 12, True), ("status", 13, True),
    ("decision", 16, True), ("decision_reason", 30, True),
)
PLAN_DOCUMENT = "plan"  # the value of _meta's "document" key
# the provider's (and the auditor's) choices: text group in plan.yaml → option ids
CHOICES: dict[str, tuple[str, ...]] = {
    "responses": ("agree", "partly", "disagree"),
    "statuses": ("planned", "in_progress", "done"),
    "decisions": ("upheld", "partly", "rejected"),
}
CHOICE_COLUMNS = {"response": "responses", "status": "statuses", "decision": "decisions"}
