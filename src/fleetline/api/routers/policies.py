"""Re-planning policies: per trigger, whether a re-plan applies itself or waits for approval."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import Field

from fleetline.api.deps import STAFF, IdempotencyKey, ServicesDep, execute, require
from fleetline.api.schemas import ERROR_RESPONSES, ApiModel
from fleetline.domain import commands
from fleetline.domain.access import ApiToken, Role
from fleetline.domain.errors import InvalidField
from fleetline.domain.live import ReplanMode, ReplanTrigger
from fleetline.operations.replan_policy import ReplanPolicy, all_policies

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES, tags=["re-planning"])
Setter = Annotated[ApiToken, Depends(require(Role.ADMIN, Role.DISPATCHER))]
Reader = Annotated[ApiToken, Depends(require(*STAFF))]


class PolicyIn(ApiModel):
    """What a trigger's re-plans do; ``threshold_s`` only for ``vehicle_late``."""

    mode: Literal["auto", "approve"] = Field(
        description="auto: a re-plan that makes nothing worse applies itself; "
        "approve: it waits in an exception for a dispatcher."
    )
    threshold_s: int | None = Field(
        default=None,
        ge=60,
        le=4 * 3600,
        description="vehicle_late: lateness (seconds) from which a truck counts as late.",
    )


def policy_body(policy: ReplanPolicy) -> dict[str, Any]:
    """A policy as the API shows it."""
    return {
        "trigger": policy.trigger.value,
        "mode": policy.mode.value,
        "threshold_s": policy.threshold_s,
        "default": policy.default,
    }


@router.get("/replan-policies")
def list_policies(services: ServicesDep, token: Reader) -> list[dict[str, Any]]:
    """The policy of every trigger (``default`` when nobody has set it)."""
    with services.uow_factory() as uow:
        return [policy_body(policy) for policy in all_policies(uow)]


@router.put("/replan-policies/{trigger}")
def set_policy(
    trigger: str,
    body: PolicyIn,
    request: Request,
    services: ServicesDep,
    token: Setter,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Set a trigger's policy (dispatchers and admins)."""
    known = {t.value: t for t in ReplanTrigger}
    if trigger not in known:
        raise InvalidField("trigger", f"unknown trigger {trigger!r}; one of {', '.join(known)}")
    command = commands.SetReplanPolicy(
        trigger=known[trigger], mode=ReplanMode(body.mode), threshold_s=body.threshold_s
    )
    return execute(
        services,
        token,
        command,
        lambda policy: (200, policy_body(policy)),
        request=request,
        body=body,
        idempotency_key=key,
    )
