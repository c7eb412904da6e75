"""`aerosync check`'s run: the companies file read, every connection of every company tested once,
the aerosync database last; one `Check` per verdict, worded as a line or as JSON.

A connection several companies (or aircraft) share is tested once and reported under each; a
connection whose test raised is one failed line, never a traceback, and never stops the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from aerosync.config.companies import CompanyConfig
from aerosync.config.companies_file import LoadedConfig
from aerosync.models import CheckStatus, Verdict
from aerosync.redaction import safe_error

ALL = "*"  # what every company shares: the companies file, the aerosync database
DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class Check:
    """One verdict, placed: whose (`company`, or `*`) and about what (`subject`)."""

    company: str
    subject: str
    name: str
    status: CheckStatus
    detail: str

    @property
    def ok(self) -> bool:
        return self.status is not CheckStatus.FAILED

    def line(self) -> str:
        return f"{self.status:<7}  {self.company}  {self.subject} · {self.name}: {self.detail}"

    def to_dict(self) -> dict[str, str]:
        return {
            "company": self.company,
            "subject": self.subject,
            "check": self.name,
            "status": str(self.status),
            "detail": self.detail,
        }


Tester = Callable[[], list[Verdict]]


class _Once:
    """Each (kind, connection) tested once per run; its verdicts reused for every company."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], list[Verdict]] = {}

    def __call__(self, kind: str, key: str, test: Tester) -> list[Verdict]:
        if (kind, key) not in self.seen:
            try:
                self.seen[(kind, key)] = test()
            except Exception as exc:  # a check that could not even start says why
                self.seen[(kind, key)] = [Verdict.failed("test", safe_error(exc))]
        return self.seen[(kind, key)]


def _marketplace(conn_id: str, timeout: float, product: str) -> list[Verdict]:
    from aerosync.airflow.avinode_hook import AvinodeHook
    from aerosync.airflow.setup_check.sources import undefined

    missing = undefined(conn_id)
    if missing is not None:
        return [missing]
    return AvinodeHook(avinode_conn_id=conn_id, timeout=timeout).check_verdicts(product)


def _marketplace_subjects(
    company: CompanyConfig, timeout: float, product: str, once: _Once
) -> Iterator[tuple[str, list[Verdict]]]:
    """The company's marketplace connection, then each other one its aircraft use."""
    tails: dict[str, list[str]] = {}
    for tail, conn_id in sorted(company.aircraft_connections.items()):
        if conn_id != company.marketplace_conn_id:
            tails.setdefault(conn_id, []).append(tail)
    for conn_id in [company.marketplace_conn_id, *sorted(tails)]:
        subject = f"marketplace connection {conn_id}"
        if conn_id in tails:
            subject += f" (aircraft {', '.join(tails[conn_id])})"
        yield (
            subject,
            once("marketplace", conn_id, partial(_marketplace, conn_id, timeout, product)),
        )


def _records_subjects(
    company: CompanyConfig, timeout: float, once: _Once
) -> Iterator[tuple[str, list[Verdict]]]:
    """The training sync's sources and the LRS it posts EBT results to."""
    from aerosync.airflow.setup_check import sources

    records = company.training.records if company.training is not None else None
    if records is None:
        return
    for label, transport in (
        ("HRIS", records.hris),
        ("qualifications", records.qualifications),
        ("EBT gradings", records.ebt_gradings),
        ("course catalog", records.courses),
        ("enrolments", records.enrolments),
    ):
        if transport is not None and transport.rest is not None:
            rest = transport.rest
            test = partial(sources.rest_source_verdicts, rest, timeout)
            key = f"{rest.conn_id}/{rest.endpoint}"
            yield f"{label} connection {rest.conn_id}", once("rest", key, test)
        elif transport is not None and transport.csv is not None:
            yield f"{label} CSV drop", sources.csv_drop_verdicts(transport.csv)
    roster = records.roster
    if roster is not None:
        kind = "XML" if roster.xml else "CSV"
        yield f"roster {kind} drop", sources.csv_drop_verdicts(str(roster.xml or roster.csv), kind)
    statements = records.statements
    if statements is not None and statements.lrs is not None:
        lrs = statements.lrs
        test = partial(sources.lrs_verdicts, lrs, timeout)
        yield f"LRS connection {lrs.conn_id}", once("lrs", f"{lrs.conn_id}/{lrs.endpoint}", test)
    elif statements is not None and statements.csv is not None:
        yield "LMS statements CSV drop", sources.csv_drop_verdicts(statements.csv)
    target = records.post_ebt_to
    if target is not None:
        test = partial(sources.lrs_verdicts, target, timeout)
        key = f"{target.conn_id}/{target.endpoint}"
        yield f"LRS connection {target.conn_id} (EBT results out)", once("lrs", key, test)
    events = records.events
    if events is not None and events.redis_conn_id is not None:
        from aerosync.airflow.setup_check.events import events_verdicts

        channel = events.channel_of(company.id)
        test = partial(events_verdicts, events.redis_conn_id, channel, timeout)
        key = f"{events.redis_conn_id}/{channel}"
        yield f"events connection {events.redis_conn_id}", once("events", key, test)


def _subjects(
    company: CompanyConfig, timeout: float, now: datetime, product: str, once: _Once
) -> Iterator[tuple[str, list[Verdict]]]:
    """(subject, verdicts) for every connection and drop the company uses."""
    from aerosync.airflow.setup_check import sources

    yield from _marketplace_subjects(company, timeout, product, once)
    fms = company.fms
    test = partial(sources.fms_connection_verdicts, company, timeout, now)
    yield (
        f"FMS connection {fms.conn_id} ({fms.dialect})",
        once("fms", f"{fms.conn_id}/{fms.dialect}", test),
    )
    bookings = company.training.bookings if company.training is not None else None
    if bookings is not None:
        rest = bookings.rest
        subject = f"LMS bookings connection {rest.conn_id}" if rest else "LMS bookings CSV drop"
        yield subject, sources.lms_bookings_verdicts(company, timeout, now)
    if company.ams is not None:
        from aerosync.airflow.setup_check import ams

        yield ams.subject(company.ams), ams.ams_verdicts(company, timeout, now)
    yield from _records_subjects(company, timeout, once)
    if company.alerts is not None:
        smtp = company.alerts.smtp_conn_id
        test = partial(sources.smtp_verdicts, smtp, timeout)
        yield f"SMTP connection {smtp} (alerts)", once("smtp", smtp, test)


def _config_checks(loaded: LoadedConfig) -> list[Check]:
    subject = f"companies file {loaded.path}"
    checks = [
        Check(problem.company, subject, "entry", CheckStatus.FAILED, problem.message)
        for problem in loaded.problems
    ]
    if not loaded.problems or loaded.companies:
        count = len(loaded.companies)
        status = CheckStatus.OK if count else CheckStatus.WARNING
        detail = f"{count} valid companies" if count else "no valid company: nothing to check"
        checks.insert(0, Check(ALL, subject, "read", status, detail))
    return checks


def run_checks(
    loaded: LoadedConfig,
    companies: Sequence[CompanyConfig],
    timeout: float = DEFAULT_TIMEOUT,
    now: datetime | None = None,
) -> list[Check]:
    """Every check, in the order a reader fixes things: the file, each company, the database."""
    from aerosync.airflow.setup_check.store import store_subject_and_engine, store_verdicts

    moment = now or datetime.now(UTC)
    checks = _config_checks(loaded)
    once = _Once()
    for company in companies:
        for subject, verdicts in _subjects(company, timeout, moment, loaded.product, once):
            checks.extend(Check(company.id, subject, v.name, v.status, v.detail) for v in verdicts)
    try:
        subject, engine = store_subject_and_engine(timeout)
    except Exception as exc:  # a connection of a type without a SQL hook, a bad URL
        failed = Check(ALL, "aerosync database", "connection", CheckStatus.FAILED, safe_error(exc))
        checks.append(failed)
        return checks
    try:
        verdicts = store_verdicts(engine)
    finally:
        engine.dispose()
    checks.extend(Check(ALL, subject, v.name, v.status, v.detail) for v in verdicts)
    return checks


def summary(checks: Sequence[Check]) -> str:
    counts = {status: sum(c.status is status for c in checks) for status in CheckStatus}
    return (
        f"{len(checks)} checks: {counts[CheckStatus.OK]} ok, "
        f"{counts[CheckStatus.WARNING]} warnings, {counts[CheckStatus.FAILED]} failed"
    )


def as_document(loaded: LoadedConfig, checks: Sequence[Check]) -> dict[str, Any]:
    """What `-o json` and `-o yaml` print: the companies file read, the verdict, every check."""
    return {
        "companies_file": str(loaded.path) if loaded.path else None,
        "ok": all(c.ok for c in checks),
        "summary": summary(checks),
        "checks": [c.to_dict() for c in checks],
    }


def as_lines(checks: Sequence[Check]) -> str:
    """What the table output prints: one line per check, then the count."""
    return "\n".join([*(check.line() for check in checks), summary(checks)])
