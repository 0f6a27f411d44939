"""How the controls of the day read what a dispatcher types, and frame the incident map."""

from __future__ import annotations

from datetime import time

import pytest

from fleetline.ui.dispatch_controls.incident_card import parse_corners
from fleetline.ui.dispatch_controls.incident_map import view_of
from fleetline.ui.dispatch_controls.reading import parse_clock


@pytest.mark.parametrize(
    ("typed", "read"),
    [("08:30", time(8, 30)), ("8:05", time(8, 5)), ("0830", time(8, 30)), ("17.45", time(17, 45))],
)
def test_times_are_read_as_a_dispatcher_types_them(typed: str, read: time) -> None:
    """08:30, 8:05, 0830 and 17.45 are all times of day."""
    assert parse_clock(typed) == read


@pytest.mark.parametrize("typed", ["", "24:00", "8:5", "noon", "12:60", None])
def test_what_is_not_a_time_is_not_read_as_one(typed: str | None) -> None:
    """A form refuses these instead of sending a wrong time."""
    assert parse_clock(typed) is None


def test_corners_are_read_one_a_line() -> None:
    """Commas, semicolons or spaces between latitude and longitude; blank lines skipped."""
    typed = "47.14, 9.52\n\n47.15;9.53\n47.16 9.50"
    assert parse_corners(typed) == [(47.14, 9.52), (47.15, 9.53), (47.16, 9.50)]


@pytest.mark.parametrize(
    ("typed", "problem"),
    [("47.14, 9.52\n47.15", "Line 2"), ("47.14, 9.52\n95, 9.5", "Line 2: latitude")],
)
def test_a_bad_corner_is_named_by_its_line(typed: str, problem: str) -> None:
    """The dispatcher is told which line to fix."""
    found = parse_corners(typed)
    assert isinstance(found, str) and found.startswith(problem)


def test_the_map_opens_on_the_whole_day() -> None:
    """A day spread over 30 km opens around its middle, zoomed out further than a day
    of one village; one point alone opens at street level, not beyond."""
    wide = view_of(((47.00, 9.40), (47.27, 9.65)))
    narrow = view_of(((47.10, 9.50), (47.12, 9.52)))
    single = view_of(((47.1, 9.5), (47.1, 9.5)))
    assert wide[0] == pytest.approx((47.135, 9.525))
    assert 6 <= wide[1] < narrow[1] <= 14
    assert single == ((47.1, 9.5), 14)
