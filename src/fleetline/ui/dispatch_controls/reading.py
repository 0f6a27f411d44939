"""What the controls of the day read (in a worker thread), and how they write times.

The re-planning policy of each trigger, the message hold with the messages it keeps
waiting, the day's traffic incidents and each truck's status, with the names a
dispatcher knows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from fleetline.bootstrap import Services
from fleetline.domain.live import ExceptionKind, ExceptionStatus, TrafficIncident, VehicleStatus
from fleetline.domain.messages import MessageHold
from fleetline.operations.company import company_zone
from fleetline.operations.message_hold import waiting_messages
from fleetline.operations.replan_policy import ReplanPolicy, all_policies
from fleetline.operations.traffic_incidents import incidents_of_day


@dataclass(frozen=True, slots=True)
class TruckLook:
    """One truck of the day as the controls show it."""

    vehicle_id: str
    name: str
    driver: str
    status: VehicleStatus
    note: str
    since: datetime | None
    stops_left: int
    position: tuple[float, float]
    stops: tuple[tuple[float, float], ...]
    """Where its remaining stops are."""
    open_exception: str | None
    """The summary of the truck's open breakdown exception, if any."""


@dataclass(frozen=True, slots=True)
class ControlsLook:
    """The day's controls at one moment."""

    day: date
    now: datetime
    zone: tzinfo
    policies: tuple[ReplanPolicy, ...]
    hold: MessageHold
    waiting: int
    """Messages queued in the outbox (held back while the hold is on)."""
    incidents: tuple[TrafficIncident, ...]
    """The day's incidents, oldest first (those in force, ended and coming)."""
    trucks: tuple[TruckLook, ...]
    bounds: tuple[tuple[float, float], tuple[float, float]]
    """South-west and north-east corners of the trucks and their stops (else the depot)."""

    def in_force(self) -> list[TrafficIncident]:
        """The incidents in force now."""
        return [i for i in self.incidents if i.active_at(self.now)]

    def truck(self, vehicle_id: object) -> TruckLook | None:
        """The truck with ``vehicle_id``, if it works today."""
        return next((t for t in self.trucks if t.vehicle_id == vehicle_id), None)


def read_controls(services: Services, day: date) -> ControlsLook:
    """Read everything the controls of ``day`` show."""
    picture = services.live.picture(day)
    now = services.clock.now()
    with services.uow_factory() as uow:
        zone = company_zone(uow)
        policies = tuple(all_policies(uow))
        hold = uow.comms_settings.hold()
        waiting = waiting_messages(uow)
        incidents = tuple(incidents_of_day(uow, day, now))
        states = {s.vehicle_id: s for s in uow.vehicle_states.list()}
        open_breakdowns = {
            e.vehicle_id: e.summary
            for e in uow.exceptions.list(day=day, status=ExceptionStatus.OPEN)
            if e.kind is ExceptionKind.BREAKDOWN and e.vehicle_id
        }
        depots = uow.depots.list()
    trucks = []
    for run in sorted(picture.snapshot.vehicles, key=lambda r: r.vehicle.name):
        state = states.get(run.vehicle_id)
        trucks.append(
            TruckLook(
                vehicle_id=run.vehicle_id,
                name=run.vehicle.name,
                driver=run.driver_name or "no driver",
                status=run.status,
                note=state.note if state else "",
                since=state.since if state else None,
                stops_left=len(run.remaining),
                position=(run.position.lat, run.position.lon),
                stops=tuple((s.location.lat, s.location.lon) for s in run.remaining),
                open_exception=open_breakdowns.get(run.vehicle_id),
            )
        )
    points = [p for t in trucks for p in (t.position, *t.stops)]
    if not points and depots:
        points = [(depots[0].location.lat, depots[0].location.lon)]
    bounds = (
        (
            (min(p[0] for p in points), min(p[1] for p in points)),
            (max(p[0] for p in points), max(p[1] for p in points)),
        )
        if points
        else ((47.14, 9.52), (47.14, 9.52))
    )
    return ControlsLook(day, now, zone, policies, hold, waiting, incidents, tuple(trucks), bounds)


def clock(moment: datetime | None, zone: tzinfo) -> str:
    """A moment as ``08:30`` in the company's zone (``—`` for none)."""
    return "—" if moment is None else moment.astimezone(zone).strftime("%H:%M")


def parse_clock(text: str | None) -> time | None:
    """``08:30`` (or ``8:30``, ``0830``) as a time of day; ``None`` when it is not one."""
    raw = (text or "").strip().replace(".", ":").replace("h", ":")
    if raw.isdigit() and len(raw) in (3, 4):
        raw = f"{raw[:-2]}:{raw[-2:]}"
    hours, _, minutes = raw.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        return None
    h, m = int(hours), int(minutes)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        return None
    return time(h, m)


def on_day(day: date, moment: time, zone: tzinfo) -> datetime:
    """The time of day ``moment`` on ``day`` in ``zone``."""
    return datetime.combine(day, moment, tzinfo=zone)
