"""Read views of the live picture, shaped for ``GET /api/v1/live`` and the live feed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from fleetline.domain.live import Risk, StopForecast
from fleetline.domain.snapshot import VehicleRun

if TYPE_CHECKING:
    from fleetline.operations.live_service import LivePicture


def stop_view(forecast: StopForecast) -> dict[str, Any]:
    """One remaining stop: ETA, its promised window, risk and slack."""
    return {
        "order_id": forecast.order_id,
        "vehicle_id": forecast.vehicle_id,
        "sequence": forecast.sequence,
        "eta": forecast.eta.isoformat(),
        "service_start": forecast.service_start.isoformat(),
        "window": {
            "start": forecast.window_start.isoformat(),
            "end": forecast.window_end.isoformat(),
        },
        "risk": forecast.risk.value,
        "slack_s": forecast.slack_s,
    }


def vehicle_view(run: VehicleRun, forecasts: Mapping[str, StopForecast]) -> dict[str, Any]:
    """One vehicle in brief: status, position, progress, load on board and lateness."""
    own = [forecasts[stop.order_id] for stop in run.remaining if stop.order_id in forecasts]
    risks = [forecast.risk for forecast in own]
    return {
        "vehicle_id": run.vehicle_id,
        "name": run.vehicle.name,
        "status": run.status.value,
        "driver": run.driver_name,
        "position": {
            "lat": run.position.lat,
            "lon": run.position.lon,
            "recorded_at": run.position_at.isoformat() if run.position_at else None,
        },
        "stops_remaining": len(run.remaining),
        "stops_completed": len(run.completed),
        "stops_failed": len(run.failed),
        "on_board": dict(run.on_board),
        "late_stops": risks.count(Risk.LATE),
        "at_risk_stops": risks.count(Risk.AT_RISK),
        "max_lateness_s": max((forecast.lateness_s for forecast in own), default=0),
        "pace": round(run.pace, 2),
        "shift_end": run.shift_end.isoformat(),
    }


def live_document(picture: LivePicture) -> dict[str, Any]:
    """The whole day: every vehicle with its remaining stops, ETAs and risk."""
    snapshot = picture.snapshot
    vehicles = []
    for run in snapshot.vehicles:
        view = vehicle_view(run, picture.forecasts)
        view["remaining"] = [
            {**stop_view(picture.forecasts[stop.order_id]), "state": stop.state.value}
            if stop.order_id in picture.forecasts
            else {
                "order_id": stop.order_id,
                "state": stop.state.value,
                "eta": None,
                "risk": None,
                "no_eta": picture.no_eta.get(stop.order_id, "unknown"),
            }
            for stop in run.remaining
        ]
        vehicles.append(view)
    return {
        "date": snapshot.date.isoformat(),
        "computed_at": picture.computed_at.isoformat(),
        "version": picture.version,
        "plan_id": snapshot.plan_id,
        "plan_version": snapshot.plan_version,
        "vehicles": vehicles,
        "unplanned_orders": [stop.order_id for stop in snapshot.unplanned],
        "incidents": [incident.id for incident in snapshot.incidents],
    }


def live_json(picture: LivePicture) -> bytes:
    """The live document of ``picture`` as compact JSON, as ``GET /live`` sends it."""
    return json.dumps(live_document(picture), separators=(",", ":")).encode()


def changes(previous: LivePicture | None, current: LivePicture) -> dict[str, Any] | None:
    """Describe what changed between two pictures of a day, as one feed message.

    Returns ``None`` when nothing a console shows has changed.
    """
    old_vehicles = (
        {
            run.vehicle_id: vehicle_view(run, previous.forecasts)
            for run in previous.snapshot.vehicles
        }
        if previous
        else {}
    )
    vehicles = []
    stops = []
    for run in current.snapshot.vehicles:
        view = vehicle_view(run, current.forecasts)
        if old_vehicles.get(run.vehicle_id) != view:
            vehicles.append(view)
    old_forecasts = previous.forecasts if previous else {}
    for order_id, forecast in current.forecasts.items():
        old = old_forecasts.get(order_id)
        if (
            old is None
            or old.risk is not forecast.risk
            or abs(old.eta - forecast.eta) >= timedelta(seconds=60)
        ):
            stops.append(stop_view(forecast))
    gone = sorted(set(old_forecasts) - set(current.forecasts))
    if not vehicles and not stops and not gone:
        return None
    return {
        "type": "live",
        "date": current.snapshot.date.isoformat(),
        "version": current.version,
        "computed_at": current.computed_at.isoformat(),
        "vehicles": vehicles,
        "stops": stops,
        "stops_done": gone,
    }
