"""`aerosync`: status of every aircraft, the local marketplace sandbox, a config check, and a
check of every connection the companies use.

A thin dispatcher: each command's work lives in its wing (`aerosync.status.cli` for `status`,
`aerosync.config.report` for `config check`, `aerosync.airflow.setup_check` for `check`); exit
codes and `-o` are `aerosync.cli_conventions`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from aerosync import __version__
from aerosync.cli_conventions import (
    EXIT_NO_STORE,
    EXIT_USAGE,
    UsageError,
    add_output_option,
)
from aerosync.config.companies_file import COMPANIES_FILE_NAME, COMPANIES_FOLDER_NAME, CONFIG_ENV

if TYPE_CHECKING:
    from sqlalchemy import Engine

EXIT_CODES = """exit codes:
  0  ok
  1  findings: a refused company or no companies file, an aircraft in a --fail-on state
  2  usage: a wrong option, an unknown company
  3  a store that cannot be reached: no aerosync database where one was looked for"""


def cmd_status(args: argparse.Namespace) -> int:
    from aerosync.config.companies_file import find_config, load_config
    from aerosync.status.cli import StatusRequest, parse_fail_on, show_status
    from aerosync.status.staleness import freshness_by_company
    from aerosync.stores.status import StatusStore

    path = Path(args.config) if args.config else find_config()
    loaded = load_config(path) if path else None
    unreadable = [p.message for p in loaded.problems if p.company == "*"] if loaded else []
    if unreadable:  # a companies file named but unusable: say so rather than judge nothing
        raise UsageError(unreadable[0])
    companies = loaded.companies if loaded else []
    request = StatusRequest(
        company=args.company,
        output=args.output,
        fail_on=parse_fail_on(args.fail_on),
        freshness=freshness_by_company(companies),
    )
    request.check()  # before the store: a usage error needs no database
    store = StatusStore(_reading_engine(args.db))
    return show_status(store, request, configured=[c.id for c in companies])


def _reading_engine(url: str | None) -> Engine:
    """`--db`, else the aerosync database exactly as the tasks and the page find it; never
    created by this read."""
    if url:
        from aerosync.stores.database import existing_engine_from_url

        return existing_engine_from_url(url)
    from aerosync.airflow.connections import existing_aerosync_engine

    return existing_aerosync_engine()


def cmd_sandbox(args: argparse.Namespace) -> int:
    from aerosync.sandbox.server import serve

    serve(args.host, args.port)
    return 0


def cmd_config_check(args: argparse.Namespace) -> int:
    from aerosync.config.report import check_config

    folder = Path(args.dags_folder) if args.dags_folder else None
    return check_config(Path(args.file) if args.file else None, folder, args.output)


def _sandbox_epilog() -> str:
    from aerosync.sandbox.marketplace import ACCOUNTS_ENV, DEFAULT_ACCOUNT

    name, auth, api = DEFAULT_ACCOUNT
    return f"""default account (public test tokens of this local sandbox, not secrets: they
open nothing but the sandbox, and anyone can read them here):
  account {name}: Authorization "Bearer {auth}", X-Avinode-ApiToken "{api}"
  as an Airflow connection: host http://127.0.0.1:8765, password {auth},
  extra {{"api_token": "{api}"}} (plain http is accepted for a loopback host only)
other accounts: {ACCOUNTS_ENV}="name:authtoken:apitoken,name2:..." (replaces the default)

endpoints: PUT /schedules as the marketplace; GET /_sandbox/health, GET /_sandbox/schedules
(what it holds), GET /_sandbox/requests (the request log, tokens redacted), POST
/_sandbox/faults, /_sandbox/reset, /_sandbox/release (fault switches; no authentication under
/_sandbox/: a local tool). Stops on Ctrl-C or SIGTERM."""


def cmd_check(args: argparse.Namespace) -> int:
    """Every connection of every company (or of `--company`): 0 when none failed, 1 when one
    did (or no companies file was found), 2 for an unknown company."""
    from aerosync.airflow.setup_check.report import as_document, as_lines, run_checks
    from aerosync.cli_conventions import EXIT_FINDINGS, EXIT_OK, formatted
    from aerosync.config.companies_file import load_config

    loaded = load_config(Path(args.file) if args.file else None)
    companies = loaded.companies
    if args.company:
        companies = [c for c in loaded.companies if c.id == args.company]
        if not companies:
            known = ", ".join(c.id for c in loaded.companies) or "none"
            raise UsageError(f"no company {args.company!r} in {loaded.path} (known: {known})")
    checks = run_checks(loaded, companies, timeout=args.timeout)
    print(formatted(as_document(loaded, checks), args.output, lambda: as_lines(checks)))
    return EXIT_OK if all(check.ok for check in checks) else EXIT_FINDINGS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aerosync",
        description=__doc__.split("\n\n")[0],
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"aerosync {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    status = commands.add_parser(
        "status",
        help="latest upload attempt of every aircraft",
        description="The latest upload attempt of every aircraft, failing and held first.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    status.add_argument("--company", help="only this company id (an unknown one is an error)")
    add_output_option(status)
    status.add_argument(
        "--fail-on",
        metavar="STATES",
        help="exit 1 when a shown aircraft is in one of these comma-separated states, e.g. "
        "failed,held,unknown,stale (stale: last success older than twice its company's "
        "schedule interval; needs the companies file)",
    )
    status.add_argument(
        "--config",
        help=f"companies file or folder, for schedules (default: ${CONFIG_ENV}; none: staleness "
        "not judged)",
    )
    status.add_argument(
        "--db",
        help="aerosync database URL (default: the Airflow connection aerosync_db, as tasks and "
        "the page find it: environment, secrets backend or Airflow's database; else "
        "$AIRFLOW_HOME/aerosync.db). Never created by this command",
    )
    status.set_defaults(func=cmd_status)

    sandbox = commands.add_parser(
        "sandbox",
        help="run the local marketplace sandbox",
        description="A local stand-in for the Avinode Marketplace's PUT /schedules, over HTTP, "
        "in the foreground until Ctrl-C.",
        epilog=_sandbox_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sandbox.add_argument("--port", type=int, default=8765, help="port (default: 8765)")
    sandbox.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    sandbox.set_defaults(func=cmd_sandbox)

    config = commands.add_parser(
        "config",
        help="check the companies file",
        description="Read the companies file and say what loads, what is refused and why.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    config.add_argument("action", choices=["check"])
    config.add_argument(
        "--file",
        help=f"companies file or folder (default: ${CONFIG_ENV}, else --dags-folder's)",
    )
    config.add_argument(
        "--dags-folder",
        help=f"folder of the DAG file: its {COMPANIES_FILE_NAME} (else its "
        f"{COMPANIES_FOLDER_NAME}/ folder) is read when ${CONFIG_ENV} is not set, as the DAG "
        "file does",
    )
    add_output_option(config)
    config.set_defaults(func=cmd_config_check)

    check = commands.add_parser(
        "check",
        help="test every connection the companies use (exit 1 if one fails)",
        description="Read the companies file, then test every connection each company uses: "
        "the marketplace, the FMS, the LMS, HRIS and LRS, SMTP and the aerosync database. One "
        "line per check.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("--file", help=f"companies file or folder (default: ${CONFIG_ENV})")
    check.add_argument("--company", help="only this company id (an unknown one is an error)")
    add_output_option(check)
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
    except UsageError as exc:
        print(f"aerosync {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # a user-facing command: a clear line, not a traceback
        from aerosync.redaction import safe_error, scrub
        from aerosync.stores.database import StoreUnavailable

        if isinstance(exc, StoreUnavailable):
            print(f"aerosync {args.command}: {scrub(str(exc))}", file=sys.stderr)
            return EXIT_NO_STORE
        print(f"aerosync {args.command}: {safe_error(exc)}", file=sys.stderr)
        return EXIT_USAGE
    return result


if __name__ == "__main__":
    sys.exit(main())
