"""What the figures page reads (in a worker thread) and how it words each figure.

The page shows one day's figures and the days before it, all from
:func:`fleetline.operations.kpi_days.kpis_of_days`, so the day's headline and the last
point of each trend are the same numbers. A figure with nothing measured says so in
words rather than showing ``0`` or an empty chart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from fleetline.bootstrap import Services
from fleetline.operations.kpi_days import kpis_of_days
from fleetline.operations.kpis import DayKpis, day_kpis
from fleetline.ui.dispatch_edits.reading import duration, kilometres

HISTORY_DAYS = 14
"""How many days (the one shown included) the trends cover."""


@dataclass(frozen=True, slots=True)
class FiguresLook:
    """The day shown and the days up to it, oldest first (the last one is ``day``)."""

    day: date
    history: tuple[DayKpis, ...]

    @property
    def today(self) -> DayKpis:
        """The figures of the day shown."""
        return self.history[-1]

    @property
    def signature(self) -> tuple[object, ...]:
        """Changes whenever a figure of the day shown changes."""
        return (repr(self.today),)


def read_figures(
    services: Services,
    day: date,
    days: int = HISTORY_DAYS,
    earlier: tuple[DayKpis, ...] | None = None,
) -> FiguresLook:
    """Read ``day``'s figures and those of the ``days - 1`` days before it.

    Parameters
    ----------
    services
        The running services.
    day
        The day shown, the last of the range.
    days
        How many days the range holds.
    earlier
        The days before ``day`` as read already: only ``day`` is read again (a page
        refreshing the day it shows).
    """
    if earlier is not None and services.figures is not None:
        return FiguresLook(day, (*earlier, services.figures.of(day)))
    with services.uow_factory() as uow:
        if earlier is not None:
            return FiguresLook(day, (*earlier, day_kpis(uow, day)))
        first = day - timedelta(days=days - 1) if day.toordinal() > days else date.min
        history = kpis_of_days(uow, first, day)
    return FiguresLook(day, tuple(history))


@dataclass(frozen=True, slots=True)
class Headline:
    """One headline figure: its value as read, a line of detail, and whether it is bad."""

    key: str
    label: str
    value: str
    detail: str
    alert: bool = False


def percent(share: float | None) -> str:
    """A share as ``83%`` (``—`` when nothing was measured)."""
    return "—" if share is None else f"{100 * share:.0f}%"


def _eta(kpis: DayKpis) -> Headline:
    measured = [(h, mae) for h, mae in kpis.eta_mae_s.items() if mae is not None]
    if not measured:
        return Headline("eta", "ETA accuracy", "—", "No arrival measured against an ETA yet")
    horizon, error = measured[0]
    rest = [f"{h} min ahead ±{duration(mae)}" for h, mae in measured[1:]]
    return Headline(
        "eta",
        f"ETA error, {horizon} min ahead",
        f"±{duration(error)}",
        " · ".join(["mean", *rest]),
        error > 900,
    )


def _adherence(kpis: DayKpis) -> Headline:
    adherence = kpis.adherence
    if adherence is None or adherence.plan_id is None:
        return Headline("adherence", "Plan adherence", "—", "The day was never dispatched")
    if adherence.stops_compared == 0:
        return Headline(
            "adherence",
            "Plan adherence",
            "—",
            f"No stop of the morning plan (version {adherence.plan_version}) served yet",
        )
    parts = [f"{percent(adherence.on_planned_truck_share)} on the planned truck"]
    if adherence.arrival_diff_s_median is not None:
        parts.append(f"arrivals {duration(adherence.arrival_diff_s_median)} off plan (median)")
    share = adherence.sequence_kept_share
    value = percent(share) if share is not None else "—"
    return Headline(
        "adherence",
        "Sequence kept",
        value,
        " · ".join(parts),
        share is not None and share < 0.8,
    )


def headlines(kpis: DayKpis) -> list[Headline]:
    """The day's headline figures, worded for a dispatcher.

    Parameters
    ----------
    kpis
        The day's figures.

    Returns
    -------
    list of Headline
        On time, completed and failed, exception response, inquiries per 100 orders,
        overtime, distance, ETA accuracy and plan adherence, in that order.
    """
    judged = kpis.orders_completed
    on_time = Headline(
        "on_time",
        "On time",
        percent(kpis.on_time_rate),
        f"{kpis.late_orders} late of {judged} delivered"
        if kpis.on_time_rate is not None
        else "No delivery judged yet",
        kpis.on_time_rate is not None and kpis.on_time_rate < 0.9,
    )
    done = Headline(
        "completed",
        "Completed / failed",
        f"{kpis.orders_completed} / {kpis.orders_failed}",
        f"of {kpis.orders} orders" if kpis.orders else "No order on this day",
        kpis.orders_failed > 0,
    )
    if kpis.exception_response_s_median is not None:
        p90 = kpis.exception_response_s_p90 or kpis.exception_response_s_median
        response = Headline(
            "response",
            "Exception response",
            duration(kpis.exception_response_s_median),
            f"median · p90 {duration(p90)}",
            kpis.exception_response_s_median > 900,
        )
    else:
        response = Headline(
            "response",
            "Exception response",
            "—",
            f"{kpis.exceptions} exceptions, none decided with an option yet"
            if kpis.exceptions
            else "No exception on this day",
        )
    if kpis.options_ready_s_median is not None:
        ready_p90 = kpis.options_ready_s_p90 or kpis.options_ready_s_median
        response = Headline(
            response.key,
            response.label,
            response.value,
            f"{response.detail} · options ready in {duration(kpis.options_ready_s_median)}"
            + (f" (p90 {duration(ready_p90)})" if ready_p90 != kpis.options_ready_s_median else ""),
            response.alert,
        )
    inquiries = Headline(
        "inquiries",
        "Inquiries per 100 orders",
        "—" if kpis.inquiries_per_100_orders is None else f"{kpis.inquiries_per_100_orders:g}",
        f"{kpis.inquiries} inquiries · {kpis.notifications_sent} messages sent",
    )
    if kpis.plan_versions:
        overtime = Headline(
            "overtime",
            "Overtime",
            duration(kpis.overtime_s) if kpis.overtime_s else "none",
            "worked past shift end"
            if kpis.overtime_actual_s is not None
            else "paid overtime of the live plan",
            kpis.overtime_s > 0,
        )
        distance = Headline(
            "distance",
            "Distance",
            kilometres(kpis.distance_m),
            f"live plan · {kpis.plan_versions} plan versions",
        )
    else:
        overtime = Headline("overtime", "Overtime", "—", "No plan on this day")
        distance = Headline("distance", "Distance", "—", "No plan on this day")
    return [on_time, done, response, inquiries, overtime, distance, _eta(kpis), _adherence(kpis)]
