"""`aerosync`: status of every aircraft, the local marketplace sandbox, a config check, and a
check of every connection the companies use.

A thin dispatcher: each command's work lives in its wing (`aerosync.status.cli` for `status`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from sqlalchemy import Engine

from aerosync.status.cli import show_status

DB_URL_ENV = "AEROSYNC_DB_URL"


def _engine(url: str | None) -> Engine:
    """`--db`, else AEROSYNC_DB_URL, else the Airflow connection (or its SQLite default)."""
    from aerosync.stores.database import engine_from_url

    chosen = url or os.environ.get(DB_URL_ENV)
    if chosen:
        return engine_from_url(chosen)
    from aerosync.airflow.connections import aerosync_engine

    return aerosync_engine()


def cmd_status(args: argparse.Namespace) -> int:
    from aerosync.config.companies_file import load_config
    from aerosync.status.staleness import freshness_by_company

    freshness = freshness_by_company(load_config().companies)  # `stale` in --json
    return show_status(_engine(args.db), args.company, args.json, freshness)


def cmd_sandbox(args: argparse.Namespace) -> int:
    from aerosync.sandbox.server import serve

    serve(args.host, args.port)
    return 0


def cmd_config_check(args: argparse.Namespace) -> int:
    from pathlib import Path

    from aerosync.config.companies_file import load_config

    loaded = load_config(Path(args.file) if args.file else None)
    for company in loaded.companies:
        print(f"ok       {company.id}: {company.dag_id}, schedule {company.schedule}")
    for problem in loaded.problems:
        print(f"refused  {problem}")
    return 1 if loaded.problems else 0


def cmd_check(args: argparse.Namespace) -> int:
    """Every connection of every company (or of `--company`): 0 when none failed, 1 when one
    did, 2 for an unknown company."""
    from pathlib import Path

    from aerosync.airflow.setup_check.report import as_json, run_checks, summary
    from aerosync.config.companies_file import load_config

    loaded = load_config(Path(args.file) if args.file else None)
    companies = loaded.companies
    if args.company:
        companies = [c for c in loaded.companies if c.id == args.company]
        if not companies:
            known = ", ".join(c.id for c in loaded.companies) or "none"
            print(f"aerosync check: no company {args.company!r} in {loaded.path} (valid: {known})",
                  file=sys.stderr)  # fmt: skip
            return 2
    checks = run_checks(loaded, companies, timeout=args.timeout)
    if args.json:
        print(as_json(loaded, checks))
    else:
        for check in checks:
            print(check.line())
        print(summary(checks))
    return 0 if all(check.ok for check in checks) else 1


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

    check = commands.add_parser(
        "check", help="test every connection the companies use (exit 1 if one fails)"
    )
    check.add_argument("--file", help="companies file (default: $AEROSYNC_CONFIG)")
    check.add_argument("--company", help="only this company id")
    check.add_argument("--json", action="store_true", help="a JSON document instead of lines")
    check.add_argument(
        "--timeout", type=float, default=10.0, help="seconds per network step (default 10)"
    )
    check.set_defaults(func=cmd_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a user-facing command: a clear line, not a traceback
        from aerosync.redaction import safe_error

        print(f"aerosync {args.command}: {safe_error(exc)}", file=sys.stderr)
        return 2
    return result


if __name__ == "__main__":
    sys.exit(main())
