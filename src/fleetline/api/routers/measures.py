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
        "distance_m": figures.distance_m,
        "overtime_s": figures.overtime_s,
        "plan_versions": figures.plan_versions,
        "eta_mae_s": {f"{h}min": mae for h, mae in figures.eta_mae_s.items()},
        "eta_samples": {f"{h}min": n for h, n in figures.eta_samples.items()},
    }
