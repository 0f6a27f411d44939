"""The ETA as a client hears it: a window, not a false-precise minute.

The window widens with the time left before arrival (an ETA an hour ahead is less
certain than one ten minutes ahead) and its ends fall on five-minute marks, so that the
window told to a client, shown to an agent and drawn on the tracking page is one and
the same.
"""

from __future__ import annotations

from datetime import datetime, timedelta

MIN_HALF_WIDTH = timedelta(minutes=10)
MAX_HALF_WIDTH = timedelta(minutes=60)
HORIZON_SHARE = 0.15
"""The half-width grows by this share of the time left before arrival."""
ROUNDING = timedelta(minutes=5)


def _floor(moment: datetime) -> datetime:
    step = int(ROUNDING.total_seconds())
    seconds = int(moment.timestamp())
    return moment - timedelta(seconds=seconds % step, microseconds=moment.microsecond)


def _ceil(moment: datetime) -> datetime:
    floored = _floor(moment)
    return floored if floored == moment else floored + ROUNDING


def eta_window(eta: datetime, now: datetime) -> tuple[datetime, datetime]:
    """Return the window in which the truck is expected, for an ETA seen at ``now``.

    Parameters
    ----------
    eta
        The predicted arrival; an ETA already past (the truck not there yet) counts
        from ``now``.
    now
        When the prediction is read; the further ahead the arrival, the wider the window.

    Returns
    -------
    tuple of datetime
        The window's start and end, on five-minute marks, never starting before ``now``
        rounded down.
    """
    expected = max(eta, now)
    half = min(MAX_HALF_WIDTH, MIN_HALF_WIDTH + (expected - now) * HORIZON_SHARE)
    start = max(_floor(expected - half), _floor(now))
    end = _ceil(expected + half)
    return start, end
