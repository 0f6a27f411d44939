"""The day's figures, and the figures of a range of days to compare them."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from fleetline.api.deps import STAFF, ServicesDep, require
from fleetline.api.schemas import ERROR_RESPONSES, Day
from fleetline.api.schemas_measures import DayKpisOut, KpiDaysOut
from fleetline.domain.access import ApiToken
from fleetline.operations.kpi_days import MAX_DAYS, kpis_of_days
from fleetline.operations.kpis import DayKpis, day_kpis

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES, tags=["measures"])
Reader = Annotated[ApiToken, Depends(require(*STAFF))]
DEFAULT_RANGE_DAYS = 14


def kpis_body(figures: DayKpis) -> dict[str, Any]:
    """The JSON of one day's figures (the same in ``/kpis`` and ``/kpis/days``)."""
    return {
        "date": figures.date.isoformat(),
        "orders": figures.orders,
        "on_time_rate": figures.on_time_rate,
        "late_orders": figures.late_orders,
        "orders_completed": figures.orders_completed,
        "orders_failed": figures.orders_failed,
        "exception_response_s_median": figures.exception_response_s_median,
        "exception_response_s_p90": figures.exception_response_s_p90,
        "options_ready_s_median": figures.options_ready_s_median,
        "options_ready_s_p90": figures.options_ready_s_p90,
        "exceptions": figures.exceptions,
        "exceptions_resolved": figures.exceptions_resolved,
        "exceptions_dismissed": figures.exceptions_dismissed,
        "inquiries": figures.inquiries,
        "notifications_sent": figures.notifications_sent,
        "inquiries_per_100_orders": figures.inquiries_per_100_orders,
        "messages_by_kind": dict(figures.messages_by_kind),
        "messages_by_channel": dict(figures.messages_by_channel),
        "late_orders_warned_share": figures.late_orders_warned_share,
        "message_latency_s_median": figures.message_latency_s_median,
        "distance_m": figures.distance_m,
        "overtime_s": figures.overtime_s,
        "overtime_planned_s": figures.overtime_planned_s,
        "overtime_actual_s": figures.overtime_actual_s,
        "plan_versions": figures.plan_versions,
        "eta_mae_s": {f"{h}min": mae for h, mae in figures.eta_mae_s.items()},
        "eta_samples": {f"{h}min": n for h, n in figures.eta_samples.items()},
        "eta_bias_s": {f"{h}min": bias for h, bias in (figures.eta_bias_s or {}).items()},
        "plan_adherence": asdict(figures.adherence) if figures.adherence else None,
    }


@router.get("/kpis", response_model=DayKpisOut)
def kpis(
    services: ServicesDep,
    token: Reader,
    day: Annotated[Day | None, Query(alias="date", description="Today when not given.")] = None,
) -> dict[str, Any]:
    """The day's figures.

    On-time rate, completed and failed orders, exception response time (event to
    decision, median and 90th percentile) and time to options ready, distance, overtime
    (``overtime_s``: worked past the shifts' end once trucks reported stops, the live
    plan's before; both apart in ``overtime_actual_s`` and ``overtime_planned_s``) and
    ETA accuracy (mean absolute and signed error 60, 30 and 15 minutes ahead).
    Client communication: inquiries (and per 100 orders), messages sent (or recorded
    where no channel is configured) by kind and channel, the share of late orders whose
    client was warned before the promised window ended, and the median seconds from a
    change to its message leaving. Plan adherence against the morning plan (the first
    dispatched version): the share of consecutive served pairs kept in planned order,
    planned against actual arrival, and the share served by the truck first planned.
    """
    wanted = day or services.live.today()
    if services.figures is not None:
        return kpis_body(services.figures.of(wanted))
    with services.uow_factory() as uow:
        return kpis_body(day_kpis(uow, wanted))


@router.get("/kpis/days", response_model=KpiDaysOut, response_model_by_alias=True)
def kpis_days(
    services: ServicesDep,
    token: Reader,
    first: Annotated[
        Day | None,
        Query(alias="from", description="First day; 13 days before `to` when not given."),
    ] = None,
    last: Annotated[
        Day | None, Query(alias="to", description="Last day; today when not given.")
    ] = None,
) -> dict[str, Any]:
    """The figures of each day from ``from`` to ``to`` (both included), to compare days.

    At most 92 days; each day is the same object as ``GET /kpis?date=`` answers, oldest
    first, days without orders included (zero counts, ``null`` rates).
    """
    last = last or services.live.today()
    if first is None:
        ordinal = max(date.min.toordinal(), last.toordinal() - (DEFAULT_RANGE_DAYS - 1))
        first = date.fromordinal(ordinal)
    with services.uow_factory() as uow:
        days = kpis_of_days(uow, first, last, MAX_DAYS)
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "days": [kpis_body(figures) for figures in days],
    }
