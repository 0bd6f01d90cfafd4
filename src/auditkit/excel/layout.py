"""The workbook layout contract shared by the template writer and the reader (docs/workbook.md)."""

from __future__ import annotations

META_SHEET = "_meta"
LISTS_SHEET = "_lists"
COVER_SHEET = {"cs": "Úvod", "en": "Cover"}

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

META_KEYS = ("questionnaire_id", "questionnaire_version", "language", "generator")
