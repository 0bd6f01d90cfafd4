"""One audit round end to end: validate every file, score the valid ones, aggregate, write outputs.

Workers validate and score and return small results; the order of outputs never depends on the number
of jobs (results are sorted by file name).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from pydantic import BaseModel

from auditkit.errors import UsageError, environment_problem
from auditkit.interrupt import worker_init
from auditkit.questionnaire.loader import default_questionnaire, registry
from auditkit.questionnaire.models import Questionnaire
from auditkit.rounds import (
    PreviousRound,
    PreviousRoundError,
    ServiceCycle,
    compare,
    previous_from_json,
    service_cycle,
)
from auditkit.scoring import ScoredAudit, score_audit
from auditkit.spool import Parked, Spool
from auditkit.staging import staged
from auditkit.summary import Benchmark, Summary, summarize_round
from auditkit.validation import batch
from auditkit.validation.findings import Finding, failed, make
from auditkit.validation.models import Audit, FileResult


class Processed(BaseModel):
    result: FileResult
    scored: ScoredAudit | None = None
    parked: Parked | None = None  # where the typed audit waits when the run keeps a spool


def process_one(path: Path, name: str, lang: str | None, score: bool = True) -> Processed:
    """Validate and (when ``score``) score one workbook; runs in a worker process.

    Without scoring only the findings are needed: the typed audit is dropped so workers return small results.
    """
    result = batch.validate_one(path, name, lang)
    if not score:
        return Processed(result=result.model_copy(update={"audit": None}))
    return Processed(result=result, scored=_score(result))


def _score(result: FileResult) -> ScoredAudit | None:
    if result.status != "valid" or result.audit is None:
        return None
    q = registry()[(result.audit.questionnaire_id, result.audit.questionnaire_version)]
    return score_audit(q, result.audit)


def _process_chunk(
    items: list[tuple[Path, str]], lang: str | None, score: bool, spool: Spool | None,
    progress: Callable[[int], None] | None = None,
) -> list[Processed]:
    """Process ``items``; with a spool, every typed audit is parked there and only small results return."""
    done = []
    writer = spool.writer() if spool is not None and score else None
    try:
        for i, (p, n) in enumerate(items):
            one = process_one(p, n, lang, score)
            audit = one.result.audit
            if writer is not None and audit is not None:
                one = Processed(result=one.result.model_copy(update={"audit": None}), scored=one.scored,
                                parked=writer.put(audit))
            done.append(one)
            if progress:
                progress(i + 1)
    finally:
        if writer is not None:
            writer.close()
    return done


def default_jobs(n_files: int, *, heavy: bool = False) -> int:
    """Processes pay above a few dozen workbooks (or a few reports, ``heavy``); never more than the cores."""
    return 1 if n_files < (4 if heavy else 40) else max(1, min(os.cpu_count() or 1, 4))


@contextlib.contextmanager
def _pool(jobs: int) -> Iterator[ProcessPoolExecutor]:
    """A process pool whose workers inherit a frozen heap: the garbage collector never walks what was
    there before the fork, so the workers neither copy those pages nor spend time on them (~10 %).

    The workers ignore SIGINT and die with this process (``interrupt.worker_init``); when the block is left
    by an exception (a signal, an error) they are ended at once instead of finishing their queue.
    """
    gc.freeze()
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=worker_init, initargs=(os.getpid(),))
    try:
        yield pool
    except BaseException:
        _end(pool)
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        gc.unfreeze()


def _end(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: pending work cancelled, every worker terminated (killed if it lingers) and reaped."""
    workers = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for w in workers:
        with contextlib.suppress(Exception):
            w.terminate()
    for w in workers:
        with contextlib.suppress(Exception):
            w.join(timeout=3)
            if w.is_alive():
                w.kill()
                w.join(timeout=3)


def process_files(
    paths: list[Path],
    lang: str | None,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    score: bool = True,
    spool: Spool | None = None,
    exclude: list[Path] | None = None,
) -> tuple[list[FileResult], list[ScoredAudit]]:
    """Every file of ``paths`` validated (and scored), in file order whatever the number of jobs.

    ``lang`` None: each workbook's messages in its own language (``_meta``).

    With a ``spool`` the valid files' typed audits are parked there (``spool.index``) instead of being
    kept in the results, so memory stays flat however many files there are.
    """
    todo, skipped = batch.expand(paths, lang, exclude or ())
    jobs = default_jobs(len(todo)) if jobs is None else max(1, jobs)
    done: list[Processed] = []
    if jobs == 1 or len(todo) < 2:
        tick = (lambda i: progress(i, len(todo))) if progress else None
        done = _process_chunk(todo, lang, score, spool, tick)
    else:
        size = max(1, min(4, len(todo) // (jobs * 8)))  # small chunks: the workers finish together
        chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
        registry()  # load the definitions once, before the workers fork
        with _pool(jobs) as pool:
            futures = [(chunk, pool.submit(_process_chunk, chunk, lang, score, spool)) for chunk in chunks]
            for chunk, fut in futures:
                try:
                    done.extend(fut.result())
                except Exception as exc:  # noqa: BLE001 - a worker died: its files are reported, the run goes on
                    done.extend(
                        Processed(result=FileResult(file=n, status="invalid", findings=[failed(n, lang or "cs", exc)]))
                        for _, n in chunk
                    )
                if progress:
                    progress(len(done), len(todo))
    results = sorted([d.result for d in done] + skipped, key=lambda r: r.file)
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


def questionnaire_of(scored: list[ScoredAudit]) -> Questionnaire:
    if not scored:
        return default_questionnaire()
    first = scored[0]
    return registry()[(first.questionnaire_id, first.questionnaire_version)]


def run_round(paths: list[Path], lang: str = "cs", jobs: int | None = 1) -> tuple[Summary, list[FileResult]]:
    results, scored = process_files(paths, lang, jobs)
    return summarize_round(questionnaire_of(scored), scored, results), results


def load_previous(path: Path, lang: str = "cs", jobs: int | None = None) -> PreviousRound:
    """The previous round for ``summarize --previous``: its summary.json, or a folder summarised first."""
    if not path.exists():
        raise PreviousRoundError("previous_missing", str(path))
    if path.is_dir():
        from auditkit.serialize import summary_json

        summary, _ = run_round([path], lang, jobs)
        if not summary.services:
            raise PreviousRoundError("previous_empty", str(path))
        return previous_from_json(summary_json(summary), str(path))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise PreviousRoundError("previous_not_summary", str(path)) from exc
    return previous_from_json(data, str(path))


def load_replies(folder: Path, summary: Summary, lang: str, jobs: int | None = None) -> Summary:
    """The returned plans in ``folder`` matched to the round (``summarize --replies``)."""
    from auditkit.plan import collect_replies

    results, _ = process_files([folder], lang, jobs, score=False)
    return summary.model_copy(update={"replies": collect_replies(results, summary.services, lang)})


def with_comparison(summary: Summary, previous: PreviousRound) -> Summary:
    q = registry()[(summary.questionnaire_id, summary.questionnaire_version)]
    comparison = compare(q, summary.services, previous, {k: v.median for k, v in summary.area_stats.items()},
                         summary.process_stats.median, summary.outcome_stats.median)
    return summary.model_copy(update={"comparison": comparison})


def run_summary(
    paths: list[Path], out: Path, lang: str = "cs", jobs: int | None = None, reports: bool = True,
    progress: Callable[[str, int, int], None] | None = None, previous: Path | None = None,
    replies: Path | None = None, reply_days: int = 15, report_date: dt.date | None = None,
    open_data: bool = True,
) -> tuple[Summary, Outputs]:
    """``auditkit summarize``: validate and score every file, aggregate, write every output into ``out``.

    All or nothing: the outputs are written into a staging folder beside ``out`` that replaces ``out`` in
    one step at the end (``staging.staged``); an exception or a signal leaves ``out`` as it was.
    The typed audits wait in a temporary spool, so memory stays flat in the size of the round.
    ``progress(phase, done, total)`` is told how far it is; ``phase`` is "workbooks", then "outputs".
    With ``previous`` (a folder or a summary.json of an earlier round) findings and scores carry their change;
    a ``previous`` that cannot be used raises :class:`PreviousRoundError` before any work is done.
    With ``replies`` (a folder of returned plans) each finding carries the provider's reply and the
    objections are counted. Each report gets a plan workbook whose reply deadline is ``reply_days`` away.
    """
    tick = progress or (lambda phase, done, total: None)
    if replies is not None and not replies.is_dir():
        raise PreviousRoundError("replies_missing", str(replies))
    prev = load_previous(previous, lang, jobs) if previous is not None else None
    out = Path(os.path.abspath(out))
    check_round(paths, lang, out)
    try:
        with staged(out) as staging, Spool.temporary() as spool:
            results, scored = process_files(paths, lang, jobs, lambda d, t: tick("workbooks", d, t), spool=spool,
                                            exclude=[out])
            summary = summarize_round(questionnaire_of(scored), scored, results)
            if prev is not None and summary.services:
                summary = with_comparison(summary, prev)
            if replies is not None:
                summary = load_replies(replies, summary, lang, jobs)
            tick("outputs", 0, len(summary.services) if reports else 0)
            written = write_outputs(summary, results, staging, lang, reports, spool, jobs,
                                    lambda d, t: tick("outputs", d, t), PlanDates.of(report_date, reply_days),
                                    open_data)
    except OSError as exc:  # a full disk, a read-only folder: the machine's, in words (``out`` is untouched)
        raise environment_problem(exc, out) from None

    return summary, _moved(written, staging, out)


def _moved(outputs: Outputs, staging: Path, out: Path) -> Outputs:
    """The outputs as they are named once the staging folder became ``out``."""
    def move(value):  # a field of Outputs
        if isinstance(value, Path):
            return out / value.relative_to(staging)
        if isinstance(value, list):
            return [move(v) for v in value]
        if isinstance(value, Finding):
            return value.model_copy(update={"file": value.file.replace(str(staging), str(out))})
        return value

    return outputs.model_copy(update={k: move(getattr(outputs, k)) for k in Outputs.model_fields})


def check_round(paths: list[Path], lang: str | None, out: Path) -> None:
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
    failures: list[Finding] = []  # outputs that could not be written (``output_failed``), each naming its file


def output_failed(file: str, output: Path, lang: str, exc: BaseException) -> Finding:
    """One output that failed: the run goes on. Disk and permission errors (OSError) are not contained:
    they would fail every output alike and are the environment's, not one workbook's."""
    if isinstance(exc, OSError):
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


AuditSource = Callable[[str], Audit]  # file name → its typed audit


def audit_source(results: list[FileResult], spool: Spool | None = None) -> AuditSource:
    """Where the typed audits of the included files come from: the spool, or the results themselves."""
    if spool is not None:
        return spool.load
    audits = {r.file: r.audit for r in results if r.status == "valid" and r.audit is not None}
    return audits.__getitem__


def write_outputs(
    summary: Summary, results: list[FileResult], out: Path, lang: str, reports: bool = True,
    spool: Spool | None = None, jobs: int | None = None, progress: Callable[[int, int], None] | None = None,
    dates: PlanDates | None = None, open_data: bool = True,
) -> Outputs:
    """Write the summary PDF, the tidy workbook, the JSON, the open-data package (``open_data``) and
    (optionally) one report per service.

    ``spool``: where :func:`process_files` parked the typed audits (else they are taken from ``results``).
    ``jobs``: processes for the provider reports (default: by the number of services).
    """
    import json

    from auditkit.fsutil import atomic_write
    from auditkit.plan import plan_path
    from auditkit.reports.summary_pdf import write_summary_pdf
    from auditkit.serialize import summary_json
    from auditkit.summary import benchmark
    from auditkit.tidy import write_tidy

    q = questionnaire_of(summary.services)
    out.mkdir(parents=True, exist_ok=True)
    audit_of = audit_source(results, spool)
    tidy = out / "summary.xlsx"
    write_tidy(summary, audit_of, q, lang, tidy)
    js = out / "summary.json"
    with atomic_write(js) as tmp, tmp.open("w", encoding="utf-8") as fh:  # streamed: no copy of it in memory
        json.dump(summary_json(summary), fh, ensure_ascii=False, indent=2, default=str)
        fh.write("\n")
    pdf = out / "summary.pdf"
    anonymous = out / ANONYMOUS_PDF
    failures = []
    for path, anon in ((pdf, False), (anonymous, True)):
        try:
            write_summary_pdf(summary, q, lang, path, anonymous=anon)
        except Exception as exc:  # noqa: BLE001 - contained: the other outputs are still written
            failures.append(output_failed(str(path), path, lang, exc))
    package = None
    if open_data:
        from auditkit.opendata import write_opendata

        try:
            package = write_opendata(summary, audit_of, q, lang, out / "opendata")
        except Exception as exc:  # noqa: BLE001 - contained like the PDF: the other outputs are still written
            failures.append(output_failed(str(out / "opendata"), out / "opendata", lang, exc))
    written = []
    if reports and summary.services:
        bench = benchmark(q, summary.services)
        tasks = [(s, out / "reports" / f"{s.service.service_id}_{slug(s.service.service_name)}.pdf")
                 for s in summary.services]
        cycles = {s.service.service_id: c for s in summary.services
                  if (c := service_cycle(summary.comparison, summary.replies, s.service.service_id)) is not None}
        written, failed_reports = _write_reports(tasks, audit_of, spool, bench, q, lang, jobs, progress,
                                                 dates or PlanDates.of(), cycles)
        failures += failed_reports
    return Outputs(summary_pdf=pdf, anonymous_pdf=anonymous, tidy_xlsx=tidy, summary_json=js, opendata=package,
                   reports=written,
                   plans=[plan_path(p) for p in written], failures=failures)


Written = list[Path | Finding]  # per task: the report written, or why it could not be


def _report_chunk(tasks: list[tuple[ScoredAudit, Path]], audit_of: AuditSource, bench: Benchmark,
                  q: Questionnaire | tuple[str, str], lang: str, dates: PlanDates,
                  cycles: dict[str, ServiceCycle] | None = None) -> Written:
    """Write the reports of ``tasks`` and the plan workbook beside each; ``q`` may be given by its registry
    key (cheaper to send to a worker).

    A service whose report or plan fails is that service's ``output_failed`` finding (neither of its two
    files is kept); the other services' are still written.
    """
    from auditkit.plan import plan_path, write_service_plan
    from auditkit.reports.provider_pdf import write_provider_report

    if isinstance(q, tuple):
        q = registry()[q]
    done: Written = []
    for s, path in tasks:
        try:
            done.append(write_provider_report(audit_of(s.file), s, bench, q, lang, path,
                                              report_date=dates.report_date, deadline=dates.deadline,
                                              cycle=(cycles or {}).get(s.service.service_id)))
            write_service_plan(q, s, lang, plan_path(path), dates.report_date, dates.deadline)
        except Exception as exc:  # noqa: BLE001 - contained: the round goes on
            for half in (path, plan_path(path)):
                half.unlink(missing_ok=True)
            if done and done[-1] == path:
                done.pop()
            done.append(output_failed(s.file, path, lang, exc))
    return done


def _split(done: Written) -> tuple[list[Path], list[Finding]]:
    return [d for d in done if isinstance(d, Path)], [d for d in done if isinstance(d, Finding)]


def _write_reports(
    tasks: list[tuple[ScoredAudit, Path]], audit_of: AuditSource, spool: Spool | None, bench: Benchmark,
    q: Questionnaire, lang: str, jobs: int | None, progress: Callable[[int, int], None] | None,
    dates: PlanDates, cycles: dict[str, ServiceCycle] | None = None,
) -> tuple[list[Path], list[Finding]]:
    """One PDF per service, in service order; in parallel when it pays (each report is written whole
    by one process, so the files are the same whatever the number of jobs).

    The workers read the audits from the spool; without one (a library caller holding the audits in its
    results) the reports are written here, as sending every audit to the workers would cost more.
    """
    jobs = default_jobs(len(tasks), heavy=True) if jobs is None else max(1, jobs)
    if jobs == 1 or len(tasks) < 2 or spool is None:
        done: Written = []
        for i, task in enumerate(tasks):
            done += _report_chunk([task], audit_of, bench, q, lang, dates, cycles)
            if progress:
                progress(i + 1, len(tasks))
        return _split(done)
    size = max(1, min(4, len(tasks) // (jobs * 4)))
    chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
    done = []
    key = (q.id, q.version)
    q_ref = key if registry().get(key) is q else q  # the registry's own definition: send its key only
    with _pool(jobs) as pool:
        futures = []
        for chunk in chunks:  # each worker is sent the spool index of its own chunk only
            part = Spool(spool.folder, {s.file: spool.index[s.file] for s, _ in chunk})
            mine = {s.service.service_id: cycles[s.service.service_id] for s, _ in chunk
                    if cycles and s.service.service_id in cycles}
            futures.append((chunk, pool.submit(_report_chunk, chunk, part.load, bench, q_ref, lang, dates, mine)))
        for chunk, fut in futures:
            try:
                done += fut.result()
            except OSError:
                raise
            except Exception as exc:  # noqa: BLE001 - a worker died: its services' reports failed, not the round
                done += [output_failed(s.file, path, lang, exc) for s, path in chunk]
            if progress:
                progress(len(done), len(tasks))
    return _split(done)


def provider_report(file: Path, benchmark_paths: list[Path], lang: str, out: Path):
    """One provider's report: (the file's result, the benchmark used) — benchmark None if the file is invalid.

    The region is every valid service of ``benchmark_paths`` on the same questionnaire, the service itself
    counted once (it is usually in the same folder).
    """
    from auditkit.reports.provider_pdf import write_provider_report
    from auditkit.summary import benchmark

    own_results, own_scored = process_files([file], lang, 1)
    result = own_results[0]
    if not own_scored:
        return result, None
    own = own_scored[0]
    q = registry()[(own.questionnaire_id, own.questionnaire_version)]
    _, region = process_files(benchmark_paths, lang) if benchmark_paths else ([], [])
    others = [s for s in region if s.service.service_id != own.service.service_id and s.questionnaire_id == q.id]
    bench: Benchmark = benchmark(q, [own, *others])
    write_provider_report(result.audit, own, bench, q, lang, out)
    return result, bench
