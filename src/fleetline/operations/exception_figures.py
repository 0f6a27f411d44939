"""How fast a day's exceptions were answered: event to options ready, event to decision.

An exception opens when the disruption (a breakdown, a failed delivery...) is reported,
so its ``opened_at`` is the moment of the event. Options are computed again whenever the
live plan changes while the exception waits, which moves its stored ``options_ready_at``;
the time to options ready is therefore read from the event log: the first
``ExceptionOptionsReady`` of each exception, what the dispatcher first waited for (the
stored ``options_ready_at`` only when the log holds none). The time to the decision runs
from ``opened_at`` to ``resolved_at`` of the exceptions resolved with an option; dismissed
ones are counted apart.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from fleetline.domain import events
from fleetline.domain.live import ExceptionStatus, OperationalException
from fleetline.operations.ports import UnitOfWork


def percentile(values: Sequence[float], share: float) -> float | None:
    """The value at ``share`` (0 to 1) of ``values`` sorted, nearest rank; ``None`` if empty.

    Parameters
    ----------
    values
        The measurements.
    share
        0.5 for the median of an odd count, 0.9 for the 90th percentile.

    Returns
    -------
    float or None
        ``sorted(values)[round(share * (n - 1))]``: always one of the values measured.
    """
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


@dataclass(frozen=True, slots=True)
class ExceptionFigures:
    """The day's exceptions and how fast they were answered.

    Attributes
    ----------
    exceptions
        Exceptions opened on the day, in any status.
    resolved, dismissed
        Of those, resolved with an option, and dismissed without changing the plan.
    response_s_median, response_s_p90
        Seconds from the event to the decision, over the resolved exceptions.
    options_ready_s_median, options_ready_s_p90
        Seconds from the event to the first ranked options, over the exceptions that
        got options.
    """

    exceptions: int
    resolved: int
    dismissed: int
    response_s_median: float | None
    response_s_p90: float | None
    options_ready_s_median: float | None
    options_ready_s_p90: float | None


def first_options_ready(
    uow: UnitOfWork, exceptions: Sequence[OperationalException]
) -> dict[str, datetime]:
    """When each exception first had its options, from the event log.

    Parameters
    ----------
    uow
        An open unit of work.
    exceptions
        The exceptions to look up.

    Returns
    -------
    dict of str to datetime
        Exception id to the ``occurred_at`` of its first ``ExceptionOptionsReady``; an
        exception whose options were never logged falls back to its ``options_ready_at``
        (left out when it has none).
    """
    if not exceptions:
        return {}
    wanted = {e.id for e in exceptions}
    since = min(e.opened_at for e in exceptions)
    until = max(e.opened_at for e in exceptions) + timedelta(days=2)
    first: dict[str, datetime] = {}
    for logged in uow.events.of_type(events.ExceptionOptionsReady.__name__, since, until):
        event = logged.event
        if isinstance(event, events.ExceptionOptionsReady) and event.exception_id in wanted:
            first.setdefault(event.exception_id, event.occurred_at)
    for exception in exceptions:
        if exception.id not in first and exception.options_ready_at is not None:
            first[exception.id] = exception.options_ready_at
    return first


def exception_figures(
    exceptions: Sequence[OperationalException], options_ready: dict[str, datetime]
) -> ExceptionFigures:
    """Count a day's exceptions and measure how fast they were answered.

    Parameters
    ----------
    exceptions
        The exceptions of the day.
    options_ready
        Exception id to when its options were first ready (:func:`first_options_ready`).

    Returns
    -------
    ExceptionFigures
        Medians and 90th percentiles as :func:`percentile` takes them (the median by
        :func:`statistics.median`, halfway between the middle two of an even count).
    """
    responses = [
        (e.resolved_at - e.opened_at).total_seconds()
        for e in exceptions
        if e.status is ExceptionStatus.RESOLVED and e.resolved_at is not None
    ]
    ready = [
        max(0.0, (options_ready[e.id] - e.opened_at).total_seconds())
        for e in exceptions
        if e.id in options_ready
    ]
    return ExceptionFigures(
        exceptions=len(exceptions),
        resolved=sum(e.status is ExceptionStatus.RESOLVED for e in exceptions),
        dismissed=sum(e.status is ExceptionStatus.DISMISSED for e in exceptions),
        response_s_median=statistics.median(responses) if responses else None,
        response_s_p90=percentile(responses, 0.9),
        options_ready_s_median=statistics.median(ready) if ready else None,
        options_ready_s_p90=percentile(ready, 0.9),
    )
