"""Composing messages: channels with an address, quiet hours, de-duplication keys."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from fleetline.comms.compose import Notice, compose, dedupe_key, quiet_until
from fleetline.comms.templating import Templates
from fleetline.domain.messages import NoticeKind
from fleetline.domain.model import (
    Channel,
    Client,
    Contact,
    Location,
    NotificationPreferences,
    Order,
    TimeWindow,
)

ZONE = ZoneInfo("Europe/Vaduz")
DAY = date(2026, 11, 26)
WINDOW = (datetime(2026, 11, 26, 9, 0, tzinfo=ZONE), datetime(2026, 11, 26, 10, 30, tzinfo=ZONE))
NOON = datetime(2026, 11, 26, 12, 0, tzinfo=ZONE)
TEMPLATES = Templates()


def _client(**preferences: object) -> Client:
    return Client(
        id="cli_1",
        name="Bakery Marxer",
        priority=2,
        contact=Contact(email="shop@example.com", phone="+423 555 0101"),
        preferences=NotificationPreferences(**preferences),  # type: ignore[arg-type]
    )


def _order() -> Order:
    return Order(
        id="ord_1",
        client_id="cli_1",
        date=DAY,
        location=Location(47.1, 9.5),
        time_windows=(TimeWindow(*WINDOW),),
        demand={"pallets": 1},
        service_s=300,
        reference="L-42",
    )


def _compose(client: Client, now: datetime = NOON) -> list:
    counter = itertools.count()
    return compose(
        Notice("ord_1", NoticeKind.PROMISED_WINDOW, now, window=WINDOW),
        _order(),
        client,
        now=now,
        zone=ZONE,
        link="https://fleetline.example/track/tok",
        templates=TEMPLATES,
        ids=lambda prefix: f"{prefix}_{next(counter)}",
    )


def test_one_message_per_preferred_channel_with_an_address() -> None:
    """Email and SMS preferred, both known: two messages; a webhook without an address
    is skipped, not an error."""
    made = _compose(_client(channels=(Channel.EMAIL, Channel.SMS, Channel.WEBHOOK)))
    assert [(n.channel, n.recipient) for n in made] == [
        (Channel.EMAIL, "shop@example.com"),
        (Channel.SMS, "+423 555 0101"),
    ]
    assert all("https://fleetline.example/track/tok" in n.body for n in made)
    assert all("09:00\u201310:30" in n.subject for n in made)


def test_a_client_who_turned_messages_off_gets_none() -> None:
    """Preferences disabled: nothing is made, whatever the channels."""
    assert _compose(_client(enabled=False)) == []


def test_a_client_without_any_address_gets_none() -> None:
    """Only SMS preferred and no phone known: nothing is made."""
    client = Client(
        id="cli_1",
        name="Quiet Ltd",
        priority=3,
        contact=Contact(email="a@example.com"),
        preferences=NotificationPreferences(channels=(Channel.SMS,)),
    )
    assert _compose(client) == []


def test_the_dedupe_key_names_order_kind_window_and_channel() -> None:
    """The same news on another channel, another window or another kind has another key;
    the same news again has the same key."""
    notice = Notice("ord_1", NoticeKind.DELAY, NOON, window=WINDOW)
    key = dedupe_key(notice, Channel.EMAIL)
    assert key == "ord_1:delay:20261126T0800Z-20261126T0930Z:email"
    assert dedupe_key(notice, Channel.SMS) != key
    later = (WINDOW[0].replace(hour=9, minute=20), WINDOW[1])
    assert dedupe_key(Notice("ord_1", NoticeKind.DELAY, NOON, window=later), Channel.EMAIL) != key
    assert dedupe_key(Notice("ord_1", NoticeKind.DELAY, NOON, window=WINDOW), Channel.EMAIL) == key
    told_once = Notice("ord_1", NoticeKind.NARROWED_WINDOW, NOON, window=WINDOW, detail="day:x")
    assert dedupe_key(told_once, Channel.EMAIL) == "ord_1:narrowed_window:day:x:email"


@pytest.mark.parametrize(
    ("made_at", "expected"),
    [
        (datetime(2026, 11, 26, 23, 0, tzinfo=ZONE), datetime(2026, 11, 27, 7, 0, tzinfo=ZONE)),
        (datetime(2026, 11, 27, 1, 30, tzinfo=ZONE), datetime(2026, 11, 27, 7, 0, tzinfo=ZONE)),
        (datetime(2026, 11, 26, 12, 0, tzinfo=ZONE), datetime(2026, 11, 26, 12, 0, tzinfo=ZONE)),
        (datetime(2026, 11, 27, 7, 0, tzinfo=ZONE), datetime(2026, 11, 27, 7, 0, tzinfo=ZONE)),
    ],
)
def test_quiet_hours_across_midnight(made_at: datetime, expected: datetime) -> None:
    """Quiet from 22:00 to 07:00 local: a message made at 23:00 or 01:30 leaves at 07:00;
    one made at noon or at 07:00 sharp leaves at once."""
    preferences = NotificationPreferences(quiet_start=time(22), quiet_end=time(7))
    assert quiet_until(made_at.astimezone(UTC), preferences, ZONE) == expected


def test_quiet_hours_within_a_day_and_none() -> None:
    """Quiet from 12:00 to 14:00: noon waits until 14:00; no or empty quiet hours: at once."""
    lunch = NotificationPreferences(quiet_start=time(12), quiet_end=time(14))
    assert quiet_until(NOON, lunch, ZONE) == NOON.replace(hour=14)
    assert quiet_until(NOON, NotificationPreferences(), ZONE) == NOON
    same = NotificationPreferences(quiet_start=time(12), quiet_end=time(12))
    assert quiet_until(NOON, same, ZONE) == NOON


def test_messages_made_in_quiet_hours_wait() -> None:
    """A message composed at 23:00 for a client quiet from 22:00 does not leave before 07:00."""
    late = datetime(2026, 11, 25, 23, 0, tzinfo=ZONE)
    [made] = _compose(_client(quiet_start=time(22), quiet_end=time(7)), now=late)
    assert made.not_before == datetime(2026, 11, 26, 7, 0, tzinfo=ZONE)
    assert made.created_at == late
