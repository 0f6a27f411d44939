"""The live day: stop and vehicle reports, traffic incidents, the live picture and feed."""

from __future__ import annotations

import asyncio
import json
import queue
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from fleetline.api.deps import (
    PLANNERS,
    STAFF,
    IdempotencyKey,
    PathId,
    ServicesDep,
    execute,
    require,
)
from fleetline.api.errors import ApiError
from fleetline.api.schemas import ERROR_RESPONSES, Day, LocationBody
from fleetline.api.schemas_live import (
    IncidentIn,
    IncidentOut,
    StopEventIn,
    StopEventOut,
    VehicleEventIn,
    VehicleStateOut,
)
from fleetline.bootstrap import Services
from fleetline.domain import commands
from fleetline.domain.access import ApiToken, Role
from fleetline.domain.errors import InvalidField
from fleetline.domain.live import (
    Area,
    FailureReason,
    IncidentKind,
    StopEventType,
    TrafficIncident,
    VehicleEventType,
    VehicleState,
)
from fleetline.domain.model import Location
from fleetline.operations.live_day import StopReportOutcome, stop_vehicle
from fleetline.operations.live_service import LivePicture
from fleetline.operations.live_view import live_json
from fleetline.operations.traffic_incidents import incidents_of_day

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES, tags=["live day"])
Reporter = Annotated[ApiToken, Depends(require(*PLANNERS, Role.DRIVER))]
Planner = Annotated[ApiToken, Depends(require(*PLANNERS))]
Reader = Annotated[ApiToken, Depends(require(*STAFF))]
KEEP_ALIVE_S = 15.0
POLL_S = 0.5


class RenderedPictures:
    """The JSON of the last few pictures, rendered once each for all their readers.

    A 200-truck picture is a megabyte of JSON; every agent polling ``/live`` and every
    console opening the stream would otherwise render the same picture again.
    """

    def __init__(self, keep: int = 8) -> None:
        self._keep = keep
        self._lock = threading.Lock()
        self._rendered: OrderedDict[int, tuple[LivePicture, bytes]] = OrderedDict()

    def json(self, picture: LivePicture) -> bytes:
        """Return ``picture``'s live document as JSON bytes."""
        with self._lock:
            kept = self._rendered.get(id(picture))
            if kept is not None and kept[0] is picture:
                return kept[1]
        rendered = live_json(picture)
        with self._lock:
            # The picture is held with its JSON, so its id is not reused while kept.
            self._rendered[id(picture)] = (picture, rendered)
            while len(self._rendered) > self._keep:
                self._rendered.popitem(last=False)
        return rendered


RENDERED = RenderedPictures()


def drivers_vehicle(services: Services, token: ApiToken) -> str | None:
    """The vehicle a driver token may act for (``None`` for other roles)."""
    if token.role is not Role.DRIVER:
        return None
    with services.uow_factory() as uow:
        driver = uow.drivers.get(token.driver_id or "")
    if driver is None or driver.vehicle_id is None:
        raise ApiError(403, "forbidden", "this driver has no vehicle today")
    return driver.vehicle_id


@router.post("/stops/{stop_id}/events", response_model=StopEventOut)
def report_stop_event(
    stop_id: PathId,
    body: StopEventIn,
    request: Request,
    services: ServicesDep,
    token: Reporter,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Arrived, completed or failed (with a reason) at a stop; a replay changes nothing."""
    own = drivers_vehicle(services, token)
    if own is not None and body.vehicle_id not in (None, own):
        raise ApiError(403, "forbidden", "a driver reports only for their own vehicle")
    if own is not None:
        with services.uow_factory() as uow:
            order = uow.orders.get(stop_id)
            serving = stop_vehicle(uow, order) if order is not None else None
        if serving != own:
            raise ApiError(403, "forbidden", "this stop is not on your route today", "stop_id")
    command = commands.ReportStopEvent(
        order_id=stop_id,
        type=StopEventType(body.type),
        at=body.at,
        vehicle_id=own or body.vehicle_id,
        reason=FailureReason(body.reason) if body.reason else None,
        note=body.note,
        proof=body.proof,
    )

    def render(outcome: StopReportOutcome) -> tuple[int, dict[str, Any]]:
        return 200, {
            "order_id": outcome.order.id,
            "vehicle_id": outcome.vehicle_id,
            "state": outcome.order.state.value,
            "applied": outcome.applied,
            "duplicate": outcome.duplicate,
        }

    return execute(
        services, token, command, render, request=request, body=body, idempotency_key=key
    )


@router.post("/vehicles/{vehicle_id}/events", response_model=VehicleStateOut)
def report_vehicle_event(
    vehicle_id: PathId,
    body: VehicleEventIn,
    request: Request,
    services: ServicesDep,
    token: Reporter,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """A breakdown, a delay, resumed, off or on duty."""
    own = drivers_vehicle(services, token)
    if own is not None and own != vehicle_id:
        raise ApiError(403, "forbidden", "a driver reports only for their own vehicle")
    command = commands.ReportVehicleEvent(
        vehicle_id=vehicle_id, type=VehicleEventType(body.type), at=body.at, note=body.note
    )

    def render(state: VehicleState) -> tuple[int, dict[str, Any]]:
        return 200, {
            "vehicle_id": state.vehicle_id,
            "status": state.status.value,
            "since": state.since.isoformat(),
            "note": state.note,
        }

    return execute(
        services, token, command, render, request=request, body=body, idempotency_key=key
    )


def _area(body: IncidentIn) -> Area:
    area = body.area
    if area.polygon is not None:
        if area.center is not None or area.radius_m is not None:
            raise InvalidField("area", "give either center and radius_m, or a polygon")
        return Area(polygon=tuple(Location(p.lat, p.lon) for p in area.polygon))
    if area.center is None or area.radius_m is None:
        raise InvalidField("area", "give center and radius_m, or a polygon")
    return Area(center=Location(area.center.lat, area.center.lon), radius_m=area.radius_m)


def incident_body(incident: TrafficIncident) -> dict[str, Any]:
    """A traffic incident as the API shows it."""
    area = incident.area
    shape: dict[str, Any] = (
        {"polygon": [LocationBody(lat=p.lat, lon=p.lon).model_dump() for p in area.polygon]}
        if area.polygon
        else {
            "center": {"lat": area.center.lat, "lon": area.center.lon} if area.center else None,
            "radius_m": area.radius_m,
        }
    )
    return {
        "id": incident.id,
        "kind": incident.kind.value,
        "area": shape,
        "factor": incident.factor,
        "starts_at": incident.starts_at.isoformat(),
        "ends_at": incident.ends_at.isoformat() if incident.ends_at else None,
        "note": incident.note,
    }


@router.post("/traffic/incidents", status_code=201, response_model=IncidentOut)
def report_incident(
    body: IncidentIn,
    request: Request,
    services: ServicesDep,
    token: Planner,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """A closure or slowdown of an area: travel times and ETAs follow within seconds."""
    if body.kind == "slowdown" and body.factor is None:
        raise InvalidField("factor", "a slowdown needs a factor above 1")
    if body.kind == "closure" and body.factor is not None:
        raise InvalidField("factor", "a closure has no factor")
    command = commands.ReportTrafficIncident(
        kind=IncidentKind(body.kind),
        area=_area(body),
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        factor=body.factor,
        source=f"api:{token.name}"[:50],
        note=body.note,
    )
    return execute(
        services,
        token,
        command,
        lambda i: (201, incident_body(i)),
        request=request,
        body=body,
        idempotency_key=key,
    )


@router.get("/traffic/incidents", response_model=list[IncidentOut])
def list_incidents(
    services: ServicesDep,
    token: Reader,
    day: Annotated[Day | None, Query(alias="date", description="Today when not given.")] = None,
    active: Annotated[
        bool | None,
        Query(
            description="true: only those in force now; false: only those ended or not "
            "started yet; all of the day's when not given."
        ),
    ] = None,
) -> list[dict[str, Any]]:
    """The closures and slowdowns in force at some moment of the day, oldest first."""
    with services.uow_factory() as uow:
        found = incidents_of_day(uow, day or services.live.today(), services.clock.now(), active)
    return [incident_body(incident) for incident in found]


@router.post("/traffic/incidents/{incident_id}/end", response_model=IncidentOut)
def end_incident(
    incident_id: PathId,
    request: Request,
    services: ServicesDep,
    token: Planner,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """End a closure or slowdown now (the road is clear sooner than expected).

    ETAs follow at the next refresh. An incident that has ended already, or has not
    started yet, is a 409.
    """
    command = commands.EndTrafficIncident(incident_id=incident_id, by=token.name)
    return execute(
        services,
        token,
        command,
        lambda i: (200, incident_body(i)),
        request=request,
        body={"incident_id": incident_id},
        idempotency_key=key,
    )


@router.get("/live", response_model=dict[str, Any])
def live(
    services: ServicesDep,
    token: Reader,
    day: Annotated[Day | None, Query(alias="date", description="Today when not given.")] = None,
) -> Response:
    """Every vehicle: position, status, remaining stops with ETA and risk."""
    picture = services.live.picture(day)
    document = services.live.rendered(picture) or RENDERED.json(picture)
    return Response(document, media_type="application/json")


@router.get("/live/stream", response_class=StreamingResponse)
async def live_stream(request: Request, services: ServicesDep, token: Reader) -> StreamingResponse:
    """The same picture as server-sent events.

    First a ``snapshot`` event, then one ``live`` event per refresh that changed something
    (vehicles, stops, stops done), and a keep-alive comment every 15 s.
    """
    subscription = services.live.subscribe()

    def first_document() -> bytes:
        picture = services.live.picture()
        return services.live.rendered(picture) or RENDERED.json(picture)

    first = await asyncio.to_thread(first_document)

    async def events() -> AsyncIterator[str]:
        try:
            yield f"event: snapshot\ndata: {first.decode()}\n\n"
            quiet_s = 0.0
            while not await request.is_disconnected():
                try:
                    message = await asyncio.to_thread(subscription.messages.get, True, POLL_S)
                except queue.Empty:
                    quiet_s += POLL_S
                    if quiet_s >= KEEP_ALIVE_S:
                        quiet_s = 0.0
                        yield ": keep-alive\n\n"
                    continue
                quiet_s = 0.0
                yield f"event: live\ndata: {json.dumps(message)}\n\n"
        finally:
            services.live.unsubscribe(subscription)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
