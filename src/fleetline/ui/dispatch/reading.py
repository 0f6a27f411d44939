"""What the dispatcher console reads, built off the event loop (in a worker thread).

One :class:`LiveReader` per open page: it turns the day's live picture into the map's
content, the fleet rows and a truck's timeline, and remembers the locations of finished
stops (the live picture holds only remaining ones).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from fleetline.bootstrap import Services
from fleetline.domain.live import ExceptionStatus, Position
from fleetline.domain.model import Location
from fleetline.domain.snapshot import VehicleRun
from fleetline.operations.company import company_zone
from fleetline.operations.kpis import day_kpis
from fleetline.operations.live_service import LivePicture
from fleetline.ui.dispatch.fleet_list import fleet_row
from fleetline.ui.dispatch.kpi_strip import Figure, figures
from fleetline.ui.dispatch.map_state import MapState, map_state
from fleetline.ui.dispatch.route_shapes import RouteShapes, road_router
from fleetline.ui.dispatch.timeline import TimelineStop

_shapes: dict[int, RouteShapes] = {}


def shapes_for(services: Services) -> RouteShapes:
    """The process's route drawer for ``services``' road network (cached paths shared)."""
    key = id(services.travel_times)
    if key not in _shapes:
        _shapes.clear()
        _shapes[key] = RouteShapes(road_router(services.travel_times))
    return _shapes[key]


@dataclass(frozen=True, slots=True)
class LiveLook:
    """The day as the console shows it at one moment."""

    picture: LivePicture
    map: MapState
    fleet: list[dict[str, Any]]
    zone: ZoneInfo | None

    @property
    def has_plan(self) -> bool:
        """Whether the day has a live (dispatched) plan."""
        return self.picture.snapshot.plan_id is not None


class LiveReader:
    """Reads the live day for one page.

    Parameters
    ----------
    services
        The running services.
    day
        The delivery day shown.
    """

    def __init__(self, services: Services, day: date) -> None:
        self.services = services
        self.day = day
        self._finished: dict[str, Location] = {}

    def look(self) -> LiveLook:
        """Read the day's last picture and shape it for the map and the fleet list."""
        picture = self.services.live.latest(self.day)
        snapshot = picture.snapshot
        shapes = shapes_for(self.services)
        lines = {
            run.vehicle_id: shapes.shape(run.position, [s.location for s in run.remaining])
            for run in snapshot.vehicles
        }
        finished = self._finished_stops(snapshot.vehicles)
        state = map_state(snapshot, picture.forecasts, lines, finished)
        fleet = [fleet_row(run, picture.forecasts) for run in snapshot.vehicles]
        with self.services.uow_factory() as uow:
            zone = company_zone(uow)
        return LiveLook(picture, state, fleet, zone)

    def positions(self, vehicle_ids: Iterable[str]) -> dict[str, Position]:
        """The last position of today of each of ``vehicle_ids`` that has one."""
        wanted = set(vehicle_ids)
        with self.services.uow_factory() as uow:
            return {
                p.vehicle_id: p
                for p in uow.positions.last_all()
                if p.vehicle_id in wanted and p.recorded_at.date() >= self.day
            }

    def _finished_stops(self, runs: tuple[VehicleRun, ...]) -> dict[str, tuple[Location, str]]:
        outcome = {order_id: "done" for run in runs for order_id in run.completed}
        outcome.update({order_id: "failed" for run in runs for order_id in run.failed})
        missing = [order_id for order_id in outcome if order_id not in self._finished]
        if missing:
            with self.services.uow_factory() as uow:
                for order in uow.orders.get_many(missing):
                    self._finished[order.id] = order.location
        return {
            order_id: (self._finished[order_id], kind)
            for order_id, kind in outcome.items()
            if order_id in self._finished
        }

    def figures(self, picture: LivePicture) -> list[Figure]:
        """The KPI strip's figures of the day."""
        kept = self.services.figures
        kpis = kept.of(self.day) if kept is not None else None
        with self.services.uow_factory() as uow:
            if kpis is None:
                kpis = day_kpis(uow, self.day)
            open_exceptions = len(uow.exceptions.list(day=self.day, status=ExceptionStatus.OPEN))
        return figures(kpis, picture, open_exceptions)

    def timeline(self, picture: LivePicture, vehicle_id: str) -> list[TimelineStop]:
        """A truck's remaining stops with windows, ETAs and addresses, in order."""
        run = picture.snapshot.run_of(vehicle_id)
        if run is None:
            return []
        with self.services.uow_factory() as uow:
            orders = {o.id: o for o in uow.orders.get_many([s.order_id for s in run.remaining])}
        return timeline_stops(run, picture.forecasts, {k: _label(v) for k, v in orders.items()})


def _label(order: Any) -> str:
    address: str = order.address or ""
    return address or order.reference or order.id


def timeline_stops(
    run: VehicleRun, forecasts: Mapping[str, Any], labels: Mapping[str, str]
) -> list[TimelineStop]:
    """A run's remaining stops as timeline entries (window: the promised one)."""
    stops = []
    for index, stop in enumerate(run.remaining, start=1):
        forecast = forecasts.get(stop.order_id)
        window = stop.promised_window or (stop.time_windows[0] if stop.time_windows else None)
        if forecast is not None:
            start, end = forecast.window_start, forecast.window_end
        elif window is not None:
            start, end = window.start, window.end
        else:
            continue
        stops.append(
            TimelineStop(
                order_id=stop.order_id,
                sequence=index,
                label=labels.get(stop.order_id, stop.order_id),
                window_start=start,
                window_end=end,
                eta=forecast.eta if forecast else None,
                risk=forecast.risk.value if forecast else "no_eta",
            )
        )
    return stops
