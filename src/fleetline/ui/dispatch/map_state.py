"""What the dispatcher's map shows, as plain values, and what changed between two looks.

The page keeps, per browser, the map state it last sent; each second it builds the
state anew from the live picture and sends only the difference, in one message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from fleetline.domain.live import StopForecast
from fleetline.domain.model import Location
from fleetline.domain.snapshot import DaySnapshot

STATUS_COLOURS = {
    "on_duty": "#2e7d32",
    "delayed": "#f9a825",
    "broken_down": "#c62828",
    "off_duty": "#757575",
}
"""A truck's colour by its status."""

STATUS_WORDS = {
    "on_duty": "On duty",
    "delayed": "Delayed",
    "broken_down": "Broken down",
    "off_duty": "Off duty",
}
"""A truck's status as a dispatcher reads it."""

RISK_COLOURS = {
    "on_time": "#43a047",
    "at_risk": "#fb8c00",
    "late": "#e53935",
    "done": "#9e9e9e",
    "failed": "#5d4037",
    "no_eta": "#8e24aa",
    "unplanned": "#1e88e5",
}
"""A stop's colour by how it stands (``done`` and ``failed``: served or given up)."""

RISK_WORDS = {
    "on_time": "On time",
    "at_risk": "At risk",
    "late": "Late",
    "done": "Done",
    "failed": "Failed",
    "no_eta": "No ETA",
    "unplanned": "Not planned",
}
"""A stop's standing as a dispatcher reads it."""

ROUTE_PALETTE = (
    "#1565c0",
    "#6a1b9a",
    "#00838f",
    "#ef6c00",
    "#2e7d32",
    "#ad1457",
    "#4e342e",
    "#283593",
    "#00695c",
    "#9e9d24",
)
"""Colours of the trucks' routes, in turn."""

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class TruckMark:
    """A truck on the map."""

    id: str
    label: str
    lat: float
    lon: float
    status: str
    colour: str
    tip: str


@dataclass(frozen=True, slots=True)
class StopMark:
    """A stop on the map, coloured by how it stands."""

    id: str
    lat: float
    lon: float
    risk: str
    colour: str
    tip: str


@dataclass(frozen=True, slots=True)
class RouteLine:
    """A truck's way through its remaining stops."""

    id: str
    points: tuple[Point, ...]
    colour: str


@dataclass(frozen=True, slots=True)
class MapState:
    """Everything on the map, by id."""

    trucks: Mapping[str, TruckMark] = field(default_factory=dict)
    stops: Mapping[str, StopMark] = field(default_factory=dict)
    routes: Mapping[str, RouteLine] = field(default_factory=dict)


def short_label(name: str) -> str:
    """A truck's name short enough for its marker: ``"Truck 07"`` gives ``"T07"``."""
    words = name.split()
    if len(words) >= 2 and words[-1].isdigit():
        return f"{words[0][0].upper()}{words[-1]}"
    return name[:4]


def first_name(full_name: str | None) -> str:
    """The first name of a driver (``"—"`` when the truck has none)."""
    if not full_name or not full_name.strip():
        return "—"
    return full_name.split()[0]


def route_colour(index: int) -> str:
    """The colour of the ``index``-th truck's route."""
    return ROUTE_PALETTE[index % len(ROUTE_PALETTE)]


def moved_trucks(state: MapState, positions: Mapping[str, Location]) -> MapState:
    """``state`` with the trucks of ``positions`` at their new place (the rest as it was)."""
    if not any(vid in state.trucks for vid in positions):
        return state
    trucks = dict(state.trucks)
    for vehicle_id, where in positions.items():
        mark = trucks.get(vehicle_id)
        if mark is not None:
            trucks[vehicle_id] = replace(mark, lat=where.lat, lon=where.lon)
    return replace(state, trucks=trucks)


def map_state(
    snapshot: DaySnapshot,
    forecasts: Mapping[str, StopForecast],
    shapes: Mapping[str, Sequence[Point]],
    finished: Mapping[str, tuple[Location, str]] | None = None,
) -> MapState:
    """Build the map's content from a live picture.

    Parameters
    ----------
    snapshot
        The day as it stands.
    forecasts
        Each remaining stop's forecast (its risk colours the stop).
    shapes
        Each truck's route line (from its position through its remaining stops).
    finished
        Served or failed stops of the day: order id -> (location, ``done`` or ``failed``).

    Returns
    -------
    MapState
        Trucks, stops (remaining, finished and not planned) and route lines.
    """
    trucks: dict[str, TruckMark] = {}
    stops: dict[str, StopMark] = {}
    routes: dict[str, RouteLine] = {}
    for index, run in enumerate(snapshot.vehicles):
        driver = first_name(run.driver_name)
        trucks[run.vehicle_id] = TruckMark(
            id=run.vehicle_id,
            label=short_label(run.vehicle.name),
            lat=run.position.lat,
            lon=run.position.lon,
            status=run.status.value,
            colour=STATUS_COLOURS.get(run.status.value, "#757575"),
            tip=f"{run.vehicle.name} · {driver} · {STATUS_WORDS.get(run.status.value, '')}",
        )
        line = shapes.get(run.vehicle_id)
        if run.remaining and line and len(line) >= 2:
            routes[run.vehicle_id] = RouteLine(run.vehicle_id, tuple(line), route_colour(index))
        for stop in run.remaining:
            forecast = forecasts.get(stop.order_id)
            risk = forecast.risk.value if forecast else "no_eta"
            stops[stop.order_id] = _stop(stop.order_id, stop.location, risk, run.vehicle.name)
    for order_id, (location, outcome) in (finished or {}).items():
        stops.setdefault(order_id, _stop(order_id, location, outcome, ""))
    for stop in snapshot.unplanned:
        stops.setdefault(stop.order_id, _stop(stop.order_id, stop.location, "unplanned", ""))
    return MapState(trucks, stops, routes)


def _stop(order_id: str, location: Location, risk: str, truck: str) -> StopMark:
    where = f" · {truck}" if truck else ""
    return StopMark(
        id=order_id,
        lat=location.lat,
        lon=location.lon,
        risk=risk,
        colour=RISK_COLOURS[risk],
        tip=f"{order_id}{where} · {RISK_WORDS[risk]}",
    )


def _changed(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [asdict(item) for key, item in new.items() if old.get(key) != item]


def _gone(old: Iterable[str], new: Mapping[str, Any]) -> list[str]:
    return sorted(key for key in old if key not in new)


def map_delta(old: MapState, new: MapState) -> dict[str, Any] | None:
    """What to send so that a map showing ``old`` shows ``new``; ``None`` when equal.

    Returns
    -------
    dict or None
        ``trucks``, ``stops`` and ``routes``: the items new or changed, in full;
        ``gone``: the ids of items no longer shown, by kind.
    """
    delta = {
        "trucks": _changed(old.trucks, new.trucks),
        "stops": _changed(old.stops, new.stops),
        "routes": _changed(old.routes, new.routes),
        "gone": {
            "trucks": _gone(old.trucks, new.trucks),
            "stops": _gone(old.stops, new.stops),
            "routes": _gone(old.routes, new.routes),
        },
    }
    if any(delta[kind] for kind in ("trucks", "stops", "routes")) or any(
        delta["gone"].values()  # type: ignore[attr-defined]
    ):
        return delta
    return None
