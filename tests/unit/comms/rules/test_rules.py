"""What the client last heard, read from the outbox: the base of every rule's decision."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, strategies as st

from fleetline.comms.forecast_rules import DELAY_MOVE, delay_is_news, last_delay, window_left
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


def _window(start: int, end: int) -> tuple[datetime, datetime]:
    return EIGHT + timedelta(minutes=start), EIGHT + timedelta(minutes=end)


def test_a_window_narrowing_inside_the_delay_told_is_not_a_new_delay() -> None:
    """Told 09:00-09:30 at 08:00: at 08:30, 09:20-09:30 says nothing new; 09:10-09:55
    (the truck comes 25 minutes after the end told) and 08:35-09:00 (25 minutes before
    the start told) are news; 10 minutes after the delay, nothing is, however it moved."""
    history = [_told(NoticeKind.DELAY, 0, 60)]
    half_past = EIGHT + timedelta(minutes=30)
    assert not delay_is_news(history, _window(80, 90), half_past)
    assert delay_is_news(history, _window(70, 115), half_past)
    assert delay_is_news(history, _window(35, 60), half_past)
    assert not delay_is_news(history, _window(120, 150), EIGHT + timedelta(minutes=10))


def test_a_delay_after_an_on_time_window_was_told_is_news() -> None:
    """Told late, then on time again (a narrowed window): late once more is news even
    within the first delay's window; a reschedule starts afresh; a cancelled delay was
    never heard."""
    delay = _told(NoticeKind.DELAY, 0, 60)
    narrowed = _told(NoticeKind.NARROWED_WINDOW, 20, 50)
    forty = EIGHT + timedelta(minutes=40)
    assert not delay_is_news([delay], _window(65, 95), forty)
    assert delay_is_news([delay, narrowed], _window(65, 95), forty)
    rescheduled = _told(NoticeKind.RESCHEDULED, 5, 180)
    assert delay_is_news([delay, rescheduled], _window(65, 95), EIGHT + timedelta(minutes=6))
    assert delay_is_news([delay.cancelled("delivered")], _window(65, 95), EIGHT)


minutes = st.integers(min_value=0, max_value=600)


@given(minutes, st.integers(min_value=10, max_value=120), minutes, minutes)
def test_a_window_inside_the_one_told_never_leaves_it(
    start: int, width: int, cut_start: int, cut_end: int
) -> None:
    """Any window within the one told (or within 20 minutes of its ends) is not news;
    one ending 20 minutes or more after it always is."""
    told = _window(start, start + width)
    inside_start = start + min(cut_start, width)
    inside_end = max(inside_start, start + width - min(cut_end, width))
    assert not window_left(told, _window(inside_start, inside_end))
    late = int(DELAY_MOVE.total_seconds() // 60)
    assert window_left(told, _window(start + cut_start, start + width + late + cut_end))
