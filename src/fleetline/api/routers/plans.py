"""Plans: ask for one, import one made elsewhere, read it, dispatch it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from fleetline.api import presenters
from fleetline.api.deps import (
    PLANNERS,
    STAFF,
    IdempotencyKey,
    PathId,
    ServicesDep,
    execute,
    require,
)
from fleetline.api.schemas import ERROR_RESPONSES, Day
from fleetline.api.schemas_plans import PlanAccepted, PlanOut, PlanRequest, PlanSummary
from fleetline.domain import commands
from fleetline.domain.access import ApiToken
from fleetline.domain.errors import NotFound
from fleetline.domain.model import Plan, PlanStatus

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES, tags=["planning"])
Planner = Annotated[ApiToken, Depends(require(*PLANNERS))]
Reader = Annotated[ApiToken, Depends(require(*STAFF))]


def _accepted(plan: Plan) -> tuple[int, dict[str, Any]]:
    status = 202 if plan.status is PlanStatus.SOLVING else 201
    return status, {"id": plan.id, "status": plan.status.value, "version": plan.version}


@router.post(
    "/plans",
    status_code=202,
    response_model=PlanAccepted,
    responses={201: {"model": PlanAccepted, "description": "An imported plan, ready at once."}},
)
def create_plan(
    body: PlanRequest,
    request: Request,
    services: ServicesDep,
    token: Planner,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Plan a day: ``202 {id, status: "solving"}``; poll ``GET /plans/{id}``.

    With ``routes``, the plan made elsewhere is imported as it is (``201``, ready): its
    sequences are kept, and Fleetline computes their times on the road network.
    """
    command: commands.Command
    if body.routes is not None:
        command = commands.ImportPlan(
            date=body.date,
            routes=tuple(
                commands.RouteDraft(
                    vehicle_id=route.vehicle_id,
                    order_ids=tuple(stop.order_id for stop in route.stops),
                )
                for route in body.routes
            ),
        )
    else:
        limit = body.time_limit_s or services.settings.solver_time_limit_s
        command = commands.RequestPlan(date=body.date, time_limit_s=limit)
    return execute(
        services, token, command, _accepted, request=request, body=body, idempotency_key=key
    )


@router.get("/plans", response_model=list[PlanSummary])
def list_plans(
    services: ServicesDep,
    token: Reader,
    day: Annotated[Day, Query(alias="date", description="The day whose versions to list.")],
) -> list[dict[str, Any]]:
    """Every plan version of a day, oldest first."""
    with services.uow_factory() as uow:
        plans = uow.plans.list_by_date(day)
        live = uow.plans.live_for(day)
    live_id = live.id if live else None
    return [
        {
            **presenters.plan_summary(p, p.id == live_id),
            "routes": len(p.routes),
            "unassigned": len(p.unassigned),
        }
        for p in plans
    ]


@router.get("/plans/{plan_id}", response_model=PlanOut)
def get_plan(plan_id: PathId, services: ServicesDep, token: Reader) -> dict[str, Any]:
    """A plan version: status, routes with ETAs, and unassigned orders with reasons."""
    with services.uow_factory() as uow:
        plan = uow.plans.get(plan_id)
        if plan is None:
            raise NotFound("plan", plan_id)
        live = uow.plans.live_for(plan.date)
    return presenters.plan(plan, live is not None and live.id == plan.id)


@router.post("/plans/{plan_id}/dispatch", response_model=PlanOut)
def dispatch_plan(
    plan_id: PathId,
    request: Request,
    services: ServicesDep,
    token: Planner,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Make the plan the live plan of its day and send each driver its route."""
    return execute(
        services,
        token,
        commands.DispatchPlan(plan_id=plan_id),
        lambda p: (200, presenters.plan(p, True)),
        request=request,
        body={"plan_id": plan_id},
        idempotency_key=key,
    )
