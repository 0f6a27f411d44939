"""Manual edits of the live plan: their impact first, then a new version; versions' diffs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
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
from fleetline.api.schemas import ERROR_RESPONSES, ApiModel
from fleetline.domain import commands
from fleetline.domain.access import ApiToken
from fleetline.operations.edit_impact import AppliedEdit, EditPreview
from fleetline.operations.eta import forecast
from fleetline.operations.manual_edits import MAX_MOVES, preview
from fleetline.operations.plan_versions import version_diff

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES, tags=["planning"])
Planner = Annotated[ApiToken, Depends(require(*PLANNERS))]
Reader = Annotated[ApiToken, Depends(require(*STAFF))]


class MoveIn(ApiModel):
    """Put a stop on a truck at a position among its remaining stops (1: next)."""

    order_id: str = Field(min_length=1, max_length=64)
    vehicle_id: str = Field(min_length=1, max_length=64)
    position: int = Field(ge=1, le=10_000)


class EditIn(ApiModel):
    """Moves, applied in order."""

    moves: list[MoveIn] = Field(min_length=1, max_length=MAX_MOVES)

    def as_moves(self) -> tuple[commands.StopMove, ...]:
        """The moves as the domain takes them."""
        return tuple(
            commands.StopMove(order_id=m.order_id, vehicle_id=m.vehicle_id, position=m.position)
            for m in self.moves
        )


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


def preview_body(checked: EditPreview) -> dict[str, Any]:
    """An edit's impact as the API shows it."""
    return {
        "plan_id": checked.plan_id,
        "plan_version": checked.plan_version,
        "allowed": checked.allowed,
        "late_before": checked.late_before,
        "late_after": checked.late_after,
        "extra_distance_m": checked.extra_distance_m,
        "extra_overtime_s": checked.extra_overtime_s,
        "violations": [
            {"field": v.field, "message": v.message, "hard": v.hard} for v in checked.violations
        ],
        "routes": [
            {
                "vehicle_id": r.vehicle_id,
                "vehicle_name": r.vehicle_name,
                "late_before": r.late_before,
                "late_after": r.late_after,
                "distance_before_m": r.distance_before_m,
                "distance_after_m": r.distance_after_m,
                "end_before": _iso(r.end_before),
                "end_after": _iso(r.end_after),
                "overtime_before_s": r.overtime_before_s,
                "overtime_after_s": r.overtime_after_s,
                "load_after": dict(r.load_after),
                "capacity": dict(r.capacity),
                "stops": [
                    {
                        "order_id": s.order_id,
                        "reference": s.label,
                        "client_name": s.client_name,
                        "eta_before": _iso(s.eta_before),
                        "eta_after": _iso(s.eta_after),
                        "window_end": _iso(s.window_end),
                        "risk_before": s.risk_before.value if s.risk_before else None,
                        "risk_after": s.risk_after.value if s.risk_after else None,
                        "moved_here": s.moved_here,
                    }
                    for s in r.stops
                ],
            }
            for r in checked.routes
        ],
    }


@router.post("/plans/{plan_id}/edits/preview")
def preview_edit(
    plan_id: PathId, body: EditIn, services: ServicesDep, token: Planner
) -> dict[str, Any]:
    """What moving stops would do; nothing changes.

    ETAs, lateness, distance, overtime and every constraint broken, per edited truck.
    """
    with services.uow_factory() as uow:
        checked = preview(
            uow, plan_id, body.as_moves(), services.clock.now(), services.travel_times, forecast
        )
    return preview_body(checked)


@router.post("/plans/{plan_id}/edits", status_code=201)
def apply_edit(
    plan_id: PathId,
    body: EditIn,
    request: Request,
    services: ServicesDep,
    token: Planner,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Move stops: a new version of the live plan, dispatched at once.

    ``422`` names the move and the constraint it breaks; ``409`` when ``plan_id`` is no
    longer live.
    """
    command = commands.ApplyManualEdit(plan_id=plan_id, moves=body.as_moves(), by=token.name)

    def render(applied: AppliedEdit) -> tuple[int, dict[str, Any]]:
        plan = applied.plan
        return 201, {
            "id": plan.id,
            "version": plan.version,
            "previous_plan_id": plan.parent_id,
            "impact": preview_body(applied.preview),
        }

    return execute(
        services, token, command, render, request=request, body=body, idempotency_key=key
    )


@router.get("/plans/{plan_id}/diff")
def plan_diff(plan_id: PathId, services: ServicesDep, token: Reader) -> dict[str, Any]:
    """What a plan version changed against the version before it."""
    with services.uow_factory() as uow:
        diff = version_diff(uow, plan_id)
    return {
        "plan_id": diff.plan_id,
        "previous_plan_id": diff.previous_plan_id,
        "moved": [
            {"order_id": o, "reference": ref, "from_vehicle_id": a, "to_vehicle_id": b}
            for o, ref, a, b in diff.moved
        ],
        "resequenced_vehicle_ids": list(diff.resequenced),
        "added": list(diff.added),
        "dropped": list(diff.dropped),
    }
