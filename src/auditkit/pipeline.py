"""One audit round end to end: validate every file, score the valid ones, aggregate, write outputs.

Workers validate and score and return small results; the order of outputs never depends on the number
of jobs (results are sorted by file name).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from auditkit.errors import DefinitionError, UsageError, environment_problem
from auditkit.events import (
    Event,
    FileDone,
    FileRejected,
    FileStarted,
    Listener,
    OutputDone,
    OutputFailed,
    Stage,
    StageFinished,
    StageStarted,
    ignore,
)
from auditkit.lang import Lang, as_lang
from auditkit.questionnaire.loader import default_questionnaire, newest, registry
from auditkit.validation import batch, mixed
from auditkit.validation.models import FileResult
from auditkit.validation.problems import Problem, failed, make
from auditkit.workers import chunks, default_jobs, workers

if TYPE_CHECKING:  # imported where they are used: ``validate`` needs none of them (docs/performance.md)
    from auditkit.questionnaire.models import Questionnaire
    from auditkit.rounds import PreviousRound, ServiceCycle
    from auditkit.scoring import ScoredAudit
    from auditkit.spool import Parked, Spool
    from auditkit.summary import Benchmark, Summary


@dataclass
class Processed:
    result: FileResult
    scored: ScoredAudit | None = None
    parked: Parked | None = None  # where the typed audit waits when the run keeps a spool


def process_one(path: Path, name: str, lang: Lang | None, score: bool = True) -> Processed:
    """Validate and (when ``score``) score one workbook; runs in a worker process.

    Without scoring only the problems are needed: the typed audit is dropped so workers return small results.
    """
    result = batch.validate_one(path, name, lang, keep_audit=score)
    if not score:
        return Processed(result=result)
    return Processed(result=result, scored=_score(result))


def _score(result: FileResult) -> ScoredAudit | None:
    from auditkit.scoring import score_audit

    if result.status != "valid" or result.audit is None:
        return None
    q = registry()[(result.audit.questionnaire_id, result.audit.questionnaire_version)]
    return score_audit(q, result.audit)


def _share(scored: ScoredAudit) -> None:
    from auditkit.scoring import share_lost

    share_lost(scored)


@dataclass(frozen=True)
class _Check:
    """What every workbook task needs (a worker gets it once)."""

    lang: Lang | None
    score: bool
    spool: Spool | None


def _check_chunk(ctx: _Check, items: list[tuple[Path, str]]) -> list[Processed]:
    """Process ``items``; with a spool, every typed audit is parked there and only small results return."""
    done = []
    writer = ctx.spool.writer() if ctx.spool is not None and ctx.score else None
    try:
        for p, n in items:
            one = process_one(p, n, ctx.lang, ctx.score)
            audit = one.result.audit
            if writer is not None and audit is not None:
                one = Processed(result=one.result.model_copy(update={"audit": None}), scored=one.scored,
                                parked=writer.put(audit))
            done.append(one)
    finally:
        if writer is not None:
            writer.close()
    return done


def _file_events(done: list[Processed]) -> Iterator[Event]:
    for d in done:
        r = d.result
        yield FileDone(r.file, r.warnings) if r.status == "valid" else FileRejected(r.file, r.errors)


def process_files(
    paths: list[Path],
    lang: Lang | None,
    jobs: int | None = None,
    events: Listener | None = None,
    score: bool = True,
    spool: Spool | None = None,
    exclude: list[Path] | None = None,
    one_round: bool = False,
    questionnaire: str | None = None,
) -> tuple[list[FileResult], list[ScoredAudit]]:
    """Every file of ``paths`` validated (and scored), in file order whatever the number of jobs.

    ``lang`` None: each workbook's messages in its own language (``_meta``). ``jobs`` None: by the number
    of files (``workers.default_jobs``); one job runs in this process. ``events`` hears the stage
    ``workbooks`` and each file's start and outcome.
    ``one_round``: the files are one round, summarised by one questionnaire (``questionnaire``, an id, or the
    one most workbooks use): workbooks of another one are rejected with ``questionnaire_mismatch``
    (``validation.mixed``).

    With a ``spool`` the valid files' typed audits are parked there (``spool.index``) instead of being
    kept in the results, so memory stays flat however many files there are.
    """
    tell = events or ignore
    todo, skipped = batch.expand(paths, lang, exclude or ())
    jobs = min(default_jobs(len(todo)) if jobs is None else max(1, jobs), max(1, len(todo)))
    tell(StageStarted("workbooks", len(todo)))
    registry()  # the definitions loaded once, before any worker forks
    done: list[Processed] = []

    def started(chunk: list[tuple[Path, str]]) -> None:
        for _, name in chunk:
            tell(FileStarted(name))

    with workers(_Check(lang, score, spool), jobs) as pool:
        for chunk, got in pool.map(_check_chunk, chunks(todo, pool.jobs), before=started):
            if isinstance(got, Exception):  # the task failed or its worker died: its files are reported
                got = [Processed(result=FileResult(file=n, status="invalid", problems=[failed(n, lang or "cs", got)]))
                       for _, n in chunk]
            for event in _file_events(got):
                tell(event)
            for d in got:
                if d.scored is not None:
                    _share(d.scored)  # the scores of a round stay here: equal parts shared as each chunk arrives
            done.extend(got)
    tell(StageFinished("workbooks"))
    results = sorted([d.result for d in done] + skipped, key=lambda r: r.file)
    if one_round or questionnaire is not None:
        key = mixed.round_questionnaire(results, questionnaire)
        results = mixed.reject_other_questionnaires(results, key, as_lang(lang) if lang else None)
    results = batch.mark_duplicate_services(results, lang)  # validate and summarize: one rule
    if not score:
        return results, []
    valid = {r.file for r in results if r.status == "valid"}
    if spool is not None:
        spool.index.update({d.result.file: d.parked for d in done if d.parked is not None and d.result.file in valid})
    scored = sorted([d.scored for d in done if d.scored is not None and d.scored.file in valid], key=lambda s: s.file)
    return results, scored


def score_results(results: list[FileResult]) -> list[ScoredAudit]:
    return [s for s in map(_score, results) if s is not None]


def questionnaire_of(
    scored: list[ScoredAudit], results: list[FileResult] | None = None, wanted: str | None = None,
) -> Questionnaire:
    """The round's questionnaire: the included services' (one by ``validation.mixed``); for a round with none
    included, the one asked for, else the one the round's files name most, else the declared default."""
    if scored:
        first = scored[0]
        return registry()[(first.questionnaire_id, first.questionnaire_version)]
    if wanted is not None:
        return newest(wanted)
    known = {q.key: q for q in registry().values()}
    named = Counter(r.questionnaire for r in results or () if r.questionnaire in known)
    if named:
        return known[named.most_common(1)[0][0]]
    return default_questionnaire()


def summary_questionnaire(summary: Summary) -> Questionnaire:
    """The questionnaire ``summary`` was made by."""
    return registry()[(summary.questionnaire_id, summary.questionnaire_version)]


def run_round(
    paths: list[Path], lang: Lang = "cs", jobs: int | None = 1, questionnaire: str | None = None,
) -> tuple[Summary, list[FileResult]]:
    from auditkit.summary import summarize_round

    results, scored = process_files(paths, lang, jobs, one_round=True, questionnaire=questionnaire)
    return summarize_round(questionnaire_of(scored, results, questionnaire), scored, results), results


def load_previous(
    path: Path, lang: Lang = "cs", jobs: int | None = None, questionnaire: str | None = None,
) -> PreviousRound:
    """The previous round for ``summarize --previous``: its summary.json, or a folder summarised first."""
    from auditkit.rounds import PreviousRoundError, previous_from_json

    if not path.exists():
        raise PreviousRoundError("previous_missing", str(path))
    if path.is_dir():
        from auditkit.serialize import summary_json

        summary, _ = run_round([path], lang, jobs, questionnaire)
        if not summary.services:
            raise PreviousRoundError("previous_empty", str(path))
        return previous_from_json(summary_json(summary), str(path))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise PreviousRoundError("previous_not_summary", str(path)) from exc
    return previous_from_json(data, str(path))


def load_replies(folder: Path, summary: Summary, lang: Lang, jobs: int | None = None) -> Summary:
    """The returned plans in ``folder`` matched to the round (``summarize --replies``)."""
    from auditkit.plan import collect_replies

    results, _ = process_files([folder], lang, jobs, score=False)
    return summary.model_copy(update={"replies": collect_replies(results, summary.services, lang,
                                                                 summary.questionnaire_id)})


def with_comparison(summary: Summary, previous: PreviousRound) -> Summary:
    from auditkit.rounds import compare

    q = registry()[(summary.questionnaire_id, summary.questionnaire_version)]
    comparison = compare(q, summary.services, previous, {k: v.median for k, v in summary.area_stats.items()},
                         summary.process_stats.median, summary.outcome_stats.median)
    return summary.model_copy(update={"comparison": comparison})


@contextlib.contextmanager
def stage(tell: Listener, name: Stage, total: int | None = None) -> Iterator[None]:
    """``StageStarted`` before the block, ``StageFinished`` after it (not when it fails)."""
    tell(StageStarted(name, total))
    yield
    tell(StageFinished(name))


def run_summary(
    paths: list[Path], out: Path, lang: Lang = "cs", jobs: int | None = None, reports: bool = True,
    events: Listener | None = None, previous: Path | None = None,
    replies: Path | None = None, reply_days: int = 15, report_date: dt.date | None = None,
    open_data: bool = True, questionnaire: str | None = None,
) -> tuple[Summary, Outputs]:
    """``auditkit summarize``: validate and score every file, aggregate, write every output into ``out``.

    All or nothing: the outputs are written into a staging folder beside ``out`` that replaces ``out`` in
    one step at the end (``staging.staged``); an exception or a signal leaves ``out`` as it was.
    The typed audits wait in a temporary spool, so memory stays flat in the size of the round.
    ``events`` hears every stage, file and report as it happens (``auditkit.events``).
    With ``previous`` (a folder or a summary.json of an earlier round) findings and scores carry their change;
    a ``previous`` that cannot be used raises :class:`PreviousRoundError` before any work is done.
    With ``replies`` (a folder of returned plans) each finding carries the provider's reply and the
    objections are counted. Each report gets a plan workbook whose reply deadline is ``reply_days`` away.
    The round is summarised by one questionnaire (``questionnaire``, an id, or the one most of its workbooks
    use); workbooks of another are rejected with a finding (``validation.mixed``, docs/summary.md).
    """
    from auditkit.rounds import PreviousRoundError
    from auditkit.spool import Spool
    from auditkit.staging import staged
    from auditkit.summary import summarize_round

    tell = events or ignore
    if questionnaire is not None:
        newest(questionnaire)  # an unknown id: a usage error before any work
    if replies is not None and not replies.is_dir():
        raise PreviousRoundError("replies_missing", str(replies))
    prev = None
    if previous is not None:
        with stage(tell, "previous"):
            prev = load_previous(previous, lang, jobs, questionnaire)
    out = Path(os.path.abspath(out))
    check_round(paths, lang, out)
    try:
        with staged(out) as staging, Spool.temporary() as spool:
            results, scored = process_files(paths, lang, jobs, tell, spool=spool, exclude=[out], one_round=True,
                                            questionnaire=questionnaire)
            with stage(tell, "summary"):
                summary = summarize_round(questionnaire_of(scored, results, questionnaire), scored, results)
                if prev is not None and summary.services:
                    summary = with_comparison(summary, prev)
            if replies is not None:
                with stage(tell, "replies"):
                    summary = load_replies(replies, summary, lang, jobs)
            written = write_outputs(summary, results, staging, lang, reports, spool, jobs, tell,
                                    PlanDates.of(report_date, reply_days), open_data)
    except OSError as exc:  # a full disk, a read-only folder: the machine's, in words (``out`` is untouched)
        raise environment_problem(exc, out) from None

    return summary, _moved(written, staging, out)


def _moved(outputs: Outputs, staging: Path, out: Path) -> Outputs:
    """The outputs as they are named once the staging folder became ``out``."""
    def move(value: Any) -> Any:  # a field of Outputs
        if isinstance(value, Path):
            return out / value.relative_to(staging)
        if isinstance(value, list):
            return [move(v) for v in value]
        if isinstance(value, Problem):
            return value.model_copy(update={"file": value.file.replace(str(staging), str(out))})
        return value

    return outputs.model_copy(update={k: move(getattr(outputs, k)) for k in Outputs.model_fields})


def check_round(paths: list[Path], lang: Lang | None, out: Path) -> None:
    """Usage mistakes before anything is written: a path that does not exist, a file that is not a
    workbook, a round without a single workbook (all raise ``UsageError``, exit code 2)."""
    for p in paths:
        if not p.exists() and not p.is_symlink():
            raise UsageError("path_missing", path=p)
        if not p.is_dir() and p.suffix.lower() not in batch.WORKBOOK_SUFFIXES:
            raise UsageError("not_a_workbook", path=p)
    todo, _ = batch.expand(paths, lang, exclude=[out])
    if not todo:
        raise UsageError("empty_round", path=", ".join(str(p) for p in paths))


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()[:60] or "sluzba"


ANONYMOUS_PDF = "summary-anonymni.pdf"  # the edition for providers and the public (docs/summary.md)


class Outputs(BaseModel):
    summary_pdf: Path
    anonymous_pdf: Path | None = None  # summary-anonymni.pdf: codes, no names or ranks, small cells suppressed
    tidy_xlsx: Path
    summary_json: Path
    opendata: Path | None = None  # opendata/datapackage.json, unless skipped
    reports: list[Path]
    plans: list[Path] = []  # the plan workbook beside each report (docs/cycle.md)
    failures: list[Problem] = []  # outputs that could not be written (``output_failed``), each naming its file


def output_failed(file: str, output: Path, lang: Lang, exc: BaseException) -> Problem:
    """One output that failed: the run goes on. Disk and permission errors (OSError) and a wrong data file
    (DefinitionError: a report text or questionnaire, exit 2) are not contained: they would fail every
    output alike and are the environment's or the methodologist's, not one workbook's."""
    if isinstance(exc, (OSError, DefinitionError)):
        raise exc
    return make("output_failed", lang, file, output=output.name, detail=f"{type(exc).__name__}: {str(exc)[:160]}")


class PlanDates(BaseModel):
    """The date of the reports and the provider's reply deadline (``--reply-days`` after it)."""

    report_date: dt.date
    deadline: dt.date

    @classmethod
    def of(cls, report_date: dt.date | None = None, reply_days: int = 15) -> PlanDates:
        day = report_date or dt.date.today()
        return cls(report_date=day, deadline=day + dt.timedelta(days=reply_days))


def write_outputs(
    summary: Summary, results: list[FileResult], out: Path, lang: Lang, reports: bool = True,
    spool: Spool | None = None, jobs: int | None = None, events: Listener | None = None,
    dates: PlanDates | None = None, open_data: bool = True,
) -> Outputs:
    """Write the tidy workbook, the JSON, the summary PDF (both editions), the open-data package
    (``open_data``) and (optionally) one report per service, each a stage told to ``events``.

    The typed audits are read from ``spool``, where :func:`process_files` parked them; a caller whose
    results hold the audits (no spool) has them parked in a temporary one first, so there is one way.
    ``jobs``: processes for the round's outputs, written side by side, and for the provider reports
    (default: by the number of services).
    """
    from auditkit.rounds import service_cycle
    from auditkit.spool import Spool

    if spool is None:
        with Spool.temporary() as own:
            with own.writer() as writer:
                own.index.update({r.file: writer.put(r.audit) for r in results
                                  if r.status == "valid" and r.audit is not None})
            return write_outputs(summary, results, out, lang, reports, own, jobs, events, dates, open_data)

    from auditkit.plan import plan_path

    tell = events or ignore
    q = summary_questionnaire(summary)
    out.mkdir(parents=True, exist_ok=True)
    items = [item for item in ROUND_OUTPUTS if open_data or item[0] != "opendata"]
    # side by side once the round is large enough for a pool to pay (as for the workbooks)
    side_by_side = min(default_jobs(len(summary.services)) if jobs is None else max(1, jobs), len(items))
    first: dict[Stage, tuple[Stage, str]] = {}  # each stage's first output, and its last
    for item in items:
        first.setdefault(item[0], item)
    last = {item[0]: item for item in items}
    failures: list[Problem] = []
    package = None

    def started(item: tuple[Stage, str]) -> None:
        if first[item[0]] == item:
            count = sum(x[0] == item[0] for x in items)
            tell(StageStarted(item[0], count if item[0] == "summary_pdf" else None))

    context = _RoundOutputs(summary=summary, spool=spool, q=q, lang=lang, out=out)
    with workers(context, side_by_side) as pool:
        for item, got in pool.map(_round_output, items, before=started):
            stage_name, name = item
            if isinstance(got, Exception):
                if stage_name in ("tidy", "json"):  # the round's own tables: without them there is no run
                    raise got
                failures.append(output_failed(str(out / name), out / name, lang, got))  # contained
                if stage_name == "summary_pdf":
                    tell(OutputFailed("summary_pdf", name))
            else:
                if stage_name == "summary_pdf":
                    tell(OutputDone("summary_pdf", name))
                elif stage_name == "opendata":
                    package = got
            if last[stage_name] == item:
                tell(StageFinished(stage_name))
    pdf, anonymous, tidy, js = (out / name for name in ("summary.pdf", ANONYMOUS_PDF, "summary.xlsx", "summary.json"))
    written: list[Path] = []
    if reports and summary.services:
        from auditkit.summary import benchmark

        cycles = {s.service.service_id: c for s in summary.services
                  if (c := service_cycle(summary.comparison, summary.replies, s.service.service_id)) is not None}
        job = ReportJob(spool=spool, bench=benchmark(q, summary.services), q=q, lang=lang,
                        dates=dates or PlanDates.of(), cycles=cycles)
        tasks = [(s, out / "reports" / f"{s.service.service_id}_{slug(s.service.service_name)}.pdf")
                 for s in summary.services]
        with stage(tell, "reports", len(tasks)):
            written, failed_reports = write_reports(job, tasks, jobs, tell)
        failures += failed_reports
    return Outputs(summary_pdf=pdf, anonymous_pdf=anonymous, tidy_xlsx=tidy, summary_json=js, opendata=package,
                   reports=written,
                   plans=[plan_path(p) for p in written], failures=failures)


# the round's own outputs, in the order their events are told: (stage, file or folder in the output folder)
ROUND_OUTPUTS: tuple[tuple[Stage, str], ...] = (
    ("tidy", "summary.xlsx"), ("json", "summary.json"), ("summary_pdf", "summary.pdf"),
    ("summary_pdf", ANONYMOUS_PDF), ("opendata", "opendata"),
)


@dataclass(frozen=True)
class _RoundOutputs:
    """What each of the round's outputs needs (a worker gets it once, when the pool starts)."""

    summary: Summary
    spool: Spool  # the typed audits
    q: Questionnaire
    lang: Lang
    out: Path


def _round_output(ctx: _RoundOutputs, item: tuple[Stage, str]) -> Path:
    """Write one of the round's outputs (an item of ``ROUND_OUTPUTS``) into ``ctx.out``; its path.

    Each output is written whole by one process, so the files are the same whatever the number of jobs; with
    more than one job they are written side by side (docs/performance.md)."""
    stage_name, name = item
    path = ctx.out / name
    if stage_name == "tidy":
        from auditkit.tidy import write_tidy

        return write_tidy(ctx.summary, ctx.spool.load, ctx.q, ctx.lang, path)
    if stage_name == "json":
        from auditkit.fsutil import atomic_write
        from auditkit.serialize import write_summary_json

        with atomic_write(path) as tmp, tmp.open("w", encoding="utf-8") as fh:
            write_summary_json(ctx.summary, fh)  # streamed, a service at a time: never whole in memory
            fh.write("\n")
        return path
    if stage_name == "summary_pdf":
        from auditkit.reports.summary_pdf import write_summary_pdf

        return write_summary_pdf(ctx.summary, ctx.q, ctx.lang, path, anonymous=name == ANONYMOUS_PDF)
    from auditkit.opendata import write_opendata

    return write_opendata(ctx.summary, ctx.spool.load, ctx.q, ctx.lang, path)


Written = list[Path | Problem]  # per task: the report written, or why it could not be
ReportTask = tuple["ScoredAudit", Path]


@dataclass(frozen=True)
class ReportJob:
    """What every provider report of a round needs (a worker gets it once, when the pool starts)."""

    spool: Spool  # the typed audits
    bench: Benchmark
    q: Questionnaire
    lang: Lang
    dates: PlanDates
    cycles: dict[str, ServiceCycle]  # service id → its findings' cycle (previous round, replies)


def _report_chunk(job: ReportJob, tasks: list[ReportTask]) -> Written:
    """Write the reports of ``tasks`` and the plan workbook beside each.

    A service whose report or plan fails is that service's ``output_failed`` finding (neither of its two
    files is kept); the other services' are still written. A disk error (OSError) is raised.
    """
    from auditkit.plan import plan_path, write_service_plan
    from auditkit.reports.provider_pdf import write_provider_report

    done: Written = []
    for s, path in tasks:
        try:
            done.append(write_provider_report(job.spool.load(s.file), s, job.bench, job.q, job.lang, path,
                                              report_date=job.dates.report_date, deadline=job.dates.deadline,
                                              cycle=job.cycles.get(s.service.service_id)))
            write_service_plan(job.q, s, job.lang, plan_path(path), job.dates.report_date, job.dates.deadline)
        except Exception as exc:  # noqa: BLE001 - contained: the round goes on
            for half in (path, plan_path(path)):
                half.unlink(missing_ok=True)
            if done and done[-1] == path:
                done.pop()
            done.append(output_failed(s.file, path, job.lang, exc))
    return done


def write_reports(job: ReportJob, tasks: list[ReportTask], jobs: int | None = None,
                  events: Listener | None = None) -> tuple[list[Path], list[Problem]]:
    """One PDF (and plan workbook) per service, in service order, in this process or in a pool (each report
    is written whole by one process, so the files are the same whatever the number of jobs)."""
    tell = events or ignore
    jobs = min(default_jobs(len(tasks), heavy=True) if jobs is None else max(1, jobs), max(1, len(tasks)))
    paths: list[Path] = []
    failures: list[Problem] = []
    with workers(job, jobs) as pool:
        for chunk, got in pool.map(_report_chunk, chunks(tasks, pool.jobs, per_job=4)):
            if isinstance(got, OSError):
                raise got
            if isinstance(got, Exception):  # the task failed or its worker died: its services' reports failed
                got = [output_failed(s.file, path, job.lang, got) for s, path in chunk]
            for (_, path), one in zip(chunk, got, strict=True):
                if isinstance(one, Path):
                    paths.append(one)
                    tell(OutputDone("reports", f"reports/{path.name}"))
                else:
                    failures.append(one)
                    tell(OutputFailed("reports", f"reports/{path.name}"))
    return paths, failures


def provider_report(file: Path, benchmark_paths: list[Path], lang: Lang,
                    out: Path) -> tuple[FileResult, Benchmark | None]:
    """One provider's report: (the file's result, the benchmark used) — benchmark None if the file is invalid.

    The region is every valid service of ``benchmark_paths`` on the same questionnaire, the service itself
    counted once (it is usually in the same folder).
    """
    from auditkit.reports.provider_pdf import write_provider_report
    from auditkit.summary import benchmark

    own_results, own_scored = process_files([file], lang, 1)
    result = own_results[0]
    if not own_scored or result.audit is None:  # without a spool a scored file keeps its audit
        return result, None
    own = own_scored[0]
    q = registry()[(own.questionnaire_id, own.questionnaire_version)]
    _, region = process_files(benchmark_paths, lang) if benchmark_paths else ([], [])
    others = [s for s in region if s.service.service_id != own.service.service_id  # the region on the same definition
              and (s.questionnaire_id, s.questionnaire_version) == (q.id, q.version)]
    bench: Benchmark = benchmark(q, [own, *others])
    write_provider_report(result.audit, own, bench, q, lang, out)
    return result, bench
