"""Tokens, retried writes, failed transactions and the message hold, through the bus."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from fleetline.bus import IdempotentRequest, Replayed
from fleetline.domain import commands, events
from fleetline.domain.errors import Conflict, InvalidField, NotFound
from fleetline.domain.messages import MessageHold, NoticeKind, NoticeStatus, Notification
from fleetline.domain.model import Channel
from fleetline.operations.access import authenticate

from ..memory_store import MemoryUnitOfWork, memory_bus
from .memory_fleet import NOW, Fleet, draft


def _issue(fleet: Fleet, role: str = "admin", name: str = "Eva") -> tuple[str, str]:
    issued = fleet.bus.handle(commands.IssueToken(role=role, name=name))
    return issued.secret, issued.token.id


def test_a_revoked_token_no_longer_signs_in() -> None:
    """The secret works until the token is revoked, then never again; the log says who
    revoked it, and the stored token says when."""
    fleet = Fleet()
    _, mine = _issue(fleet, name="Eva")
    secret, theirs = _issue(fleet, role="dispatcher", name="Tablet 3")
    with fleet.read() as uow:
        assert authenticate(uow, secret) is not None
    fleet.clock.advance(timedelta(minutes=1))
    revoked, logged = fleet.run(commands.RevokeToken(token_id=theirs, by_token_id=mine))
    assert (revoked.revoked, revoked.revoked_at) == (True, fleet.clock.now())
    assert logged == [
        events.TokenRevoked(occurred_at=fleet.clock.now(), token_id=theirs, by_token_id=mine)
    ]
    with fleet.read() as uow:
        assert authenticate(uow, secret) is None
        assert uow.tokens.by_hash(revoked.token_hash) == revoked
    again = fleet.refused(commands.RevokeToken(token_id=theirs, by_token_id=mine), Conflict)
    assert again.field == "token_id"


def test_an_admin_cannot_lock_everyone_out() -> None:
    """Neither the token in use nor the last admin token can be revoked; with a second
    admin token the first one can go."""
    fleet = Fleet()
    _, first = _issue(fleet, name="Eva")
    own = fleet.refused(commands.RevokeToken(token_id=first, by_token_id=first), Conflict)
    assert "signed in with" in str(own)
    last = fleet.refused(commands.RevokeToken(token_id=first, by_token_id=None), Conflict)
    assert "last admin token" in str(last)
    _, second = _issue(fleet, name="Max")
    revoked = fleet.bus.handle(commands.RevokeToken(token_id=first, by_token_id=second))
    assert revoked.revoked


def test_a_token_s_role_and_driver_must_fit_together() -> None:
    """Each mistake is named on its field: an unknown role, a driver token without its
    driver or naming one that does not exist, an admin token naming a driver."""
    fleet = Fleet()
    driver = fleet.driver()
    cases: list[tuple[commands.IssueToken, type[Exception], str]] = [
        (commands.IssueToken(role="root", name="x"), InvalidField, "role"),
        (commands.IssueToken(role="driver", name="x"), InvalidField, "driver_id"),
        (
            commands.IssueToken(role="driver", name="x", driver_id="drv_missing"),
            NotFound,
            "driver_id",
        ),
        (
            commands.IssueToken(role="admin", name="x", driver_id=driver.id),
            InvalidField,
            "driver_id",
        ),
        (commands.IssueToken(role="admin", name="  "), InvalidField, "name"),
    ]
    for command, error, field in cases:
        assert getattr(fleet.refused(command, error), "field", None) == field, command
    issued, logged = fleet.run(commands.IssueToken(role="driver", name="Anna", driver_id=driver.id))
    assert logged == [
        events.TokenIssued(
            occurred_at=NOW,
            token_id=issued.token.id,
            role="driver",
            name="Anna",
            driver_id=driver.id,
        )
    ]
    assert issued.secret not in repr(logged)


def _retry(body: bytes, key: str = "key-1") -> IdempotentRequest:
    return IdempotentRequest(
        principal="tok_integration",
        key=key,
        method="POST",
        path="/api/v1/clients",
        body=body,
        render=lambda client: (201, {"id": client.id, "name": client.name}),
    )


def test_an_idempotent_retry_is_answered_as_before_and_changes_nothing() -> None:
    """An integrator whose connection dropped sends the same request again: it gets the
    first answer, marked replayed, and the client exists once, created once in the log."""
    fleet = Fleet()
    command = commands.CreateClient(name="Alpen Bakery", priority=2)
    first, _ = fleet.run(command, _retry(b'{"name": "Alpen Bakery"}'))
    state, logged = fleet.store.snapshot(), fleet.store.log()
    replayed, relogged = fleet.run(command, _retry(b'{"name": "Alpen Bakery"}'))
    assert replayed == Replayed(201, {"id": first.id, "name": "Alpen Bakery"})
    assert relogged == []
    assert fleet.store.snapshot() == state
    assert fleet.store.log() == logged
    assert fleet.store.events(events.ClientCreated) == [
        events.ClientCreated(occurred_at=NOW, client_id=first.id, priority=2)
    ]


def test_an_idempotency_key_reused_for_another_request_is_a_conflict() -> None:
    """A key used for one body and sent with another is refused on ``Idempotency-Key``;
    nothing of the second request is stored."""
    fleet = Fleet()
    fleet.run(commands.CreateClient(name="Alpen Bakery", priority=2), _retry(b"alpen"))
    other = commands.CreateClient(name="Rhein Pharma", priority=2)
    with pytest.raises(Conflict) as refused:
        fleet.bus.handle(other, _retry(b"rhein"))
    assert refused.value.field == "Idempotency-Key"
    with fleet.read() as uow:
        assert [c.name for c in uow.clients.list()] == ["Alpen Bakery"]


def test_a_command_that_fails_after_its_handler_commits_nothing() -> None:
    """When a step of the transaction fails after the handler wrote (here an outbox rule),
    neither the orders nor their events are kept, and no subscriber hears of them."""
    fleet = Fleet()
    client = fleet.client()
    heard: list[Any] = []

    def failing_rule(uow: MemoryUnitOfWork, _context: object) -> None:
        assert uow.pending_events(), "the handler recorded its events before the rule"
        raise RuntimeError("outbox is down")

    bus = memory_bus(fleet.clock, fleet.store)
    bus.transaction_rules.append(failing_rule)  # type: ignore[arg-type]
    bus.event_handlers[events.OrdersCreated] = [heard.append]
    logged = len(fleet.store.log())
    with pytest.raises(RuntimeError, match="outbox is down"):
        bus.handle(commands.CreateOrders(orders=(draft(client.id, "A-1"),)))
    assert fleet.store.count("orders") == 0
    assert len(fleet.store.log()) == logged
    assert heard == []


def test_messages_are_held_with_a_reason_and_released() -> None:
    """During an incident the dispatcher holds messages, saying why; the hold is shown
    with who and since when, and releasing it is logged too."""
    fleet = Fleet()
    missing = fleet.refused(commands.SetMessageHold(held=True, reason="  ", by="Eva"), InvalidField)
    assert missing.field == "reason"
    held, logged = fleet.run(commands.SetMessageHold(held=True, reason=" storm ", by="Eva"))
    assert held == MessageHold(held=True, reason="storm", by="Eva", since=NOW)
    with fleet.read() as uow:
        assert uow.comms_settings.hold() == held
    assert logged == [
        events.MessageHoldChanged(occurred_at=NOW, held=True, reason="storm", by="Eva")
    ]
    fleet.run(commands.SetMessageHold(held=False, by="Eva"))
    with fleet.read() as uow:
        assert not uow.comms_settings.hold().held


def _parked(fleet: Fleet) -> Notification:
    client = fleet.client()
    (order,) = fleet.orders(draft(client.id))
    parked = Notification(
        id="ntf_1",
        order_id=order.id,
        client_id=client.id,
        kind=NoticeKind.DELAY,
        channel=Channel.EMAIL,
        recipient="shop@alpen.li",
        subject="Running late",
        body="...",
        dedupe_key=f"{order.id}:delay:email",
        created_at=NOW - timedelta(hours=1),
        cause_at=NOW - timedelta(hours=1),
        not_before=NOW - timedelta(hours=1),
        status=NoticeStatus.PARKED,
        attempts=5,
        last_error="550 mailbox full",
    )
    with MemoryUnitOfWork(fleet.store, fleet.clock) as uow:
        assert uow.notifications.add_new([parked]) == [parked]
        uow.commit()
    return parked


def test_a_parked_message_is_queued_again_with_fresh_attempts() -> None:
    """An agent's retry sends the message at the outbox's next round and counts attempts
    from zero; retrying it again while queued is refused on ``status``."""
    fleet = Fleet()
    parked = _parked(fleet)
    queued, logged = fleet.run(commands.RetryNotification(notification_id=parked.id, by="Eva"))
    assert (queued.status, queued.attempts, queued.next_attempt_at) == (
        NoticeStatus.QUEUED,
        0,
        NOW,
    )
    assert logged == [
        events.NotificationsQueued(
            occurred_at=NOW,
            notification_ids=(parked.id,),
            order_ids=(parked.order_id,),
            kinds=("delay",),
        )
    ]
    with fleet.read() as uow:
        assert uow.notifications.count_in_status(NoticeStatus.QUEUED) == 1
    again = fleet.refused(commands.RetryNotification(notification_id=parked.id), Conflict)
    assert again.field == "status"
    fleet.refused(commands.RetryNotification(notification_id="ntf_missing"), NotFound)
