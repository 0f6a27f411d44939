"""The day's measures of client communication, from real messages and inquiries."""

from __future__ import annotations

from datetime import datetime, timedelta

from fleetline.clock import FixedClock
from fleetline.domain.access import Role
from fleetline.domain.messages import NoticeKind, NoticeStatus
from fleetline.domain.model import Channel

from ...api_client import DAY
from .conftest import MORNING, Day, at, report
from .messages import store_message


def kpis(day: Day) -> dict:
    response = day.api.get("/api/v1/kpis", role=Role.AGENT, date=DAY)
    assert response.status_code == 200, response.text
    return response.json()


def test_inquiries_are_counted_per_day_and_per_100_orders(day: Day) -> None:
    """Two calls about the day's eight orders: 2 inquiries, 25 per 100 orders; a retried
    call with the same key counts once."""
    before = kpis(day)["inquiries"]
    first, second = day.stop_of(0, 0), day.stop_of(1, 0)
    for order_id, key in ((first, "a"), (first, "a"), (second, "b")):
        logged = day.api.post(
            f"/api/v1/orders/{order_id}/inquiries", {"channel": "phone"}, Role.AGENT, key
        )
        assert logged.status_code == 201
    figures = kpis(day)
    assert figures["inquiries"] - before == 2
    assert figures["inquiries_per_100_orders"] == round(100 * figures["inquiries"] / 8, 2)


def test_messages_are_counted_by_kind_and_channel_with_their_latency(day: Day) -> None:
    """Sent and recorded messages count; queued and parked ones do not; the latency runs
    from the cause to the message leaving."""
    before = kpis(day)
    order_id = day.stop_of(0, 0)
    store_message(day.api, order_id, NoticeKind.DELAY, MORNING, latency=timedelta(seconds=20))
    store_message(
        day.api,
        order_id,
        NoticeKind.DELAY,
        MORNING,
        channel=Channel.SMS,
        status=NoticeStatus.RECORDED,
        latency=timedelta(seconds=20),
    )
    store_message(day.api, order_id, NoticeKind.DELAY, MORNING, status=NoticeStatus.PARKED)
    store_message(day.api, order_id, NoticeKind.DELAY, MORNING, status=NoticeStatus.QUEUED)
    after = kpis(day)
    assert after["notifications_sent"] - before["notifications_sent"] == 2
    assert after["messages_by_kind"]["delay"] - before["messages_by_kind"].get("delay", 0) == 2
    assert after["messages_by_channel"]["sms"] - before["messages_by_channel"].get("sms", 0) == 1
    assert after["message_latency_s_median"] is not None


def test_the_share_of_late_orders_warned_before_their_window_ended(day: Day) -> None:
    """Two orders delivered after their 09:30 window: one client had a delay message at
    09:00, the other only at 09:40, too late to count: half were warned in time."""
    clock = day.api.services.clock
    assert isinstance(clock, FixedClock)
    clock.set(datetime.fromisoformat(at("10:30")))
    warned, unwarned = day.stop_of(0, 0), day.stop_of(1, 0)
    store_message(day.api, warned, NoticeKind.DELAY, datetime.fromisoformat(at("09:00")))
    store_message(day.api, unwarned, NoticeKind.DELAY, datetime.fromisoformat(at("09:40")))
    assert report(day, warned, "completed", "09:50").status_code == 200
    assert report(day, unwarned, "completed", "10:05").status_code == 200
    figures = kpis(day)
    assert figures["late_orders"] == 2
    assert figures["late_orders_warned_share"] == 0.5
