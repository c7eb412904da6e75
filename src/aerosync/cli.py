"""`aerosync`: status of every aircraft, the local marketplace sandbox, a config check, a
check of every connection the companies use, the aerosync database's schema migrations, and
the DAG file written into a DAG folder.

A thin dispatcher: each command's work lives in its wing (`aerosync.status.cli` for `status`,
`aerosync.config.report` for `config check`, `aerosync.airflow.setup_check` for `check`,
`aerosync.stores.schema_commands` for `db`); exit codes and `-o` are `aerosync.cli_conventions`.
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
  1  findings: a refused company or no companies file, an aircraft in a --fail-on state,
     an aerosync database behind this release (db check) or a migration refused (db migrate)
  2  usage: a wrong option, an unknown company
  3  a store that cannot be reached: no aerosync database where one was looked for, or one
     whose schema is not at this release's revision (status: run `aerosync db migrate`)"""


def cmd_status(args: argparse.Namespace) -> int:
    from aerosync.config.companies_file import find_config, load_config
    from aerosync.status.cli import StatusRequest, parse_fail_on, show_status
    from aerosync.status.staleness import freshness_by_company
    from aerosync.stores.status import StatusStore

    path = Path(args.config) if args.config else find_config()
    loaded = load_config(path) if path else None
    unreadable = [p.message for p in loaded.problems if p.company == "*"] if loaded else []
    # A companies file named but unusable (no company loads): say so rather than judge nothing.
    if unreadable and loaded is not None and not loaded.companies:
        raise UsageError(unreadable[0])
    companies = loaded.companies if loaded else []
    request = StatusRequest(
        company=args.company,
        output=args.output,
        fail_on=parse_fail_on(args.fail_on),
        freshness=freshness_by_company(companies),
    )
    request.check()  # before the store: a usage error needs no database
    from aerosync.stores.schema_version import require_readable

    engine = _reading_engine(args.db)
    require_readable(engine)  # behind or ahead: says so (exit 3); reads only, never migrates
    return show_status(StatusStore(engine), request, configured=[c.id for c in companies])


def _reading_engine(url: str | None) -> Engine:
    """`--db`, else the aerosync database exactly as the tasks and the page find it; never
    created by this read."""
    if url:
        from aerosync.stores.database import existing_engine_from_url

        return existing_engine_from_url(url)
    from aerosync.airflow.connections import existing_aerosync_engine

    return existing_aerosync_engine()


def cmd_db(args: argparse.Namespace) -> int:
    from aerosync.stores.schema_commands import check_schema, migrate_schema

    if args.action == "check":
        return check_schema(_reading_engine(args.db), args.output)
    if args.db:  # named explicitly: a new SQLite file there is what was asked for
        from aerosync.stores.database import engine_from_url

        return migrate_schema(engine_from_url(args.db), args.output)
    return migrate_schema(_reading_engine(None), args.output)


def cmd_sandbox(args: argparse.Namespace) -> int:
    from aerosync.sandbox.server import serve

    serve(args.host, args.port)
    return 0


def cmd_config_check(args: argparse.Namespace) -> int:
    from aerosync.config.report import check_config

    folder = Path(args.dags_folder) if args.dags_folder else None
    return check_config(Path(args.file) if args.file else None, folder, args.output)


def cmd_init_dags(args: argparse.Namespace) -> int:
    from aerosync.config.dag_template import write_dag_file

    return write_dag_file(Path(args.folder), force=args.force)


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
    from aerosync.config.dag_template import DAG_FILE_NAME
    from aerosync.sandbox.help import sandbox_epilog

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
        epilog=sandbox_epilog(),
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

    init_dags = commands.add_parser(
        "init-dags",
        help=f"write the DAG file ({DAG_FILE_NAME}) into a DAG folder",
        description=f"Write this version's DAG file template, {DAG_FILE_NAME} (one call to the "
        f"DAG factory), into FOLDER. The companies file may sit beside it as "
        f"{COMPANIES_FILE_NAME}.",
    )
    init_dags.add_argument("folder", help="your DAG folder (or your DAG bundle's)")
    init_dags.add_argument(
        "--force", action="store_true", help="replace a file that differs from the template"
    )
    init_dags.set_defaults(func=cmd_init_dags)

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

    db = commands.add_parser(
        "db",
        help="the aerosync database's schema: migrate it to this release, or check it",
        description="migrate: upgrade the aerosync database to this release's schema revision "
        "(Alembic; a database made by AeroSync 0.1.0 is adopted, every row kept), printing "
        "from which revision to which. check: read its revision and say what a migration would "
        "apply (exit 1 when behind). Tasks that write migrate it themselves; pages and "
        "`aerosync status` only read.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    db.add_argument("action", choices=["migrate", "check"])
    db.add_argument(
        "--db",
        help="aerosync database URL (default: the Airflow connection aerosync_db, as tasks find "
        "it, else $AIRFLOW_HOME/aerosync.db, which must exist; a SQLite file named here is "
        "created by migrate)",
    )
    add_output_option(db)
    db.set_defaults(func=cmd_db)
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
