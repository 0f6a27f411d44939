"""Requests to change the state of the day. A command is handled by exactly one handler."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time

from fleetline.domain.live import (
    Area,
    FailureReason,
    IncidentKind,
    ReplanMode,
    ReplanTrigger,
    StopEventType,
    VehicleEventType,
)
from fleetline.domain.model import (
    Contact,
    Location,
    NotificationPreferences,
    TimeWindow,
    VehicleCosts,
)


@dataclass(frozen=True, kw_only=True)
class Command:
    """Base of every command."""


@dataclass(frozen=True, kw_only=True)
class CreateDepot(Command):
    """Add a depot."""

    name: str
    location: Location
    timezone: str


@dataclass(frozen=True, kw_only=True)
class UpdateDepot(Command):
    """Change a depot; only the fields given (not ``None``) change."""

    depot_id: str
    name: str | None = None
    location: Location | None = None
    timezone: str | None = None


@dataclass(frozen=True, kw_only=True)
class SetCompanyTimezone(Command):
    """Set the time zone the company's day is counted in (``by``: who sets it)."""

    timezone: str
    by: str = ""


@dataclass(frozen=True, kw_only=True)
class CreateVehicle(Command):
    """Add a vehicle to a depot's fleet."""

    name: str
    depot_id: str
    capacity: Mapping[str, int]
    shift_start: time
    shift_end: time
    skills: frozenset[str] = frozenset()
    costs: VehicleCosts = field(default_factory=VehicleCosts)
    max_overtime_s: int = 2 * 3600


@dataclass(frozen=True, kw_only=True)
class CreateDriver(Command):
    """Add a driver, optionally assigned to a vehicle."""

    name: str
    phone: str | None = None
    vehicle_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class CreateClient(Command):
    """Add a client account."""

    name: str
    priority: int
    contact: Contact = field(default_factory=Contact)
    preferences: NotificationPreferences = field(default_factory=NotificationPreferences)
    notes: str = ""


@dataclass(frozen=True, kw_only=True)
class UpdateClient(Command):
    """Change a client account; only the fields given (not ``None``) change."""

    client_id: str
    name: str | None = None
    priority: int | None = None
    contact: Contact | None = None
    preferences: NotificationPreferences | None = None
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class UpdateVehicle(Command):
    """Change a vehicle; only the fields given (not ``None``) change."""

    vehicle_id: str
    name: str | None = None
    capacity: Mapping[str, int] | None = None
    shift_start: time | None = None
    shift_end: time | None = None
    skills: frozenset[str] | None = None
    costs: VehicleCosts | None = None
    max_overtime_s: int | None = None
    active: bool | None = None


@dataclass(frozen=True, kw_only=True)
class UpdateDriver(Command):
    """Change a driver; only the fields given (not ``None``) change.

    ``clear`` names the optional fields to empty (``phone``, ``vehicle_id``: no truck).
    """

    driver_id: str
    name: str | None = None
    phone: str | None = None
    vehicle_id: str | None = None
    clear: frozenset[str] = frozenset()


@dataclass(frozen=True, kw_only=True)
class IssueToken(Command):
    """Create a bearer token for a role (a driver token names its driver)."""

    role: str
    name: str
    driver_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class RevokeToken(Command):
    """Revoke a token at once; ``by_token_id`` is the token of whoever asks."""

    token_id: str
    by_token_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class OrderDraft:
    """One order as received, before it has an id."""

    client_id: str
    date: date
    location: Location
    time_windows: tuple[TimeWindow, ...]
    demand: Mapping[str, int]
    service_s: int
    required_skills: frozenset[str] = frozenset()
    reference: str | None = None
    address: str = ""
    instructions: str = ""


@dataclass(frozen=True, kw_only=True)
class CreateOrders(Command):
    """Receive one or many orders; all are stored or none."""

    orders: tuple[OrderDraft, ...]


@dataclass(frozen=True, kw_only=True)
class ImportOrderFile(Command):
    """Store every order of a CSV or Excel file, or none when any row has a problem."""

    filename: str
    content: bytes
    content_type: str = ""


@dataclass(frozen=True, kw_only=True)
class ChangeOrder(Command):
    """A client's or dispatcher's change to an order (only the given fields change)."""

    order_id: str
    time_windows: tuple[TimeWindow, ...] | None = None
    demand: Mapping[str, int] | None = None
    service_s: int | None = None
    instructions: str | None = None
    address: str | None = None


@dataclass(frozen=True, kw_only=True)
class RequestPlan(Command):
    """Ask for a new optimized plan version for a day."""

    date: date
    time_limit_s: float | None = None


@dataclass(frozen=True, kw_only=True)
class RouteDraft:
    """A route made elsewhere: a vehicle and its orders in sequence."""

    vehicle_id: str
    order_ids: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ImportPlan(Command):
    """Take a plan made elsewhere as-is; Fleetline computes its times, not its sequence."""

    date: date
    routes: tuple[RouteDraft, ...]


@dataclass(frozen=True, kw_only=True)
class DispatchPlan(Command):
    """Make a ready plan version the live plan of its day and send drivers their routes."""

    plan_id: str


@dataclass(frozen=True, kw_only=True)
class ReportStopEvent(Command):
    """A driver, device or dispatcher reports arrival, completion or failure at a stop.

    ``vehicle_id`` is the reporter's vehicle when known (a driver's token, a device); the
    report is refused when the stop is on another truck.
    """

    order_id: str
    type: StopEventType
    at: datetime
    vehicle_id: str | None = None
    reason: FailureReason | None = None
    note: str = ""
    proof: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReportVehicleEvent(Command):
    """A vehicle broke down, runs late, resumed, or goes on or off duty."""

    vehicle_id: str
    type: VehicleEventType
    at: datetime
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class ReportTrafficIncident(Command):
    """A closure or a slowdown of an area, from now or a given time, until an end or not."""

    kind: IncidentKind
    area: Area
    starts_at: datetime
    ends_at: datetime | None = None
    factor: float | None = None
    source: str = "api"
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class EndTrafficIncident(Command):
    """End a closure or slowdown now, before its planned end (the road is clear again)."""

    incident_id: str
    by: str = ""


@dataclass(frozen=True, kw_only=True)
class PositionReport:
    """One position as a device or client sent it (device time), before it is stored."""

    vehicle_id: str
    location: Location
    recorded_at: datetime
    speed_mps: float | None = None
    heading: float | None = None


@dataclass(frozen=True, kw_only=True)
class RecordPositions(Command):
    """Store a batch of positions: all valid or none stored; repeats are counted, not errors.

    ``source`` tells where the batch came from (``api``, ``osmand``, ``mqtt``...).
    """

    positions: tuple[PositionReport, ...]
    source: str = "api"


@dataclass(frozen=True, kw_only=True)
class ResolveException(Command):
    """Apply one of an exception's options (``option_id``), or dismiss it (``None``)."""

    exception_id: str
    option_id: str | None
    by: str


@dataclass(frozen=True, kw_only=True)
class StopMove:
    """Put ``order_id`` on ``vehicle_id`` at ``position`` (1: first of its remaining stops)."""

    order_id: str
    vehicle_id: str
    position: int


@dataclass(frozen=True, kw_only=True)
class ApplyManualEdit(Command):
    """Move stops between trucks or within one, as a new version of live plan ``plan_id``."""

    plan_id: str
    moves: tuple[StopMove, ...]
    by: str


@dataclass(frozen=True, kw_only=True)
class SetReplanPolicy(Command):
    """Set whether a trigger's re-plans apply themselves or wait for a dispatcher."""

    trigger: ReplanTrigger
    mode: ReplanMode
    threshold_s: int | None = None


@dataclass(frozen=True, kw_only=True)
class LogInquiry(Command):
    """An agent logs a client's call or message about an order (``channel``: how)."""

    order_id: str
    channel: str
    note: str = ""
    by: str = ""


@dataclass(frozen=True, kw_only=True)
class SetMessageHold(Command):
    """Hold client messages during a major incident (``held``), or let them go again."""

    held: bool
    reason: str = ""
    by: str = ""


@dataclass(frozen=True, kw_only=True)
class RetryNotification(Command):
    """Queue a parked message again, to be tried from now on with a fresh set of attempts."""

    notification_id: str
    by: str = ""


@dataclass(frozen=True, kw_only=True)
class SendClientMessage(Command):
    """An agent writes to an order's client: ``text`` goes out on the client's channels."""

    order_id: str
    text: str
    by: str = ""


@dataclass(frozen=True, kw_only=True)
class ForecastNotice:
    """An ETA-driven message a live refresh found due for one order (re-checked when queued).

    ``kind`` is ``out_for_delivery``, ``narrowed_window`` or ``delay``; the window is the
    ETA window told; ``promised_end`` is when the promised window ends.
    """

    order_id: str
    kind: str
    window_start: datetime
    window_end: datetime
    promised_start: datetime | None = None
    promised_end: datetime | None = None
    driver_name: str | None = None


@dataclass(frozen=True, kw_only=True)
class SendForecastNotices(Command):
    """Queue the ETA-driven messages a live refresh of ``date`` found due at ``at``."""

    date: date
    at: datetime
    plan_id: str | None
    notices: tuple[ForecastNotice, ...]
