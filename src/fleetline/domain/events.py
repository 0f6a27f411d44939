"""Facts that happened.

Every accepted change writes its events to the append-only log in the same transaction
as the change itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every event; ``occurred_at`` comes from the injected clock."""

    occurred_at: datetime

    @property
    def type_name(self) -> str:
        """The event's type name as written to the log."""
        return type(self).__name__


@dataclass(frozen=True, kw_only=True)
class DepotCreated(Event):
    """A depot was added."""

    depot_id: str
    name: str


@dataclass(frozen=True, kw_only=True)
class DepotChanged(Event):
    """A depot's details changed (name, location, time zone)."""

    depot_id: str
    fields: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class CompanyTimezoneChanged(Event):
    """The company's time zone was stored: taken from its first depot, or set by an admin."""

    timezone: str
    previous: str | None
    source: str
    by: str = ""


@dataclass(frozen=True, kw_only=True)
class VehicleCreated(Event):
    """A vehicle was added to the fleet."""

    vehicle_id: str
    depot_id: str


@dataclass(frozen=True, kw_only=True)
class DriverCreated(Event):
    """A driver was added."""

    driver_id: str
    vehicle_id: str | None


@dataclass(frozen=True, kw_only=True)
class ClientCreated(Event):
    """A client account was added."""

    client_id: str
    priority: int


@dataclass(frozen=True, kw_only=True)
class ClientChanged(Event):
    """A client account's details changed; ``fields`` names what changed."""

    client_id: str
    fields: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class VehicleChanged(Event):
    """A vehicle's details changed (capacity, shift, skills, costs, in service)."""

    vehicle_id: str
    fields: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class DriverChanged(Event):
    """A driver's details changed (name, phone, the truck they drive)."""

    driver_id: str
    fields: tuple[str, ...]
    vehicle_id: str | None


@dataclass(frozen=True, kw_only=True)
class TokenIssued(Event):
    """A bearer token was created (its secret is never logged)."""

    token_id: str
    role: str
    name: str
    driver_id: str | None


@dataclass(frozen=True, kw_only=True)
class TokenRevoked(Event):
    """A bearer token was revoked and no longer signs anyone in."""

    token_id: str
    by_token_id: str | None


@dataclass(frozen=True, kw_only=True)
class OrderFileImported(Event):
    """A file of orders was imported as a whole."""

    filename: str
    rows: int
    order_ids: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class OrdersCreated(Event):
    """Orders were received for a day."""

    date: date
    order_ids: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class OrderChanged(Event):
    """A client or dispatcher changed an order; ``changes`` maps field to new value."""

    order_id: str
    changes: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class PlanRequested(Event):
    """A new plan version was asked for and is being solved."""

    plan_id: str
    date: date
    version: int


@dataclass(frozen=True, kw_only=True)
class PlanReady(Event):
    """A plan version was solved (or imported) and can be dispatched."""

    plan_id: str
    date: date
    version: int
    routes: int
    unassigned: int
    distance_m: int


@dataclass(frozen=True, kw_only=True)
class PlanFailed(Event):
    """A solve failed; the current plan stays in force."""

    plan_id: str
    date: date
    error: str


@dataclass(frozen=True, kw_only=True)
class PlanDispatched(Event):
    """A plan version became the live plan of its day."""

    plan_id: str
    date: date
    version: int
    previous_plan_id: str | None


@dataclass(frozen=True, kw_only=True)
class RouteSent(Event):
    """A driver was sent their route of a dispatched plan."""

    plan_id: str
    vehicle_id: str
    driver_id: str | None
    stops: int


@dataclass(frozen=True, kw_only=True)
class StopReported(Event):
    """A driver or device reported arrival, completion or failure at a stop."""

    order_id: str
    vehicle_id: str
    type: str
    at: datetime
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class VehicleStatusChanged(Event):
    """A vehicle broke down, ran late, resumed, or went on or off duty."""

    vehicle_id: str
    status: str
    previous: str
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class TrafficIncidentReported(Event):
    """A closure or slowdown was reported for an area."""

    incident_id: str
    kind: str
    starts_at: datetime
    ends_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class TrafficIncidentEnded(Event):
    """A closure or slowdown was ended before its planned end."""

    incident_id: str
    ended_at: datetime
    by: str


@dataclass(frozen=True, kw_only=True)
class ExceptionOpened(Event):
    """A disruption needs a decision."""

    exception_id: str
    kind: str
    vehicle_id: str | None
    affected_orders: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ExceptionOptionsReady(Event):
    """The what-if options of an exception are ranked and ready."""

    exception_id: str
    options: int
    seconds_after_event: float


@dataclass(frozen=True, kw_only=True)
class ExceptionResolved(Event):
    """A dispatcher (or the policy) chose an option; it is applied."""

    exception_id: str
    option_id: str | None
    plan_id: str | None
    seconds_after_event: float
    by: str


@dataclass(frozen=True, kw_only=True)
class PlanRevised(Event):
    """The live plan of a day was revised from where the day stands (a new version)."""

    plan_id: str
    date: date
    version: int
    previous_plan_id: str | None
    trigger: str
    changed_vehicles: tuple[str, ...]
    moved_orders: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class PositionsReceived(Event):
    """A batch of positions was stored; ``vehicle_ids`` are the trucks it brought news of."""

    vehicle_ids: tuple[str, ...]
    accepted: int


@dataclass(frozen=True, kw_only=True)
class ReplanPolicyChanged(Event):
    """A dispatcher set what a trigger does: re-plan by itself (auto) or ask (approve)."""

    trigger: str
    mode: str
    threshold_s: int | None


@dataclass(frozen=True, kw_only=True)
class ReplanDecided(Event):
    """The re-optimization policy acted on a trigger.

    ``cause`` is the order, vehicle or incident that set it off; ``outcome`` is
    ``applied`` (a new plan version, ``plan_id``), ``approval`` or ``window_unmet`` (an
    exception waits, ``exception_id``), or ``kept`` (nothing worth changing).
    """

    date: date
    trigger: str
    cause: str
    mode: str
    outcome: str
    plan_id: str | None
    exception_id: str | None
    late_before: int
    late_after: int
    seconds_after_event: float


@dataclass(frozen=True, kw_only=True)
class NotificationsQueued(Event):
    """Messages to clients were written to the outbox, in the transaction of their cause."""

    notification_ids: tuple[str, ...]
    order_ids: tuple[str, ...]
    kinds: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class InquiryLogged(Event):
    """A client called or wrote about an order, and an agent logged it."""

    inquiry_id: str
    order_id: str
    client_id: str
    channel: str


@dataclass(frozen=True, kw_only=True)
class MessageHoldChanged(Event):
    """A dispatcher held client messages (a major incident) or released them."""

    held: bool
    reason: str
    by: str
