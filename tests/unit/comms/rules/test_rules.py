"""What the client last heard, read from the outbox: the base of every rule's decision."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fleetline.comms.forecast_rules import last_delay
from fleetline.comms.rules import told_window
from fleetline.domain.messages import NoticeKind, Notification
from fleetline.domain.model import Channel

ZONE = ZoneInfo("Europe/Vaduz")
EIGHT = datetime(2026, 11, 26, 8, 0, tzinfo=ZONE)


def _told(kind: NoticeKind, minutes: int, window_start: int | None = None) -> Notification:
    at = EIGHT + timedelta(minutes=minutes)
    start = EIGHT + timedelta(minutes=window_start) if window_start is not None else None
    return Notification(
        id=f"ntf_{kind}_{minutes}",
        order_id="ord_1",
        client_id="cli_1",
        kind=kind,
        channel=Channel.EMAIL,
        recipient="a@example.com",
        subject="s",
        body="b",
        dedupe_key=f"ord_1:{kind}:{minutes}",
        created_at=at,
        cause_at=at,
        not_before=at,
        window_start=start,
        window_end=start + timedelta(minutes=30) if start else None,
    )


def test_the_window_told_is_the_last_promise_or_reschedule() -> None:
    """Nothing told: ``None``. A promise then a reschedule: the reschedule's window. A
    cancelled message never reached the client and does not count."""
    assert told_window([]) is None
    promised = _told(NoticeKind.PROMISED_WINDOW, 0, 60)
    moved = _told(NoticeKind.RESCHEDULED, 10, 120)
    assert told_window([promised, moved]) == (
        NoticeKind.RESCHEDULED,
        (EIGHT + timedelta(minutes=120), EIGHT + timedelta(minutes=150)),
    )
    assert told_window([promised, moved.cancelled("overtaken")]) == (
        NoticeKind.PROMISED_WINDOW,
        (EIGHT + timedelta(minutes=60), EIGHT + timedelta(minutes=90)),
    )


def test_a_failed_delivery_is_what_the_client_heard_last() -> None:
    """After ``failed`` the client holds no window: a new plan must tell one again."""
    heard = told_window([_told(NoticeKind.PROMISED_WINDOW, 0, 60), _told(NoticeKind.FAILED, 30)])
    assert heard == (NoticeKind.FAILED, None)


def test_the_last_delay_counts_only_since_the_last_reschedule() -> None:
    """Hysteresis compares with the last delay told; a reschedule since then starts afresh,
    and a cancelled delay was never heard."""
    first = _told(NoticeKind.DELAY, 0, 90)
    second = _told(NoticeKind.DELAY, 30, 120)
    assert last_delay([first, second]) == second
    assert last_delay([first, second.cancelled("delivered")]) == first
    assert last_delay([first, _told(NoticeKind.RESCHEDULED, 40, 180)]) is None
    assert last_delay([_told(NoticeKind.PROMISED_WINDOW, 0, 60)]) is None
