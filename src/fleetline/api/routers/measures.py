"""The day's figures."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from fleetline.api.deps import STAFF, ServicesDep, require
from fleetline.api.schemas import ERROR_RESPONSES
from fleetline.domain.access import ApiToken
from fleetline.operations.kpis import day_kpis

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES, tags=["measures"])
Reader = Annotated[ApiToken, Depends(require(*STAFF))]


@router.get("/kpis")
def kpis(
    services: ServicesDep,
    token: Reader,
    day: Annotated[date | None, Query(alias="date", description="Today when not given.")] = None,
) -> dict[str, Any]:
    """The day's figures.

    On-time rate, completed and failed orders, exception response time, distance,
    overtime and ETA accuracy (mean absolute error 60, 30 and 15 minutes ahead).
    Client communication: inquiries (and per 100 orders), messages sent (or recorded
    where no channel is configured) by kind and channel, the share of late orders whose
    client was warned before the promised window ended, and the median seconds from a
    change to its message leaving.
    """
    with services.uow_factory() as uow:
        figures = day_kpis(uow, day or services.live.today())
    return {
        "date": figures.date.isoformat(),
        "orders": figures.orders,
        "on_time_rate": figures.on_time_rate,
        "late_orders": figures.late_orders,
        "orders_completed": figures.orders_completed,
        "orders_failed": figures.orders_failed,
        "exception_response_s_median": figures.exception_response_s_median,
        "exception_response_s_p90": figures.exception_response_s_p90,
        "exceptions": figures.exceptions,
        "inquiries": figures.inquiries,
        "notifications_sent": figures.notifications_sent,
        "inquiries_per_100_orders": figures.inquiries_per_100_orders,
        "messages_by_kind": dict(figures.messages_by_kind),
        "messages_by_channel": dict(figures.messages_by_channel),
        "late_orders_warned_share": figures.late_orders_warned_share,
        "message_latency_s_median": figures.message_latency_s_median,
        "distance_m": figures.distance_m,
        "overtime_s": figures.overtime_s,
        "plan_versions": figures.plan_versions,
        "eta_mae_s": {f"{h}min": mae for h, mae in figures.eta_mae_s.items()},
        "eta_samples": {f"{h}min": n for h, n in figures.eta_samples.items()},
    }
