"""The crew-events trigger against a real Redis (127.0.0.1:6379): a burst within the debounce
period gives ONE event; the event holds the channel, the count and the kinds, never a message's
values; it stays subscribed between events; it serializes to a classpath in aerosync. And why it
does not wrap the provider's `MessageQueueTrigger`: its `AwaitMessageTrigger` hands over whole
messages and loses those published between two of its runs."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import redis

from aerosync.airflow.crew_events import CLASSPATH, CrewEventsTrigger
from aerosync.dev.stack import REDIS_URL, redis_available
from tests.conftest import require_service

pytestmark = pytest.mark.integration
CONN_ID = "redis_crew_events_test"
PERSONAL = {"name": "Amelia Quartermaine", "email": "amelia.q@example.com"}


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[redis.Redis]:
    require_service(redis_available(), "Redis at 127.0.0.1:6379")
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", f"{REDIS_URL}/0")
    connection = redis.Redis.from_url(f"{REDIS_URL}/0")
    yield connection
    connection.close()


def _channel() -> str:
    return f"aerosync.test_{uuid.uuid4().hex[:8]}.crew"


def _message(kind: str, **values: Any) -> str:
    return json.dumps({"kind": kind, "employee_id": "E1001", **PERSONAL, **values})


async def _subscribed(client: redis.Redis, channel: str, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if dict(client.pubsub_numsub(channel)).get(channel.encode(), 0) > 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"nobody subscribed to {channel} within {timeout} s")


async def _next(events: AsyncIterator[Any], timeout: float) -> Any:
    return await asyncio.wait_for(events.__anext__(), timeout)


def test_a_burst_is_one_event_and_the_trigger_stays_subscribed(
    client: redis.Redis, capfd: pytest.CaptureFixture[str]
) -> None:
    channel = _channel()
    trigger = CrewEventsTrigger(channel=channel, redis_conn_id=CONN_ID, debounce_seconds=1.5)

    async def scenario() -> list[Any]:
        events = trigger.run()
        first = asyncio.ensure_future(events.__anext__())
        await _subscribed(client, channel)
        began = time.monotonic()
        client.publish(channel, _message("lms.completion", course_id="CRM"))
        client.publish(channel, _message("lms.completion", course_id="DG"))
        client.publish(channel, _message("hris.change"))
        burst = await asyncio.wait_for(first, 10)
        waited = time.monotonic() - began
        # Nothing more comes of the burst ...
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(
                asyncio.shield(second := asyncio.ensure_future(events.__anext__())), 2.5
            )
        # ... and a message after it is heard: the subscription never lapsed.
        client.publish(channel, "not json, from " + PERSONAL["email"])
        later = await asyncio.wait_for(second, 10)
        await events.aclose()
        return [burst, waited, later]

    burst, waited, later = asyncio.run(scenario())
    logged = "".join(capfd.readouterr())  # the trigger's log (structlog, as in the triggerer)
    assert f"channel {channel}: 3 event(s)" in logged
    assert burst.payload == {
        "channel": channel,
        "count": 3,
        "kinds": {"hris.change": 1, "lms.completion": 2},
    }
    assert 1.4 <= waited < 5, f"the burst went out after {waited:.1f} s (debounce 1.5 s)"
    assert later.payload == {"channel": channel, "count": 1, "kinds": {"other": 1}}
    said = json.dumps([burst.payload, later.payload]) + logged
    for value in (*PERSONAL.values(), "E1001", "CRM"):
        assert value not in said


def test_it_serializes_to_its_aerosync_classpath() -> None:
    trigger = CrewEventsTrigger(
        channel="aerosync.co.crew", redis_conn_id="redis_events", debounce_seconds=4
    )
    classpath, kwargs = trigger.serialize()
    assert classpath == CLASSPATH and classpath.startswith("aerosync.")
    module, name = classpath.rsplit(".", 1)
    again = getattr(importlib.import_module(module), name)(**kwargs)
    assert again.serialize() == (classpath, kwargs)
    assert json.loads(json.dumps(kwargs)) == kwargs  # what the triggerer's table stores
    assert kwargs == {
        "channel": "aerosync.co.crew",
        "redis_conn_id": "redis_events",
        "debounce_seconds": 4,
        "poll_interval": 0.5,
    }


def test_the_providers_pubsub_trigger_leaks_messages_and_loses_those_between_its_runs(
    client: redis.Redis,
) -> None:
    """What `MessageQueueTrigger(scheme="redis+pubsub")` runs: one whole message per run."""
    from airflow.providers.common.messaging.triggers.msg_queue import MessageQueueTrigger

    channel = _channel()

    def provider_trigger() -> Any:
        return MessageQueueTrigger(
            scheme="redis+pubsub", channels=[channel], redis_conn_id=CONN_ID, poll_interval=0.1
        )

    async def scenario() -> tuple[Any, Any]:
        first_run = provider_trigger().run()
        first = asyncio.ensure_future(first_run.__anext__())
        await _subscribed(client, channel)
        client.publish(channel, _message("lms.completion"))
        event = await asyncio.wait_for(first, 10)
        with pytest.raises(StopAsyncIteration):  # its run ends after one message
            await first_run.__anext__()
        # What the triggerer does next: start it again. A message in between is gone.
        client.publish(channel, _message("hris.change"))
        second_run = provider_trigger().run()
        lost = None
        with contextlib.suppress(TimeoutError):
            lost = await asyncio.wait_for(second_run.__anext__(), 2)
        await second_run.aclose()
        return event, lost

    event, lost = asyncio.run(scenario())
    assert PERSONAL["email"] in json.dumps(event.payload)  # the whole message is the payload
    assert lost is None


def test_a_redis_that_is_down_is_said_and_tried_again(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_REDIS_DOWN_TEST", "redis://127.0.0.1:1/0")  # nothing there
    trigger = CrewEventsTrigger(
        channel="aerosync.down.crew", redis_conn_id="redis_down_test", debounce_seconds=1
    )

    async def scenario() -> None:
        events = trigger.run()
        with pytest.raises(TimeoutError):  # still trying, not crashed
            await asyncio.wait_for(events.__anext__(), 2)

    asyncio.run(scenario())
    logged = "".join(capfd.readouterr())
    assert "channel aerosync.down.crew: Redis (connection redis_down_test) cannot be reached" in (
        logged
    )
