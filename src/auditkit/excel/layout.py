"""The workbook layout contract shared by the template writer and the reader (docs/workbook.md)."""

from __future__ import annotations

from auditkit import words

META_SHEET = "_meta"
LISTS_SHEET = "_lists"
COVER_SHEET = words.entry("workbook", "sheets.cover")  # words: templates/reports/workbook.yaml, read on first use
# The two locked columns of a prefilled next-round workbook (template --from) and the note on carried records.
PREVIOUS = words.by_lang("workbook", "previous")
# The first sheet of an annotated return copy (validate --annotate); the reader ignores it.
ANNOTATION_SHEET = words.entry("workbook", "sheets.annotation")
ANNOTATION = words.by_lang("workbook", "annotation")

HEADERS = words.by_key("workbook", "headers")  # the reader finds the header row by "answer" in any language
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
