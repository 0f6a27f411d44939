"""SMS through a provider's HTTP API and webhooks to clients' systems, against local
HTTP stand-ins: idempotency keys, retries, parking, signatures."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import timedelta
from itertools import pairwise

from fleetline.clock import FixedClock
from fleetline.comms.channels.base import ChannelSender
from fleetline.comms.channels.sms import SmsChannel
from fleetline.comms.channels.webhook import (
    SECRET_KEY,
    WebhookChannel,
    WebhookReceivers,
    verify_signature,
    webhook_secret,
)
from fleetline.comms.outbox import OutboxDispatcher
from fleetline.domain.messages import NoticeStatus
from fleetline.domain.model import Channel

from .conftest import Uows, message, queue, stored
from .stand_ins import HttpStandIn

ON_PREMISE = WebhookReceivers.from_setting("127.0.0.0/8")
"""The receivers' stand-in listens on loopback: allowed as an on-premise receiver is."""

MakeDispatcher = Callable[[Mapping[Channel, ChannelSender]], OutboxDispatcher]
SECRET = "whsec_test_5f2c"


def test_an_sms_provider_answering_503_is_retried_then_the_message_is_sent(
    uows: Uows, clock: FixedClock, http: HttpStandIn, make_dispatcher: MakeDispatcher
) -> None:
    """The provider is overloaded once: the text is retried after the backoff and sent,
    each time with the message id as Idempotency-Key and reference."""
    http.answers = [503]
    queue(uows, message("n1", channel=Channel.SMS, recipient="+423 7901234"))
    dispatcher = make_dispatcher({Channel.SMS: SmsChannel(http.url, timeout_s=5)})

    assert dispatcher.run_once().retried == 1
    assert stored(uows, "n1").status is NoticeStatus.QUEUED
    clock.advance(timedelta(seconds=45))
    assert dispatcher.run_once().sent == 1

    assert [r.path for r in http.requests] == ["/messages", "/messages"]
    assert {r.headers["Idempotency-Key"] for r in http.requests} == {"n1"}
    assert http.requests[1].json() == {
        "to": "+423 7901234",
        "body": "Your delivery now arrives between 10:30 and 11:00.",
        "reference": "n1",
    }
    sent = stored(uows, "n1")
    assert (sent.status, sent.attempts, sent.last_error) == (NoticeStatus.SENT, 2, None)


def test_an_sms_the_provider_rejects_as_invalid_is_parked_at_once(
    uows: Uows, http: HttpStandIn, make_dispatcher: MakeDispatcher
) -> None:
    """A 400 (a number the provider cannot reach) will not pass by retrying."""
    http.answers = [400]
    queue(uows, message("n1", channel=Channel.SMS, recipient="+0"))
    dispatcher = make_dispatcher({Channel.SMS: SmsChannel(http.url, timeout_s=5)})

    assert dispatcher.drain().parked == 1
    parked = stored(uows, "n1")
    assert parked.status is NoticeStatus.PARKED
    assert parked.last_error and "HTTP 400" in parked.last_error
    assert len(http.requests) == 1


def test_a_webhook_is_signed_and_carries_the_message_as_json(
    uows: Uows, http: HttpStandIn, make_dispatcher: MakeDispatcher, clock: FixedClock
) -> None:
    """The client's system gets the documented JSON body with a signature that verifies
    with the shared secret, and fails with another secret or a changed body."""
    queue(uows, message("n1", channel=Channel.WEBHOOK, recipient=f"{http.url}/hooks/fleetline"))
    dispatcher = make_dispatcher(
        {Channel.WEBHOOK: WebhookChannel(SECRET, clock, receivers=ON_PREMISE)}
    )

    assert dispatcher.drain().sent == 1

    (request,) = http.requests
    assert request.path == "/hooks/fleetline"
    assert request.headers["Idempotency-Key"] == "n1"
    assert request.headers["X-Fleetline-Event"] == "delay"
    body = request.json()
    assert body == {
        "id": "n1",
        "kind": "delay",
        "order_id": "o1",
        "client_id": "c1",
        "window_start": "2025-03-14T10:30:00+00:00",
        "window_end": "2025-03-14T11:00:00+00:00",
        "subject": "Your delivery is running late",
        "body": "Your delivery now arrives between 10:30 and 11:00.",
        "created_at": "2025-03-14T09:30:00+00:00",
    }
    signature = request.headers["X-Fleetline-Signature"]
    assert verify_signature(SECRET, signature, request.body, now=clock.now())
    assert not verify_signature("another secret", signature, request.body, now=clock.now())
    tampered = json.dumps({**body, "window_end": "2025-03-14T18:00:00+00:00"}).encode()
    assert not verify_signature(SECRET, signature, tampered, now=clock.now())


def test_a_webhook_receiver_answering_500_is_retried_with_growing_waits_then_parked(
    uows: Uows, clock: FixedClock, http: HttpStandIn, make_dispatcher: MakeDispatcher
) -> None:
    """A broken receiver is tried max_attempts times, each wait longer than the one
    before, then the message is parked and an agent sees it among the parked ones."""
    http.answers = [500] * 20
    queue(uows, message("n1", channel=Channel.WEBHOOK, recipient=f"{http.url}/hook"))
    dispatcher = make_dispatcher(
        {Channel.WEBHOOK: WebhookChannel(SECRET, clock, receivers=ON_PREMISE)}
    )
    limit = dispatcher.policy.max_attempts

    waits: list[timedelta] = []
    for _ in range(limit - 1):
        assert dispatcher.run_once().retried == 1
        pending = stored(uows, "n1")
        assert pending.status is NoticeStatus.QUEUED
        assert pending.next_attempt_at is not None
        waits.append(pending.next_attempt_at - clock.now())
        clock.set(pending.next_attempt_at)
    assert dispatcher.run_once().parked == 1

    assert all(later > earlier for earlier, later in pairwise(waits))
    assert max(waits) <= timedelta(minutes=36)  # capped at 30 min, plus jitter
    with uows() as uow:
        parked = uow.notifications.in_status(NoticeStatus.PARKED)
    assert [(p.id, p.attempts) for p in parked] == [("n1", limit)]
    assert parked[0].last_error and "HTTP 500" in parked[0].last_error
    assert len(http.requests) == limit
    clock.advance(timedelta(hours=2))
    assert dispatcher.drain().moved == 0  # a parked message waits for a person


def test_one_receiver_down_does_not_hold_up_another_clients_webhooks(
    uows: Uows, http: HttpStandIn, make_dispatcher: MakeDispatcher, clock: FixedClock
) -> None:
    """A 500 from one client's system concerns that client only."""
    http.answers = [500]
    queue(
        uows,
        message("n1", channel=Channel.WEBHOOK, recipient=f"{http.url}/broken"),
        message("n2", channel=Channel.WEBHOOK, recipient=f"{http.url}/fine", order_id="o2"),
    )
    dispatcher = make_dispatcher(
        {Channel.WEBHOOK: WebhookChannel(SECRET, clock, receivers=ON_PREMISE)}
    )

    report = dispatcher.run_once()

    assert (report.retried, report.sent) == (1, 1)
    assert stored(uows, "n2").status is NoticeStatus.SENT


def test_without_a_configured_secret_one_is_generated_once_and_kept(uows: Uows) -> None:
    """Every start signs with the same secret, so receivers keep verifying."""
    first = webhook_secret(uows, None)
    assert len(first) >= 32
    assert webhook_secret(uows, None) == first
    with uows() as uow:
        assert uow.comms_settings.get(SECRET_KEY) == first
    assert webhook_secret(uows, "configured") == "configured"


def test_a_webhook_to_an_internal_address_is_parked_without_a_request(
    uows: Uows, http: HttpStandIn, make_dispatcher: MakeDispatcher, clock: FixedClock
) -> None:
    """A client's webhook URL pointing at the server's own machine (or any address that
    is not public) is never called: the message is parked saying why, and an
    administrator can allow an on-premise receiver's network."""
    queue(uows, message("n1", channel=Channel.WEBHOOK, recipient=f"{http.url}/internal-admin"))
    dispatcher = make_dispatcher({Channel.WEBHOOK: WebhookChannel(SECRET, clock)})

    assert dispatcher.drain().parked == 1
    parked = stored(uows, "n1")
    assert parked.last_error and "not a public address" in parked.last_error
    assert http.requests == []
