"""What starts a company's crew sync between its daily runs: the asset `aerosync://<company>/crew/
events` and its watchers, one per kind of event (`training.records.events`, docs/events.md).

- `CrewEventsTrigger` listens on the company's Redis pub/sub channel and yields one event per
  burst of messages (debounced), holding only the channel, the count and the kinds.
- A standard-provider `FileDeleteTrigger` per file-drop folder consumes its `_READY` marker.

The crew DAG is scheduled on its daily timetable OR this asset (`AssetOrTimeSchedule`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from airflow.providers.common.messaging.providers.base_provider import BaseMessageQueueProvider
from airflow.providers.standard.triggers.file import FileDeleteTrigger
from airflow.sdk import Asset, AssetWatcher
from airflow.triggers.base import BaseEventTrigger, TriggerEvent

from aerosync.airflow.assets import events_asset
from aerosync.config.companies import CompanyConfig
from aerosync.config.crew_events import ready_marker_paths
from aerosync.crew.events import EventBurst, event_kind

CLASSPATH = "aerosync.airflow.crew_events.CrewEventsTrigger"
#: The common.messaging scheme of `CrewEventsTrigger` (`MessageQueueTrigger(scheme=...)`): Redis
#: pub/sub, debounced and stripped of the messages' values. Not `redis+pubsub`, which is the
#: redis provider's `AwaitMessageTrigger` (two providers may not share a scheme).
CREW_EVENTS_SCHEME = "aerosync+redis"
# Seconds between two tries to reach Redis again after it went away.
RECONNECT_SECONDS = 5.0


class CrewEventsTrigger(BaseEventTrigger):
    """Debounced events of one Redis pub/sub channel: after a first message, every message of
    the next `debounce_seconds` joins it, then ONE `TriggerEvent` goes out: `{"channel", "count",
    "kinds"}` (`aerosync.crew.events.EventBurst`), never a message's values.

    It is built through the common.messaging provider, as any queue trigger is:
    `MessageQueueTrigger(scheme="aerosync+redis", channel=..., redis_conn_id=...)`, AeroSync
    registering `CrewEventsQueue` for that scheme (its provider info's `queues`).

    Why not the scheme `redis+pubsub` (the redis provider's `AwaitMessageTrigger`)? It
    hands over to the redis provider's `AwaitMessageTrigger`, which (1) yields the whole message
    (channel and data) as its event, and the triggerer logs every event and Airflow keeps its
    payload as the asset event's extra: a producer's names and e-mails would land in Airflow's
    database and logs; and (2) ends after ONE message, unsubscribing, so the triggerer starts it
    again and it subscribes again: pub/sub keeps nothing for a channel nobody listens to, so the
    messages of that gap are lost, and a burst of N messages becomes N runs instead of one.
    tests/airflow/test_crew_events_trigger.py shows (2) against a real Redis. Wrapping it cannot
    help: its generator has already unsubscribed when its first event comes out.

    So this trigger subscribes once through the redis provider's `RedisHook` (the connection's
    host, port, password, TLS) and stays subscribed: the triggerer keeps iterating an event
    trigger's `run()` after each event, and messages arriving while a burst is summarised wait in
    the subscription's buffer. If Redis goes away the trigger says so (the channel and the
    connection id, nothing else) and subscribes again every few seconds.
    """

    def __init__(
        self,
        *,
        channel: str,
        redis_conn_id: str,
        debounce_seconds: float,
        poll_interval: float = 0.5,
    ) -> None:
        super().__init__()
        self.channel = channel
        self.redis_conn_id = redis_conn_id
        self.debounce_seconds = debounce_seconds
        self.poll_interval = poll_interval

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            CLASSPATH,
            {
                "channel": self.channel,
                "redis_conn_id": self.redis_conn_id,
                "debounce_seconds": self.debounce_seconds,
                "poll_interval": self.poll_interval,
            },
        )

    def _subscribe(self) -> Any:
        from airflow.providers.redis.hooks.redis import RedisHook

        pubsub = (
            RedisHook(redis_conn_id=self.redis_conn_id)
            .get_conn()
            .pubsub(ignore_subscribe_messages=True)
        )
        pubsub.subscribe(self.channel)
        return pubsub

    async def _message(self, pubsub: Any, timeout: float) -> dict[str, Any] | None:
        """The next message within `timeout` seconds, else None; in a thread, a short wait at a
        time, so the triggerer's loop stays free and a cancel is heard."""
        message = await asyncio.to_thread(
            pubsub.get_message, ignore_subscribe_messages=True, timeout=timeout
        )
        return message if message and message.get("type") == "message" else None

    async def _burst(self, pubsub: Any) -> EventBurst:
        """Wait for a first message, then gather those of the next `debounce_seconds`."""
        loop = asyncio.get_running_loop()
        first = None
        while first is None:
            first = await self._message(pubsub, self.poll_interval)
        kinds = [event_kind(first.get("data"))]
        deadline = loop.time() + self.debounce_seconds
        while (left := deadline - loop.time()) > 0:
            message = await self._message(pubsub, min(left, self.poll_interval))
            if message is not None:
                kinds.append(event_kind(message.get("data")))
        return EventBurst.of(self.channel, kinds)

    async def run(self) -> AsyncIterator[TriggerEvent]:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        while True:
            pubsub = None
            try:
                # In the loop's own thread, as the provider's trigger does: the hook reads its
                # connection through the triggerer, which a worker thread must not do.
                pubsub = self._subscribe()
                self.log.info("listening for crew events on channel %s", self.channel)
                while True:
                    burst = await self._burst(pubsub)
                    self.log.info(
                        "channel %s: %d event(s) %s: one crew sync",
                        self.channel,
                        burst.count,
                        burst.kinds,
                    )
                    yield TriggerEvent(burst.payload())
            except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
                self.log.warning(
                    "channel %s: Redis (connection %s) cannot be reached (%s); subscribing "
                    "again in %.0f s",
                    self.channel,
                    self.redis_conn_id,
                    type(exc).__name__,
                    RECONNECT_SECONDS,
                )
            finally:
                if pubsub is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.to_thread(pubsub.close)
            await asyncio.sleep(RECONNECT_SECONDS)


class CrewEventsQueue(BaseMessageQueueProvider):
    """The common.messaging queue provider of `CrewEventsTrigger` (scheme `aerosync+redis`)."""

    scheme = CREW_EVENTS_SCHEME

    def trigger_class(self) -> type[BaseEventTrigger]:
        return CrewEventsTrigger


def crew_events_asset(company: CompanyConfig) -> Asset | None:
    """The company's crew-events asset with its watchers; None without `training.records.events`."""
    records = company.training.records if company.training else None
    events = records.events if records else None
    if records is None or events is None:
        return None
    watchers = []
    if events.redis_conn_id is not None:
        # Imported here: its module asks the providers manager for every queue provider (about
        # 0.08 s), which only a DAG file with crew events should pay.
        from airflow.providers.common.messaging.triggers.msg_queue import MessageQueueTrigger

        trigger = MessageQueueTrigger(
            scheme=CREW_EVENTS_SCHEME,
            channel=events.channel_of(company.id),
            redis_conn_id=events.redis_conn_id,
            debounce_seconds=events.debounce_seconds,
        )
        watchers.append(AssetWatcher(name=f"crew_events__{company.id}__redis", trigger=trigger))
    if events.ready_markers:
        for number, marker in enumerate(ready_marker_paths(records)):
            marker_trigger = FileDeleteTrigger(
                filepath=marker, poke_interval=events.ready_poll_seconds
            )
            watchers.append(
                AssetWatcher(
                    name=f"crew_events__{company.id}__ready_{number}", trigger=marker_trigger
                )
            )
    return events_asset(company.id, watchers)
