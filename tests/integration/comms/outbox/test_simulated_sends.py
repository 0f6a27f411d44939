"""A simulated day's messages leave at the simulated moment they were queued, whatever
the machine's speed, and a failed send is tried again once the simulated clock reaches
its retry: the day's "was the client told before calling?" does not depend on a thread."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

import pytest

from fleetline.clock import FixedClock
from fleetline.comms.channels.base import TransientFailure
from fleetline.comms.outbox import OutboxDispatcher
from fleetline.domain.messages import NoticeStatus, Notification
from fleetline.domain.model import Channel
from fleetline.sim.sends import SimulatedSends

from .conftest import T0, Uows, message, queue, stored


class FlakyEmail:
    """An email provider that times out on the first ``failures`` sends, then delivers."""

    channel = Channel.EMAIL

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.delivered: list[str] = []

    def send(self, notification: Notification) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise TransientFailure("the provider timed out")
        self.delivered.append(notification.id)

    def close(self) -> None:
        pass


@pytest.fixture
def outbox_of(uows: Uows, clock: FixedClock) -> Iterator[list[OutboxDispatcher]]:
    made: list[OutboxDispatcher] = []
    yield made
    for dispatcher in made:
        dispatcher.close()


def _sends(
    uows: Uows, clock: FixedClock, email: FlakyEmail, made: list[OutboxDispatcher]
) -> SimulatedSends:
    outbox = OutboxDispatcher(uows, clock, {Channel.EMAIL: email}, rng=random.Random(4))
    made.append(outbox)
    return SimulatedSends(outbox, clock)


def test_a_message_leaves_at_the_moment_it_was_queued(
    uows: Uows, clock: FixedClock, outbox_of: list[OutboxDispatcher]
) -> None:
    email = FlakyEmail(failures=0)
    sends = _sends(uows, clock, email, outbox_of)
    queue(uows, message("n1"), message("n2", channel=Channel.SMS, order_id="o2"))
    sends.on_event(object())

    assert sends() == 2
    clock.set(T0 + timedelta(minutes=5))  # the day moves on only after the sends

    assert email.delivered == ["n1"]
    first, unconfigured = stored(uows, "n1"), stored(uows, "n2")
    assert (first.status, first.sent_at) == (NoticeStatus.SENT, T0)
    assert (unconfigured.status, unconfigured.sent_at) == (NoticeStatus.RECORDED, T0)
    assert sends() == 0  # nothing left to send, nothing sent twice


def test_a_failed_send_is_tried_again_when_the_clock_reaches_its_retry(
    uows: Uows, clock: FixedClock, outbox_of: list[OutboxDispatcher]
) -> None:
    email = FlakyEmail(failures=1)
    sends = _sends(uows, clock, email, outbox_of)
    queue(uows, message("n1"))
    sends.on_event(object())

    assert sends() == 1  # the attempt failed and was scheduled again
    retry_at = stored(uows, "n1").next_attempt_at
    assert stored(uows, "n1").status is NoticeStatus.QUEUED
    assert retry_at is not None and retry_at > T0

    minute = T0
    while minute <= retry_at + timedelta(minutes=1) and not email.delivered:
        minute += timedelta(seconds=15)
        clock.set(minute)
        sends()  # no new message was queued: the retry is found on the clock alone

    assert email.delivered == ["n1"]
    sent = stored(uows, "n1")
    assert sent.status is NoticeStatus.SENT
    assert sent.sent_at is not None
    assert retry_at <= sent.sent_at <= retry_at + timedelta(minutes=1)
