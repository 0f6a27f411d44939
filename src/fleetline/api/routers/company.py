"""The company's settings: its time zone, read by any staff role, changed by an admin."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from fleetline.api.deps import STAFF, IdempotencyKey, ServicesDep, execute, require
from fleetline.api.schemas import ERROR_RESPONSES
from fleetline.api.schemas_admin import CompanyOut, CompanyPatch
from fleetline.bootstrap import Services
from fleetline.domain import commands
from fleetline.domain.access import ApiToken, Role
from fleetline.domain.company import CompanyZone
from fleetline.operations.company import company_zone_setting

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES, tags=["administration"])
AdminOnly = Annotated[ApiToken, Depends(require(Role.ADMIN))]
Staff = Annotated[ApiToken, Depends(require(*STAFF))]


def company_body(zone: CompanyZone, services: Services) -> dict[str, Any]:
    """The company's settings as the API shows them, with its date now."""
    return {
        "timezone": zone.timezone,
        "timezone_source": zone.source.value,
        "timezone_depot_id": zone.depot_id,
        "timezone_changed_at": zone.changed_at.isoformat() if zone.changed_at else None,
        "timezone_changed_by": zone.changed_by,
        "today": services.clock.now().astimezone(zone.zone).date().isoformat(),
    }


def _read(services: Services) -> CompanyZone:
    with services.uow_factory() as uow:
        return company_zone_setting(uow)


@router.get("/company", response_model=CompanyOut)
def get_company(services: ServicesDep, token: Staff) -> JSONResponse:
    """The company's time zone, where it came from, and the company's date now."""
    return JSONResponse(company_body(_read(services), services))


@router.patch("/company", response_model=CompanyOut)
def update_company(
    body: CompanyPatch,
    request: Request,
    services: ServicesDep,
    token: AdminOnly,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Change the company's time zone (what today is, how local times are shown and read).

    Only the fields given change; a refused change changes nothing. The zone cannot
    change (409 on ``timezone``) while trucks are dispatched for today or a later day:
    their shifts and the windows promised were read in the zone in force.
    """
    if body.timezone is None:
        return JSONResponse(company_body(_read(services), services))
    command = commands.SetCompanyTimezone(timezone=body.timezone, by=token.name)
    return execute(
        services,
        token,
        command,
        lambda zone: (200, company_body(zone, services)),
        request=request,
        body=body,
        idempotency_key=key,
    )
