"""Telemetry: trucks' positions, as JSON batches or over the OsmAnd tracking protocol.

Staff and machine clients may send positions of any truck; a driver's token only those
of the driver's own truck. Repeats of stored positions are counted, never refused, so a
device may resend its buffer freely.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from fleetline.api import osmand
from fleetline.api.deps import IdempotencyKey, ServicesDep, execute, require
from fleetline.api.errors import ApiError
from fleetline.api.schemas import ERROR_RESPONSES
from fleetline.api.schemas_telemetry import IngestOut, PositionsIn
from fleetline.bootstrap import Services
from fleetline.domain import commands
from fleetline.domain.access import ApiToken, Role
from fleetline.domain.errors import Conflict, DomainError, InvalidField, NotFound
from fleetline.domain.model import Location
from fleetline.operations.access import authenticate
from fleetline.operations.ports import IngestResult

router = APIRouter(prefix="/api/v1/telemetry", responses=ERROR_RESPONSES, tags=["telemetry"])
SENDERS = (Role.ADMIN, Role.DISPATCHER, Role.INTEGRATION, Role.DRIVER)
Sender = Annotated[ApiToken, Depends(require(*SENDERS))]
MAX_OSMAND_BODY = 1_000_000
"""Bytes an OsmAnd request body may have (a tracker's buffer of a few thousand fixes)."""


def check_driver_vehicles(services: Services, token: ApiToken, vehicle_ids: set[str]) -> None:
    """Refuse (403) a driver's token that sends positions of a truck not the driver's."""
    if token.role is not Role.DRIVER:
        return
    with services.uow_factory() as uow:
        driver = uow.drivers.get(token.driver_id) if token.driver_id else None
    own = driver.vehicle_id if driver is not None else None
    others = sorted(vehicle_ids - {own}) if own else sorted(vehicle_ids)
    if others:
        raise ApiError(
            403, "forbidden", f"a driver may only send its own truck's positions, not {others[0]}"
        )


@router.post("/positions", status_code=202, response_model=IngestOut)
def record_positions(
    body: PositionsIn,
    request: Request,
    services: ServicesDep,
    token: Sender,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Store a batch of up to 10,000 positions of one or many trucks, all or none.

    Positions already stored (same truck and ``recorded_at``) are counted in
    ``duplicates`` and not stored again. Errors name the position by its index, e.g.
    ``positions[12].vehicle_id``; a time more than 2 minutes ahead of the server's clock
    is refused.
    """
    check_driver_vehicles(services, token, {p.vehicle_id for p in body.positions})
    command = commands.RecordPositions(
        positions=tuple(
            commands.PositionReport(
                vehicle_id=p.vehicle_id,
                location=Location(p.lat, p.lon),
                recorded_at=p.recorded_at,
                speed_mps=p.speed_mps,
                heading=p.heading,
            )
            for p in body.positions
        ),
        source="api",
    )

    def render(result: IngestResult) -> tuple[int, Any]:
        return 202, {"accepted": result.accepted, "duplicates": result.duplicates}

    return execute(
        services, token, command, render, request=request, body=body, idempotency_key=key
    )


def device_token(*roles: Role) -> Callable[..., ApiToken]:
    """Return a dependency that takes the bearer token from the header or ``?token=``."""

    def dependency(
        services: ServicesDep,
        authorization: Annotated[str | None, Header()] = None,
        token: Annotated[
            str | None,
            Query(
                description="The bearer token, for trackers that cannot send headers.",
                max_length=200,
            ),
        ] = None,
    ) -> ApiToken:
        secret = token
        if secret is None and authorization:
            scheme, _, value = authorization.partition(" ")
            secret = value.strip() if scheme.lower() == "bearer" else None
        if not secret:
            raise ApiError(
                401,
                "unauthorized",
                "send 'Authorization: Bearer <token>' or the token as ?token=",
                "token",
            )
        with services.uow_factory() as uow:
            found = authenticate(uow, secret)
        if found is None:
            raise ApiError(401, "unauthorized", "unknown or revoked token", "token")
        if found.role not in roles:
            allowed = ", ".join(role.value for role in roles)
            raise ApiError(403, "forbidden", f"this needs one of the roles: {allowed}")
        return found

    return dependency


Device = Annotated[ApiToken, Depends(device_token(*SENDERS))]
OsmAndParameter = Annotated[str | None, Query(max_length=100)]


def _renamed(error: DomainError, json_body: bool, several: bool) -> DomainError:
    field = getattr(error, "field", None)
    renamed = osmand.protocol_field(field, json_body=json_body, several=several)
    if renamed == field:
        return error
    if isinstance(error, InvalidField):
        return InvalidField(renamed or "body", error.message)
    if isinstance(error, NotFound):
        return NotFound(error.kind, error.identifier, field=renamed)
    if isinstance(error, Conflict):
        return Conflict(str(error), field=renamed)
    return error


def _record_fixes(
    services: Services,
    token: ApiToken,
    reports: list[commands.PositionReport],
    *,
    json_body: bool = False,
    several: bool = False,
) -> None:
    check_driver_vehicles(services, token, {r.vehicle_id for r in reports})
    command = commands.RecordPositions(positions=tuple(reports), source="osmand")
    try:
        services.bus.handle(command)
    except DomainError as error:
        raise _renamed(error, json_body, several) from None


@router.get(
    "/osmand",
    response_class=Response,
    responses={200: {"description": "Stored (or a repeat); an empty body."}},
)
def osmand_get(
    request: Request,
    services: ServicesDep,
    token: Device,
    id: OsmAndParameter = None,
    lat: OsmAndParameter = None,
    lon: OsmAndParameter = None,
    timestamp: Annotated[
        str | None, Query(max_length=40, description="Unix seconds or ms, or ISO 8601.")
    ] = None,
    speed: Annotated[str | None, Query(max_length=40, description="In knots.")] = None,
    bearing: Annotated[str | None, Query(max_length=40, description="Degrees.")] = None,
) -> Response:
    """One fix in the OsmAnd protocol (Traccar Client, OsmAnd, many phone trackers).

    Parameters: ``id`` (the vehicle id), ``lat``, ``lon``, ``timestamp`` (unix seconds,
    unix milliseconds or ISO 8601; the server's time when missing), ``speed`` in knots,
    ``bearing`` or ``heading`` in degrees; ``accuracy``, ``altitude``, ``batt``, ``hdop``
    and other parameters are accepted and ignored. Trackers that cannot send an
    ``Authorization`` header put the token in the URL as ``token=``. Answers 200 with an
    empty body, as trackers expect.
    """
    report = osmand.from_parameters(request.query_params, services.clock.now())
    _record_fixes(services, token, [report])
    return Response(status_code=200)


@router.post(
    "/osmand",
    response_class=Response,
    responses={200: {"description": "Stored (or a repeat); an empty body."}},
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
            },
        }
    },
)
async def osmand_post(request: Request, services: ServicesDep, token: Device) -> Response:
    """One fix (or a few) as Traccar Client 9+ JSON, a form body, or query parameters.

    JSON: ``{"device_id": VEHICLE_ID, "location": {"timestamp": ISO 8601, "coords":
    {"latitude", "longitude", "speed" (m/s), "heading"}}}``; ``location`` may be a list.
    A form body or query string carries the same parameters as ``GET`` (speed in knots).
    """
    body = await request.body()
    if len(body) > MAX_OSMAND_BODY:
        raise ApiError(413, "too_large", f"a body may have at most {MAX_OSMAND_BODY:,} bytes")
    now = services.clock.now()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json" or (not content_type and body.lstrip()[:1] == b"{"):
        try:
            data = json.loads(body)
        except ValueError as error:
            raise InvalidField("body", f"not JSON: {error}") from None
        except RecursionError:
            raise InvalidField("body", "JSON nested too deeply") from None
        reports = osmand.from_traccar_json(data, now)
        several = isinstance(data.get("location"), list)
        await run_in_threadpool(
            _record_fixes, services, token, reports, json_body=True, several=several
        )
        return Response(status_code=200)
    params: dict[str, str] = dict(request.query_params)
    if body:
        try:
            params.update(parse_qsl(body.decode(), keep_blank_values=True))
        except (UnicodeDecodeError, ValueError) as error:
            raise InvalidField("body", f"not a form body: {error}") from None
    report = osmand.from_parameters(params, now)
    await run_in_threadpool(_record_fixes, services, token, [report])
    return Response(status_code=200)
