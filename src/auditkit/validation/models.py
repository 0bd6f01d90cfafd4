"""The typed result of reading one workbook: the audit and the problems found in the file."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from auditkit.lang import Lang
from auditkit.validation.problems import Problem

AnswerStatus = Literal["answered", "na", "not_evidenced", "blank", "invalid"]
Value = bool | int | float | str | dt.date | list[str] | None


class Answer(BaseModel):
    model_config = ConfigDict(frozen=True)

    question_id: str
    status: AnswerStatus
    value: Value = None
    comment: str | None = None
    sheet: str | None = None
    cell: str | None = None


class ServiceInfo(BaseModel):
    """The cover sheet: each value under the role its field declares (the questionnaire's ``role:``), and every
    identification field's value under its own id in ``fields``."""

    service_name: str = ""
    provider: str = ""
    service_id: str = ""
    audit_date: dt.date | None = None
    auditors: str = ""
    audit_round: str = ""
    # scope and sample, report status (optional cover-sheet fields; None when not given)
    files_sampled: int | None = None
    interviews: int | None = None
    documents: str = ""
    limitations: str = ""
    report_status: str = "draft"
    issue_date: dt.date | None = None
    fields: dict[str, Value] = Field(default_factory=dict)  # identification field id → its value


class Audit(BaseModel):
    """One filled questionnaire, typed: answers by question ID, record tables as rows of typed values."""

    file: str
    sha256: str
    questionnaire_id: str
    questionnaire_version: str
    language: Lang
    service: ServiceInfo
    answers: dict[str, Answer]
    records: dict[str, list[dict[str, Value]]] = Field(default_factory=dict)


class Reply(BaseModel):
    """The provider's reply to one finding, read from a returned plan, with the auditor's decision."""

    fact: str
    response: Literal["agree", "partly", "disagree"] | None = None
    reasons: str | None = None
    measure: str | None = None
    role: str | None = None
    deadline: dt.date | None = None
    status: Literal["planned", "in_progress", "done"] | None = None
    decision: Literal["upheld", "partly", "rejected"] | None = None
    decision_reason: str | None = None

    @property
    def objection(self) -> bool:
        return self.response in ("partly", "disagree")


class ReturnedPlan(BaseModel):
    """A plan workbook returned by a provider (docs/cycle.md)."""

    service_id: str
    questionnaire_id: str
    report_date: dt.date | None = None
    replies: list[Reply] = Field(default_factory=list)


FileStatus = Literal["valid", "invalid", "skipped"]


class FileResult(BaseModel):
    file: str
    status: FileStatus
    # what the auditor must fix in the file (validation problems; "findings" before, a name kept for reading)
    problems: list[Problem] = Field(default_factory=list, validation_alias=AliasChoices("problems", "findings"))
    service: ServiceInfo | None = None  # the cover sheet's identification, when it could be read
    audit: Audit | None = None  # the typed answers; dropped when a caller needs only the problems
    language: Lang | None = None  # the language of the problems' messages (the workbook's unless one was asked)
    plan: ReturnedPlan | None = None  # when the file is a returned plan instead of an audit workbook
    questionnaire: str | None = None  # "id@version" of the definition the file was read with, when known

    @property
    def findings(self) -> list[Problem]:
        """The old name of :attr:`problems`, kept for one release."""
        return self.problems

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity == "warning" for p in self.problems)
