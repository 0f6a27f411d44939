"""The figures of a range of days, one :class:`DayKpis` per day, to compare days.

Every day of the range is measured the same way as a single day (:func:`day_kpis`), so a
day read alone and the same day read in a range agree. A day without orders is measured
too (its counts are zero, its rates ``None``), so a range has no gaps.
"""

from __future__ import annotations

from datetime import date, timedelta

from fleetline.domain.errors import InvalidField
from fleetline.operations.kpis import DayKpis, day_kpis
from fleetline.operations.ports import UnitOfWork

MAX_DAYS = 92
"""The longest range measured in one call (a quarter)."""


def days_between(first: date, last: date, max_days: int = MAX_DAYS) -> list[date]:
    """Every day from ``first`` to ``last``, both included.

    Parameters
    ----------
    first, last
        The range's first and last day.
    max_days
        The most days allowed.

    Returns
    -------
    list of date
        The days in order.

    Raises
    ------
    InvalidField
        On ``from`` when ``first`` is after ``last``; on ``to`` when the range is longer
        than ``max_days``.
    """
    if last < first:
        raise InvalidField("from", "must not be after to")
    count = (last - first).days + 1
    if count > max_days:
        raise InvalidField("to", f"a range holds at most {max_days} days (this one {count})")
    return [first + timedelta(days=offset) for offset in range(count)]


def kpis_of_days(
    uow: UnitOfWork, first: date, last: date, max_days: int = MAX_DAYS
) -> list[DayKpis]:
    """Compute the figures of each day from ``first`` to ``last``.

    Parameters
    ----------
    uow
        An open unit of work.
    first, last
        The range, both days included.
    max_days
        The most days allowed in one call.

    Returns
    -------
    list of DayKpis
        One per day, oldest first.

    Raises
    ------
    InvalidField
        As :func:`days_between`.
    """
    return [day_kpis(uow, day) for day in days_between(first, last, max_days)]
