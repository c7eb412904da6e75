"""What `aerosync sandbox --help` says about the sandbox's default account and endpoints."""

from __future__ import annotations


def sandbox_epilog() -> str:
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
