"""The ETA window told to clients."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, strategies as st

from fleetline.operations.eta_window import eta_window

NOW = datetime(2026, 3, 2, 9, 3, 17, tzinfo=UTC)


def test_a_near_arrival_gets_a_narrow_window_on_five_minute_marks() -> None:
    """Ten minutes ahead: about ±10 minutes, ends on five-minute marks."""
    start, end = eta_window(NOW + timedelta(minutes=10), NOW)
    assert (start, end) == (
        datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        datetime(2026, 3, 2, 9, 25, tzinfo=UTC),
    )


def test_a_far_arrival_gets_a_wider_window() -> None:
    """Two hours ahead the window is wider than twenty minutes ahead, and at most 2 h."""
    near = eta_window(NOW + timedelta(minutes=20), NOW)
    far = eta_window(NOW + timedelta(hours=2), NOW)
    assert far[1] - far[0] > near[1] - near[0]
    assert far[1] - far[0] <= timedelta(hours=2, minutes=10)


@given(
    ahead=st.integers(min_value=-3600, max_value=10 * 3600),
    now_offset=st.integers(min_value=0, max_value=86_400),
)
def test_the_window_holds_the_eta_and_never_starts_in_the_past(ahead: int, now_offset: int) -> None:
    """Whatever the ETA, the window contains it (or now, if it is overdue)."""
    now = NOW + timedelta(seconds=now_offset)
    eta = now + timedelta(seconds=ahead)
    start, end = eta_window(eta, now)
    assert start <= max(eta, now) <= end
    assert start >= now - timedelta(minutes=5)
    assert start.minute % 5 == 0 and end.minute % 5 == 0
    assert start.second == 0 and end.second == 0
