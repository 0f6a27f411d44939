"""Exceptions: what disrupted the plan, who is affected, and ranked options to resolve it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field

from fleetline.api.deps import (
    PLANNERS,
    STAFF,
    IdempotencyKey,
    PathId,
    ServicesDep,
    execute,
    require,
)
from fleetline.api.schemas import ERROR_RESPONSES, ApiModel, Day
from fleetline.domain import commands
from fleetline.domain.access import ApiToken
from fleetline.domain.errors import Conflict, NotFound
from fleetline.domain.live import ExceptionStatus, OperationalException

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES, tags=["exceptions"])
Planner = Annotated[ApiToken, Depends(require(*PLANNERS))]
Reader = Annotated[ApiToken, Depends(require(*STAFF))]


class ResolveIn(ApiModel):
    """The option to apply."""

    option_id: str = Field(min_length=1, max_length=64)


def exception_body(exception: OperationalException) -> dict[str, Any]:
    """An exception as the API shows it."""

    def seconds_after(moment: Any) -> float | None:
        return (moment - exception.opened_at).total_seconds() if moment else None

    return {
        "id": exception.id,
        "kind": exception.kind.value,
        "status": exception.status.value,
        "date": exception.date.isoformat(),
        "opened_at": exception.opened_at.isoformat(),
        "summary": exception.summary,
        "vehicle_id": exception.vehicle_id,
        "order_id": exception.order_id,
        "affected_orders": [
            {
                "order_id": a.order_id,
                "client_id": a.client_id,
                "client_name": a.client_name,
                "priority": a.priority,
                "eta": a.eta.isoformat() if a.eta else None,
                "window_end": a.window_end.isoformat() if a.window_end else None,
                "risk": a.risk.value if a.risk else None,
            }
            for a in exception.affected
        ],
        "options": [
            {
                "id": o.id,
                "kind": o.kind,
                "rank": o.rank,
                "summary": o.summary,
                "impact": {
                    "late_orders": o.impact.late_orders,
                    "priority_weighted_lateness": o.impact.priority_weighted_lateness,
                    "extra_distance_m": o.impact.extra_distance_m,
                    "overtime_s": o.impact.overtime_s,
                    "cost": o.impact.cost,
                    "unserved_orders": o.impact.unserved_orders,
                    "clients_to_notify": o.impact.clients_to_notify,
                },
            }
            for o in sorted(exception.options, key=lambda o: o.rank)
        ],
        "options_ready_at": exception.options_ready_at.isoformat()
        if exception.options_ready_at
        else None,
        "options_ready_s": seconds_after(exception.options_ready_at),
        "resolved_at": exception.resolved_at.isoformat() if exception.resolved_at else None,
        "response_s": seconds_after(exception.resolved_at),
        "chosen_option_id": exception.chosen_option_id,
        "resolved_by": exception.resolved_by,
        "plan_id": exception.plan_id,
    }


@router.get("/exceptions")
def list_exceptions(
    services: ServicesDep,
    token: Reader,
    status: Annotated[Literal["open", "resolved", "dismissed"] | None, Query()] = None,
    day: Annotated[Day | None, Query(alias="date")] = None,
) -> list[dict[str, Any]]:
    """Exceptions, newest first: affected orders with priority, and ranked options."""
    with services.uow_factory() as uow:
        found = uow.exceptions.list(day=day, status=ExceptionStatus(status) if status else None)
    return [exception_body(exception) for exception in found]


@router.get("/exceptions/{exception_id}")
def get_exception(exception_id: PathId, services: ServicesDep, token: Reader) -> dict[str, Any]:
    """One exception."""
    with services.uow_factory() as uow:
        exception = uow.exceptions.get(exception_id)
    if exception is None:
        raise NotFound("exception", exception_id)
    return exception_body(exception)


@router.post("/exceptions/{exception_id}/resolve")
def resolve_exception(
    exception_id: PathId,
    body: ResolveIn,
    request: Request,
    services: ServicesDep,
    token: Planner,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Apply an option: a new version of the live plan, drivers and clients told."""
    command = commands.ResolveException(
        exception_id=exception_id, option_id=body.option_id, by=token.name
    )
    try:
        return execute(
            services,
            token,
            command,
            lambda e: (200, exception_body(e)),
            request=request,
            body=body,
            idempotency_key=key,
        )
    except Conflict as stale:
        if stale.field == "option_id":
            services.exceptions.recompute(exception_id)
        raise


@router.post("/exceptions/{exception_id}/dismiss")
def dismiss_exception(
    exception_id: PathId,
    request: Request,
    services: ServicesDep,
    token: Planner,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Close an exception without changing the plan."""
    command = commands.ResolveException(exception_id=exception_id, option_id=None, by=token.name)
    return execute(
        services,
        token,
        command,
        lambda e: (200, exception_body(e)),
        request=request,
        body={"dismiss": exception_id},
        idempotency_key=key,
    )
