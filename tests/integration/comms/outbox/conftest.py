"""Fixtures of the outbox's tests: a seeded database on SQLite and PostgreSQL, a fixed
clock, a way to queue messages directly, local SMTP and HTTP stand-ins."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta

import pytest

from fleetline.clock import FixedClock
from fleetline.comms.channels.base import ChannelSender
from fleetline.comms.outbox import OutboxDispatcher
from fleetline.domain.messages import NoticeKind, Notification
from fleetline.domain.model import Channel
from fleetline.store.unit_of_work import SqlUnitOfWork
from tests.integration.store.store_builders import order, seed_master_data

from .stand_ins import HttpStandIn, SmtpStandIn

T0 = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)

Uows = Callable[[], SqlUnitOfWork]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def uows(uow_factory: Callable[..., SqlUnitOfWork], clock: FixedClock) -> Uows:
    """Units of work on a database with one client and orders o1..o5."""
    seed_master_data(uow_factory(clock))
    with uow_factory(clock) as uow:
        uow.orders.add_many([order(f"o{i}") for i in range(1, 6)])
        uow.commit()
    return lambda: uow_factory(clock)


def message(
    notice_id: str,
    channel: Channel = Channel.EMAIL,
    recipient: str = "anna@example.li",
    order_id: str = "o1",
    **changes: object,
) -> Notification:
    fields: dict[str, object] = {
        "id": notice_id,
        "order_id": order_id,
        "client_id": "c1",
        "kind": NoticeKind.DELAY,
        "channel": channel,
        "recipient": recipient,
        "subject": "Your delivery is running late",
        "body": "Your delivery now arrives between 10:30 and 11:00.",
        "html_body": "<p>Your delivery now arrives between <b>10:30</b> and 11:00.</p>",
        "dedupe_key": f"{order_id}:delay:{notice_id}:{channel}",
        "created_at": T0,
        "cause_at": T0 - timedelta(seconds=20),
        "not_before": T0,
        "window_start": T0 + timedelta(hours=1),
        "window_end": T0 + timedelta(hours=1, minutes=30),
    }
    fields.update(changes)
    return Notification(**fields)  # type: ignore[arg-type]


def queue(uows: Uows, *messages: Notification) -> None:
    with uows() as uow:
        uow.notifications.add_new(messages)
        uow.commit()


def stored(uows: Uows, notice_id: str) -> Notification:
    with uows() as uow:
        found = uow.notifications.get(notice_id)
    assert found is not None
    return found


@pytest.fixture
def make_dispatcher(
    uows: Uows, clock: FixedClock
) -> Iterator[Callable[[Mapping[Channel, ChannelSender]], OutboxDispatcher]]:
    """Build dispatchers on the test's database and clock (seeded jitter); closed after."""
    made: list[OutboxDispatcher] = []

    def make(channels: Mapping[Channel, ChannelSender]) -> OutboxDispatcher:
        dispatcher = OutboxDispatcher(uows, clock, channels, rng=random.Random(4))
        made.append(dispatcher)
        return dispatcher

    yield make
    for dispatcher in made:
        dispatcher.close()


@pytest.fixture
def smtp() -> Iterator[SmtpStandIn]:
    server = SmtpStandIn(refuse=("nobody@example.li",))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def http() -> Iterator[HttpStandIn]:
    server = HttpStandIn()
    server.start()
    yield server
    server.stop()
