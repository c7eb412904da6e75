"""`aerosync db migrate` and `aerosync db check`: the aerosync database's schema revision, as a
person or a script reads it (exit codes and `-o` of `aerosync.cli_conventions`).

`db check` only reads: 0 at head; 1 behind (the revisions a migration would apply), ahead of this
AeroSync, or tables of another schema; 3 unreachable. `db migrate` upgrades to head under the
migration lock and prints from which revision to which: 0 done (or nothing to do), 1 refused (a
newer AeroSync's revision, tables of another schema: nothing changed), 3 unreachable.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from aerosync.cli_conventions import EXIT_FINDINGS, EXIT_OK, formatted
from aerosync.redaction import engine_secrets, safe_error
from aerosync.stores.database import StoreUnavailable, where
from aerosync.stores.migrate import SchemaMismatch, migrate, unversioned_gaps
from aerosync.stores.schema_version import HEAD, SchemaNotCurrent, SchemaState, read_state


def _unreachable(engine: Engine, exc: Exception) -> StoreUnavailable:
    return StoreUnavailable(
        f"cannot reach the aerosync database at {where(engine)}: "
        f"{safe_error(exc, engine_secrets(engine))}"
    )


def _state(engine: Engine) -> SchemaState:
    try:
        return read_state(engine)
    except DBAPIError as exc:
        raise _unreachable(engine, exc) from None


def check_schema(engine: Engine, output: str) -> int:
    state = _state(engine)
    problem = state.problem()
    if state.empty:
        problem = f"holds no AeroSync table yet, head is {HEAD}: run `aerosync db migrate`"
    elif state.unversioned:
        try:
            with engine.connect() as conn:
                unversioned_gaps(conn, state)
        except SchemaMismatch as exc:
            problem = str(exc)
    document = {"database": where(engine), **state.to_dict(), "problem": problem}

    def table() -> str:
        lines = [
            f"aerosync database: {where(engine)}",
            f"revision: {state.current or ('none (AeroSync 0.1.0)' if state.tables else 'none')}",
            f"head:     {HEAD}",
        ]
        if problem is None:
            lines.append("up to date")
        else:
            pending = ", ".join(state.pending)
            lines += [f"pending:  {pending}"] if pending else []
            lines.append(problem)
        return "\n".join(lines)

    print(formatted(document, output, table))
    return EXIT_OK if problem is None else EXIT_FINDINGS


def migrate_schema(engine: Engine, output: str) -> int:
    try:
        migration = migrate(engine)
    except (SchemaNotCurrent, SchemaMismatch) as exc:
        refused = str(exc)
        answer = {"database": where(engine), "refused": refused}
        print(formatted(answer, output, lambda: f"aerosync database {where(engine)}: {refused}"))
        return EXIT_FINDINGS
    except DBAPIError as exc:
        raise _unreachable(engine, exc) from None
    document: dict[str, object] = {"database": where(engine), **migration.to_dict()}
    print(
        formatted(
            document, output, lambda: f"aerosync database {where(engine)}: {migration.describe()}"
        )
    )
    return EXIT_OK
