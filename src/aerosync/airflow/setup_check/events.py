"""The crew sync's events connection (`training.records.events.redis_conn_id`): Redis answers,
through the redis provider's hook as the triggerer's watcher reaches it, and how many listen on
the company's channel now (the triggerer's watcher, once it runs). Nothing is published."""

from __future__ import annotations

import socket

from aerosync.models import Verdict
from aerosync.redaction import safe_error

REACHABLE = "reachable"


def events_verdicts(conn_id: str, channel: str, timeout: float) -> list[Verdict]:
    from airflow.providers.redis.hooks.redis import RedisHook
    from airflow.sdk import BaseHook

    from aerosync.airflow.setup_check.sources import undefined

    missing = undefined(conn_id)
    if missing is not None:
        return [missing]
    conn = BaseHook.get_connection(conn_id)
    host, port = conn.host or "localhost", int(conn.port or 6379)
    try:  # a bounded wait first: the hook's client has no connect timeout of its own
        with socket.create_connection((host, port), timeout=timeout):
            pass
        client = RedisHook(redis_conn_id=conn_id).get_conn()
        client.ping()
        listening = dict(client.pubsub_numsub(channel)).get(channel.encode(), 0)
    except Exception as exc:
        return [Verdict.failed(REACHABLE, f"{host}:{port} does not answer: {safe_error(exc)}")]
    return [
        Verdict.passed(
            REACHABLE,
            f"{host}:{port} answers PING; {listening} listening on channel {channel} now "
            "(the triggerer's watcher, while it runs)",
        )
    ]
