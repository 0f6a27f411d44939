"""Client communication's store: the outbox, inquiries, tracking links and the message
hold, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest

from fleetline.comms.tracking_links import issue_link, order_of_token
from fleetline.domain.messages import (
    Inquiry,
    InquiryChannel,
    MessageHold,
    NoticeKind,
    NoticeStatus,
    Notification,
)
from fleetline.domain.model import Channel
from fleetline.store.unit_of_work import SqlUnitOfWork

from .store_builders import DAY, order, seed_master_data

pytestmark = pytest.mark.both_databases  # claims, leases and upserts are SQL of each dialect

T0 = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)


def notice(notice_id: str, key: str, created: datetime = T0, **changes: object) -> Notification:
    base = Notification(
        id=notice_id,
        order_id="o1",
        client_id="c1",
        kind=NoticeKind.DELAY,
        channel=Channel.EMAIL,
        recipient="c1@example.li",
        subject="Your delivery is running late",
        body="New window 10:30-11:00",
        dedupe_key=key,
        created_at=created,
        cause_at=created - timedelta(seconds=20),
        not_before=created,
        window_start=created + timedelta(hours=1),
        window_end=created + timedelta(hours=1, minutes=30),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def seeded(uow: SqlUnitOfWork) -> SqlUnitOfWork:
    seed_master_data(uow)
    with uow:
        uow.orders.add_many([order("o1"), order("o2")])
        uow.commit()
    return uow


def test_the_outbox_queues_the_same_news_once(uow: SqlUnitOfWork) -> None:
    """A rule that runs twice, or twice in one batch, queues one message per key."""
    seeded(uow)
    with uow:
        queued = uow.notifications.add_new(
            [notice("n1", "o1:delay:1030"), notice("n1b", "o1:delay:1030")]
        )
        uow.commit()
    assert [n.id for n in queued] == ["n1"]
    with uow:
        again = uow.notifications.add_new([notice("n2", "o1:delay:1030")])
        fresh = uow.notifications.add_new([notice("n3", "o1:delay:1100")])
        uow.commit()
    assert again == []
    assert [n.id for n in fresh] == ["n3"]
    with uow:
        assert [n.id for n in uow.notifications.for_order("o1")] == ["n1", "n3"]
        assert uow.notifications.get("n1") == notice("n1", "o1:delay:1030")


def test_only_due_messages_are_handed_out(uow: SqlUnitOfWork) -> None:
    """Quiet hours and a retry's backoff keep a message back; a sent one never comes again."""
    seeded(uow)
    quiet = notice("quiet", "k-quiet", not_before=T0 + timedelta(hours=8))
    earlier = T0 - timedelta(minutes=1)
    backing_off = notice("retry", "k-retry", earlier).retry_at(T0 + timedelta(minutes=5), "timeout")
    sent = notice("sent", "k-sent").sending(T0).sent(T0)
    ready = notice("ready", "k-ready")
    with uow:
        uow.notifications.add_new([quiet, backing_off, sent, ready])
        uow.commit()
    with uow:
        assert [n.id for n in uow.notifications.due(T0)] == ["ready"]
        later = T0 + timedelta(minutes=6)
        assert [n.id for n in uow.notifications.due(later)] == ["retry", "ready"]
        parked = uow.notifications.get("retry")
        assert parked is not None
        uow.notifications.update(parked.parked("502 from the provider"))
        uow.commit()
    with uow:
        assert [n.id for n in uow.notifications.in_status(NoticeStatus.PARKED)] == ["retry"]
        stored = uow.notifications.get("retry")
        assert stored is not None and stored.last_error == "502 from the provider"


def test_inquiries_are_counted_by_when_they_came(uow: SqlUnitOfWork) -> None:
    """Inquiries come back per order and per period, with who logged them."""
    seeded(uow)
    first = Inquiry("i1", "o1", "c1", InquiryChannel.PHONE, T0, "where is it?", "agent:eva")
    second = Inquiry("i2", "o2", "c1", InquiryChannel.EMAIL, T0 + timedelta(days=1))
    with uow:
        uow.inquiries.add(first)
        uow.inquiries.add(second)
        uow.commit()
    with uow:
        assert uow.inquiries.for_order("o1") == [first]
        assert uow.inquiries.between(T0, T0 + timedelta(hours=1)) == [first]


def test_a_tracking_link_opens_its_order_until_the_day_ends(uow: SqlUnitOfWork) -> None:
    """Only the hash is stored; the token opens the order until local midnight after it."""
    seeded(uow)
    zone = timezone(timedelta(hours=1))
    with uow:
        stored_order = uow.orders.get("o1")
        assert stored_order is not None
        token = issue_link(uow, stored_order, T0, zone)
        uow.commit()
    with uow:
        links = uow.tracking_links.for_order("o1")
        assert token not in {link.token_hash for link in links}
        assert order_of_token(uow, token, T0) == "o1"
        midnight = datetime(DAY.year, DAY.month, DAY.day, tzinfo=zone) + timedelta(days=1)
        assert order_of_token(uow, token, midnight - timedelta(seconds=1)) == "o1"
        assert order_of_token(uow, token, midnight) is None
        assert order_of_token(uow, token[:-1] + ("A" if token[-1] != "A" else "B"), T0) is None


def test_the_message_hold_is_stored(uow: SqlUnitOfWork) -> None:
    """Not held by default; a hold keeps its reason, who set it and since when."""
    seeded(uow)
    with uow:
        assert uow.comms_settings.hold() == MessageHold(held=False)
        uow.comms_settings.set_hold(MessageHold(True, "storm on the A13", "disp:max", T0))
        uow.commit()
    with uow:
        assert uow.comms_settings.hold() == MessageHold(True, "storm on the A13", "disp:max", T0)
        uow.comms_settings.set_hold(MessageHold(False, "", "disp:max", T0))
        uow.commit()
    with uow:
        assert not uow.comms_settings.hold().held
