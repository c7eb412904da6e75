"""`aerosync`: status of every aircraft, the local marketplace sandbox, a config check."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine

from aerosync.models import ATTENTION_ORDER
from aerosync.stores.status import StatusRecord, StatusStore

DB_URL_ENV = "AEROSYNC_DB_URL"


def _engine(url: str | None) -> Engine:
    """`--db`, else AEROSYNC_DB_URL, else the Airflow connection (or its SQLite default)."""
    from aerosync.stores.database import engine_from_url

    chosen = url or os.environ.get(DB_URL_ENV)
    if chosen:
        return engine_from_url(chosen)
    from aerosync.airflow.connections import aerosync_engine

    return aerosync_engine()


def _age(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h ago"
    return f"{minutes // 1440} d ago"


def _why(record: StatusRecord) -> str:
    parts = [str(r.get("message", "")) for r in record.reasons]
    parts += [
        f"{m.get('code')}: {m.get('title') or m.get('message')}"
        + (f" [{m['activity_id']}]" if m.get("activity_id") else "")
        for m in record.messages
        if m.get("level", m.get("severity")) in ("error", "warning", "blocking")
    ]
    real = record.last_real_attempt
    if real:  # first: a skip must not hide what the last real attempt said (safety rule 7)
        said = [str(r.get("message", "")) for r in real.reasons]
        said += [f"{m.get('code')}: {m.get('title') or m.get('message')}" for m in real.messages]
        http = f" HTTP {real.http_status}" if real.http_status else ""
        at = real.attempted_at[11:19]
        parts.insert(
            0,
            f"last real attempt {real.outcome}{http} at {at} UTC"
            + (f": {'; '.join(said)}" if said else ""),
        )
    return _fit([p for p in parts if p], DETAILS_WIDTH)


DETAILS_WIDTH = 160


def _fit(parts: Sequence[str], width: int) -> str:
    """Whole messages up to `width` characters, then how many more there are."""
    shown: list[str] = []
    for index, part in enumerate(parts):
        rest = len(parts) - index
        candidate = "; ".join([*shown, part])
        if len(candidate) > width and shown:
            return "; ".join(shown) + f" (+{rest} more: --json shows all)"
        if len(candidate) > width:
            return part[: width - 1] + "…" + (f" (+{rest - 1} more)" if rest > 1 else "")
        shown.append(part)
    return "; ".join(shown)


def format_table(records: Sequence[StatusRecord], now: datetime | None = None) -> str:
    """A per-aircraft table a dispatcher can read; failing and held aircraft first."""
    moment = now or datetime.now(UTC)
    rows = sorted(records, key=lambda r: (ATTENTION_ORDER[r.outcome.value], r.company, r.tail))
    header = ("COMPANY", "TAIL", "OUTCOME", "HTTP", "SENT", "ATTEMPTED", "LAST SUCCESS", "DETAILS")
    lines = [header] + [
        (
            r.company,
            r.tail,
            r.outcome.value,
            str(r.http_status or "-"),
            str(r.activities_sent),
            _age(r.attempted_at, moment),
            _age(r.last_success_at, moment),
            _why(r),
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    return "\n".join(
        "  ".join([*(c.ljust(w) for c, w in zip(line[:-1], widths, strict=True)), line[-1]])
        for line in lines
    )


def cmd_status(args: argparse.Namespace) -> int:
    store = StatusStore(_engine(args.db))
    store.ensure_schema()
    records = store.latest(args.company)
    if args.json:
        print(json.dumps([r.to_json() for r in records], indent=2))
        return 0
    if not records:
        scope = f"company {args.company!r}" if args.company else "any company"
        print(f"No upload has been recorded for {scope} yet.")
        return 0
    print(format_table(records))
    return 0


def cmd_sandbox(args: argparse.Namespace) -> int:
    from aerosync.sandbox.server import serve

    serve(args.host, args.port)
    return 0


def cmd_config_check(args: argparse.Namespace) -> int:
    from pathlib import Path

    from aerosync.config.companies import load_config

    loaded = load_config(Path(args.file) if args.file else None)
    for company in loaded.companies:
        print(f"ok       {company.id}: {company.dag_id}, schedule {company.schedule}")
    for problem in loaded.problems:
        print(f"refused  {problem}")
    return 1 if loaded.problems else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aerosync", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    status = commands.add_parser("status", help="latest upload attempt of every aircraft")
    status.add_argument("--company", help="only this company id")
    status.add_argument("--json", action="store_true", help="a JSON list instead of a table")
    status.add_argument(
        "--db",
        help=f"aerosync database URL (default: ${DB_URL_ENV}, else the Airflow connection "
        "aerosync_db, else $AIRFLOW_HOME/aerosync.db)",
    )
    status.set_defaults(func=cmd_status)

    sandbox = commands.add_parser("sandbox", help="run the local marketplace sandbox")
    sandbox.add_argument("--port", type=int, default=8765)
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.set_defaults(func=cmd_sandbox)

    config = commands.add_parser("config", help="check the companies file")
    config.add_argument("action", choices=["check"])
    config.add_argument("--file", help="companies file (default: $AEROSYNC_CONFIG)")
    config.set_defaults(func=cmd_config_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a user-facing command: a clear line, not a traceback
        from aerosync.schedule.sources.health import safe_error

        print(f"aerosync {args.command}: {safe_error(exc)}", file=sys.stderr)
        return 2
    return result


if __name__ == "__main__":
    sys.exit(main())
