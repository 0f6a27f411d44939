"""The client's public tracking page: ``/track/{token}``, no login, rate-limited.

The token in the path is the only key. A wrong, expired or guessed token gets one plain
404 that says nothing about any order, and costs its address ten requests' worth of its
rate limit (see :mod:`fleetline.api.rate_limit`). The page itself is plain HTML from a
Jinja2 template (autoescaped) with a small script that refreshes it from ``status``
every 30 seconds; the map is Leaflet, served from the installed NiceGUI package by
``/track-assets``, so the page fetches nothing from a CDN. Without a tile server of the
operator's, a region's streets within a few kilometres of the truck and the stop come with
``status?streets=1`` (a few tens of KB, asked once), and no tile is requested.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import AwareDatetime, Field, field_validator

from fleetline.api.deps import ServicesDep
from fleetline.api.errors import error_response
from fleetline.api.rate_limit import RateLimiter
from fleetline.api.schemas import ApiModel, Moment
from fleetline.bootstrap import Services
from fleetline.comms.tracking_links import order_of_token
from fleetline.domain import commands
from fleetline.domain.errors import Conflict, InvalidField
from fleetline.domain.model import TimeWindow
from fleetline.network.road_layer import RoadLayerError, around
from fleetline.operations.picture_reads import read_with_picture
from fleetline.operations.tracking_view import TrackingView, tracking_view
from fleetline.operations.window_offers import offered_windows

router = APIRouter(tags=["tracking"])
log = logging.getLogger(__name__)

MAX_INSTRUCTIONS = 500
DEFAULT_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
STREETS_MARGIN_M = 3_000.0
STREETS_DOOR_M = 1_000.0
STREETS_MAX_POINTS = 2_500
"""Streets around the truck and the stop within about 50 KB: the main roads first, and
when the minor streets of the whole box do not fit, those within 1 km of the door."""
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'self'; img-src * data:; script-src 'self'; "
        "style-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}
"""Headers of every tracking answer: the token in the address never leaks as a referrer."""
NOT_FOUND_PAGE = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Not found</title>"
    "<meta name='viewport' content='width=device-width, initial-scale=1'></head>"
    "<body><h1>Not found</h1>"
    "<p>This link does not open a delivery.</p></body></html>"
)
_LIMITER_LOCK = threading.Lock()
STATE_LABELS = {
    "open": "Order received",
    "planned": "Planned",
    "dispatched": "Out for delivery today",
    "en_route": "Next stop: you",
    "arrived": "At your door",
    "completed": "Delivered",
    "failed": "Not delivered",
    "cancelled": "Cancelled",
}
"""The order's state as the small label above the headline."""


class InstructionsIn(ApiModel):
    """What the client asks the driver, e.g. "leave at reception"."""

    instructions: str = Field(max_length=MAX_INSTRUCTIONS * 4)

    @field_validator("instructions")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be empty")
        if len(value) > MAX_INSTRUCTIONS:
            raise ValueError(f"at most {MAX_INSTRUCTIONS} characters")
        return value


class WindowIn(ApiModel):
    """One of the windows ``GET /track/{token}/windows`` offered."""

    start: Moment
    end: AwareDatetime


# --- guarding ------------------------------------------------------------------------------


def limiter_of(request: Request) -> RateLimiter:
    """The application's tracking rate limiter, made on first use on the services' clock."""
    state = request.app.state
    with _LIMITER_LOCK:
        limiter: RateLimiter | None = getattr(state, "tracking_limiter", None)
        if limiter is None:
            clock = state.services.clock
            limiter = RateLimiter(lambda: clock.now().timestamp())
            state.tracking_limiter = limiter
    return limiter


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _too_many(retry_after: float, html: bool) -> Response:
    headers = {**PAGE_HEADERS, "Retry-After": str(int(retry_after))}
    if html:
        body = "<!doctype html><title>Too many requests</title><p>Please try again later.</p>"
        return HTMLResponse(body, 429, headers=headers)
    response = error_response(429, "rate_limited", "too many requests; try again later")
    response.headers.update(headers)
    return response


def _not_found(html: bool) -> Response:
    if html:
        return HTMLResponse(NOT_FOUND_PAGE, 404, headers=PAGE_HEADERS)
    response = error_response(404, "not_found", "not found")
    response.headers.update(PAGE_HEADERS)
    return response


def _open(request: Request, services: Services, token: str, html: bool) -> str | Response:
    """The order a token opens, or the answer to give instead (429 or a plain 404)."""
    limiter = limiter_of(request)
    address = _address(request)
    wait = limiter.admit(address)
    if wait is not None:
        return _too_many(wait, html)
    with services.uow_factory() as uow:
        order_id = order_of_token(uow, token, services.clock.now())
        known = order_id is not None and uow.orders.get(order_id) is not None
    if order_id is None or not known:
        limiter.penalize(address)
        return _not_found(html)
    return order_id


def _view(services: Services, order_id: str) -> TrackingView | None:
    now = services.clock.now()
    return read_with_picture(
        services.uow_factory,
        services.live,
        lambda uow, picture_of: tracking_view(uow, order_id, picture_of, now),
    )


# --- presenting ----------------------------------------------------------------------------


def _clock_time(moment: datetime | None, view: TrackingView) -> str | None:
    return moment.astimezone(view.zone).strftime("%H:%M") if moment else None


def _span(start: datetime, end: datetime, view: TrackingView) -> dict[str, Any]:
    return {
        "start": start.astimezone(view.zone).isoformat(),
        "end": end.astimezone(view.zone).isoformat(),
        "text": f"{_clock_time(start, view)}\u2013{_clock_time(end, view)}",
    }


def status_document(view: TrackingView) -> dict[str, Any]:
    """The page's data as JSON: what the page shows, and what its script refreshes."""
    eta = _span(*view.eta_window, view) if view.eta_window else None
    promised = view.promised_window
    truck = view.truck
    return {
        "reference": view.reference,
        "state": view.state,
        "state_label": STATE_LABELS.get(view.state, view.state),
        "headline": view.headline,
        "detail": view.detail,
        "eta_window": eta,
        "promised_window": _span(promised.start, promised.end, view),
        "stops_before": view.stops_before,
        "delayed": view.delayed,
        "truck": {
            "lat": truck.location.lat,
            "lon": truck.location.lon,
            "seen_at": truck.seen_at.astimezone(view.zone).isoformat(),
            "seen_at_text": _clock_time(truck.seen_at, view),
        }
        if truck
        else None,
        "destination": {"lat": view.destination.lat, "lon": view.destination.lon},
        "driver_first_name": view.driver_first_name,
        "instructions": view.instructions,
        "delivered_at": view.delivered_at.isoformat() if view.delivered_at else None,
        "delivered_at_text": _clock_time(view.delivered_at, view),
        "proof_image": view.proof_image,
        "proof_text": view.proof_text,
        "failure_reason": view.failure_reason,
        "may_change": view.may_change,
        "updated_at": view.updated_at.isoformat(),
        "updated_at_text": _clock_time(view.updated_at, view),
    }


@cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("fleetline.api", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )


def _render(view: TrackingView, tile_url: str) -> str:
    document = status_document(view)
    return (
        _templates()
        .get_template("tracking.html")
        .render(view=document, tile_url=tile_url, max_instructions=MAX_INSTRUCTIONS)
    )


# --- the page ------------------------------------------------------------------------------


@router.get("/track/{token}", response_class=HTMLResponse, summary="The tracking page")
def tracking_page(token: str, request: Request, services: ServicesDep) -> Response:
    """The client's tracking page: state, ETA window, the truck on a map, proof."""
    opened = _open(request, services, token, html=True)
    if isinstance(opened, Response):
        return opened
    view = _view(services, opened)
    if view is None:
        return _not_found(html=True)
    return HTMLResponse(_render(view, _tiles(services)), headers=PAGE_HEADERS)


def _tiles(services: Services) -> str:
    """The operator's tiles; none when the region's streets are drawn; else OpenStreetMap's."""
    if services.settings.tile_url:
        return services.settings.tile_url
    return "" if services.road_layer is not None else DEFAULT_TILES


def streets_document(services: Services, view: TrackingView) -> dict[str, Any] | None:
    """The region's streets around the truck and the stop, by road class, if drawn."""
    if services.settings.tile_url or services.road_layer is None or view.truck is None:
        return None
    places = [
        (view.truck.location.lat, view.truck.location.lon),
        (view.destination.lat, view.destination.lon),
    ]
    layer = services.road_layer
    try:
        lines = layer.lines(around(places, STREETS_MARGIN_M), max_points=STREETS_MAX_POINTS)
        classes = dict(lines.classes)
        if lines.left_out:
            near = layer.lines(
                around(places[1:], STREETS_DOOR_M),
                max_points=STREETS_MAX_POINTS - lines.points,
                classes=lines.left_out,
            )
            classes.update(near.classes)
    except RoadLayerError as exc:
        log.warning("no streets on the tracking page: %s", exc)
        return None  # the page keeps its markers
    return {"covers": around(places, STREETS_MARGIN_M / 2), "classes": classes}


@router.get("/track/{token}/status", summary="The tracking page's data")
def tracking_status(
    token: str,
    request: Request,
    services: ServicesDep,
    streets: Annotated[bool, Query(description="Add the streets around the delivery")] = False,
) -> Response:
    """What the tracking page shows, as JSON (the page refreshes from it).

    With ``streets=1`` (and no tile server), ``streets`` holds the region's roads near
    the truck and the stop by class, and ``covers`` the box inside which they still
    frame the map.
    """
    opened = _open(request, services, token, html=False)
    if isinstance(opened, Response):
        return opened
    view = _view(services, opened)
    if view is None:
        return _not_found(html=False)
    document = status_document(view)
    if streets:
        document["streets"] = streets_document(services, view)
    return JSONResponse(document, headers=PAGE_HEADERS)


@router.post("/track/{token}/instructions", summary="Leave instructions for the driver")
def leave_instructions(
    token: str,
    body: Annotated[InstructionsIn, Body()],
    request: Request,
    services: ServicesDep,
) -> Response:
    """Store the client's instructions on the order (a client change the driver sees)."""
    opened = _open(request, services, token, html=False)
    if isinstance(opened, Response):
        return opened
    services.bus.handle(commands.ChangeOrder(order_id=opened, instructions=body.instructions))
    return JSONResponse({"instructions": body.instructions}, headers=PAGE_HEADERS)


def _windows_now(services: Services, order_id: str) -> list[TimeWindow]:
    with services.uow_factory() as uow:
        order = uow.orders.get(order_id)
    if order is None:
        return []
    picture = services.live.picture(order.date)
    return offered_windows(picture, order_id, services.travel_times, services.clock.now())


@router.get("/track/{token}/windows", summary="Windows the client may switch to")
def window_offers(token: str, request: Request, services: ServicesDep) -> Response:
    """The delivery windows the live plan can still honour for this order."""
    opened = _open(request, services, token, html=False)
    if isinstance(opened, Response):
        return opened
    view = _view(services, opened)
    offers = _windows_now(services, opened) if view is not None else []
    spans = [_span(w.start, w.end, view) for w in offers] if view is not None else []
    return JSONResponse({"windows": spans}, headers=PAGE_HEADERS)


@router.post("/track/{token}/window", summary="Switch to an offered window")
def choose_window(
    token: str,
    body: Annotated[WindowIn, Body()],
    request: Request,
    services: ServicesDep,
) -> Response:
    """Move the delivery to one of the offered windows; the live plan follows.

    A window not offered now (never offered, or no longer honourable) is refused with
    409 naming ``start``, and nothing changes.
    """
    opened = _open(request, services, token, html=False)
    if isinstance(opened, Response):
        return opened
    if body.end <= body.start:
        raise InvalidField("end", "the window ends before it starts")
    asked = TimeWindow(body.start, body.end)
    if asked not in _windows_now(services, opened):
        raise Conflict("this window is not offered for this delivery now", field="start")
    services.bus.handle(commands.ChangeOrder(order_id=opened, time_windows=(asked,)))
    view = _view(services, opened)
    content = status_document(view) if view is not None else {}
    return JSONResponse(content, headers=PAGE_HEADERS)


# --- static files --------------------------------------------------------------------------


@cache
def _asset_files() -> dict[str, Path]:
    """The files ``/track-assets`` serves: Leaflet from NiceGUI's package, and our own."""
    own = Path(__file__).resolve().parent.parent / "static"
    files = {"tracking.js": own / "tracking.js", "tracking.css": own / "tracking.css"}
    spec = importlib.util.find_spec("nicegui")
    if spec is not None and spec.submodule_search_locations:
        dist = Path(next(iter(spec.submodule_search_locations))) / "elements/leaflet/dist"
        files["leaflet.js"] = dist / "index.js"
        files["leaflet.css"] = dist / "leaflet/leaflet.css"
        for image in (dist / "leaflet/images").glob("*.png"):
            files[f"images/{image.name}"] = image
    return {name: path for name, path in files.items() if path.is_file()}


@router.get("/track-assets/{name:path}", include_in_schema=False)
def tracking_asset(name: str) -> Response:
    """A script, style sheet or map image of the tracking page."""
    path = _asset_files().get(name)
    if path is None:
        return _not_found(html=False)
    media = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}[path.suffix]
    return FileResponse(path, media_type=media, headers={"Cache-Control": "max-age=86400"})
