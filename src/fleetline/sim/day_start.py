"""What a simulated day starts from: the company's trucks, stops and plan, read over the API."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from fleetline.domain.model import Location
from fleetline.network.crowflies import CrowFliesTravelTimes
from fleetline.sim.client import FleetApi
from fleetline.sim.config import SimConfig
from fleetline.sim.motion import Roads
from fleetline.sim.truck import SimStop, SimTruck


def make_roads(config: SimConfig) -> Roads:
    """The simulated world's roads: the region's, or straight lines at crow-flies speeds."""
    if config.region is None:
        return Roads(CrowFliesTravelTimes())
    from fleetline.network.osrm_engine import OsrmTravelTimes

    return Roads(router=OsrmTravelTimes(config.region).route_geometry)


def stop_of_order(order: dict[str, Any]) -> SimStop:
    """The stop a truck serves for an order of ``GET /api/v1/orders``."""
    windows = tuple(
        (datetime.fromisoformat(w["start"]), datetime.fromisoformat(w["end"]))
        for w in order["time_windows"]
    )
    where = Location(order["location"]["lat"], order["location"]["lon"])
    return SimStop(
        order["id"], order["reference"] or order["id"], where, windows, order["service_s"]
    )


@dataclass(slots=True)
class Fleet:
    """The company's day as the simulated world sees it at the start."""

    zone: ZoneInfo
    """The depot's time zone."""
    trucks: list[SimTruck]
    """One per vehicle, by name."""
    stops: dict[str, SimStop]
    """The day's orders by id."""
    names: dict[str, str]
    """Vehicle names by id."""


def load_fleet(api: FleetApi, config: SimConfig, draws: Callable[[str], random.Random]) -> Fleet:
    """Read the depot, the day's orders and the vehicles, and make a truck of each vehicle.

    Parameters
    ----------
    api
        The system's API.
    config
        The day's parameters (the seed draws each truck's pace).
    draws
        A stop's own random stream, by order id (see :class:`SimTruck`).

    Returns
    -------
    Fleet
        The trucks, stops and names of the day.
    """
    depot = api.need("GET", "/api/v1/depots")[0]
    zone = ZoneInfo(depot["timezone"])
    home = Location(depot["location"]["lat"], depot["location"]["lon"])
    stops = {o["id"]: stop_of_order(o) for o in api.orders_of(config.day)}
    vehicles = sorted(api.need("GET", "/api/v1/vehicles"), key=lambda v: (v["name"], v["id"]))
    low, high = config.pace_range
    trucks = []
    for index, vehicle in enumerate(vehicles):
        rng = random.Random(config.seed * 1_000_003 + index)
        shift = time.fromisoformat(vehicle["shift_start"])
        shift_end = time.fromisoformat(vehicle["shift_end"])
        trucks.append(
            SimTruck(
                vehicle_id=vehicle["id"],
                name=vehicle["name"],
                depot=home,
                shift_start=datetime.combine(config.day, shift, tzinfo=zone),
                pace=round(rng.uniform(low, high), 3),
                rng=rng,
                service_noise=config.service_noise,
                failure_rate=config.rates.failures,
                draws=draws,
                shift_end=datetime.combine(config.day, shift_end, tzinfo=zone),
            )
        )
    names = {v["id"]: v["name"] for v in vehicles}
    return Fleet(zone, trucks, stops, names)


def live_plan_summary(api: FleetApi, config: SimConfig, fleet: Fleet) -> dict[str, Any]:
    """The live plan in words a replay can use (empty without a live plan).

    Its id, version and number of unassigned orders, and per truck name the order
    references in sequence (``plan_from`` imports these).
    """
    live = api.need("GET", "/api/v1/live", date=config.day.isoformat())
    if not live.get("plan_id"):
        return {}
    plan = api.need("GET", f"/api/v1/plans/{live['plan_id']}")
    return {
        "id": plan["id"],
        "version": plan["version"],
        "unassigned": len(plan["unassigned"]),
        "routes": {
            fleet.names.get(r["vehicle_id"], r["vehicle_id"]): [
                fleet.stops[s["order_id"]].reference
                if s["order_id"] in fleet.stops
                else s["order_id"]
                for s in r["stops"]
            ]
            for r in plan["routes"]
        },
    }


def imported_routes(api: FleetApi, config: SimConfig) -> list[dict[str, Any]]:
    """The routes of the report ``config.plan_from``, in this company's vehicle and order ids."""
    assert config.plan_from is not None
    earlier = json.loads(config.plan_from.read_text(encoding="utf-8"))
    vehicles = {v["name"]: v["id"] for v in api.need("GET", "/api/v1/vehicles")}
    orders = {o["reference"]: o["id"] for o in api.orders_of(config.day)}
    return [
        {"vehicle_id": vehicles[name], "stops": [{"order_id": orders[ref]} for ref in refs]}
        for name, refs in earlier["plan"]["routes"].items()
    ]
