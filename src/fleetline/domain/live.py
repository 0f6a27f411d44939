"""The live day: positions, stop and vehicle states, risk, traffic and exceptions.

A stop is an order's visit in the live plan, so a stop's id is its order's id and a stop's
state is its order's state. Transitions are checked here: an illegal one raises
:class:`IllegalTransition` (a 409 at the API), never a silent overwrite.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from fleetline.domain.errors import Conflict, InvalidField
from fleetline.domain.model import Location, OrderState

DEVICE_CLOCK_DRIFT = timedelta(minutes=2)
"""How far ahead of the server's clock a device's time may run before a report is refused."""


class IllegalTransition(Conflict):
    """A state change that the state machine does not allow from the current state."""

    code = "illegal_transition"


ORDER_TRANSITIONS: dict[OrderState, frozenset[OrderState]] = {
    OrderState.OPEN: frozenset({OrderState.PLANNED, OrderState.DISPATCHED, OrderState.CANCELLED}),
    OrderState.PLANNED: frozenset({OrderState.DISPATCHED, OrderState.OPEN, OrderState.CANCELLED}),
    OrderState.DISPATCHED: frozenset(
        {
            OrderState.EN_ROUTE,
            OrderState.ARRIVED,
            OrderState.COMPLETED,
            OrderState.FAILED,
            OrderState.OPEN,
            OrderState.CANCELLED,
        }
    ),
    OrderState.EN_ROUTE: frozenset(
        {
            OrderState.ARRIVED,
            OrderState.COMPLETED,
            OrderState.FAILED,
            OrderState.DISPATCHED,
            OrderState.OPEN,
        }
    ),
    OrderState.ARRIVED: frozenset({OrderState.COMPLETED, OrderState.FAILED}),
    OrderState.COMPLETED: frozenset(),
    OrderState.FAILED: frozenset({OrderState.DISPATCHED, OrderState.OPEN}),
    OrderState.CANCELLED: frozenset(),
}
"""Allowed stop (order) state changes. ``FAILED -> DISPATCHED`` is a re-attempt planned
later the same day; ``-> OPEN`` takes an order out of the live plan (postponed)."""


def check_transition(current: OrderState, new: OrderState, what: str) -> None:
    """Raise :class:`IllegalTransition` unless ``current -> new`` is allowed.

    Parameters
    ----------
    current, new
        The states before and after.
    what
        Names the stop in the message, e.g. ``"stop ord_12"``.
    """
    if new not in ORDER_TRANSITIONS[current]:
        raise IllegalTransition(
            f"{what} is {current.value} and cannot become {new.value}", field="type"
        )


class FailureReason(enum.StrEnum):
    """Why a delivery failed at the door."""

    CLIENT_ABSENT = "client_absent"
    REFUSED = "refused"
    NO_ACCESS = "no_access"
    DAMAGED_GOODS = "damaged_goods"
    OTHER = "other"


class StopEventType(enum.StrEnum):
    """What a driver (or the telematics) reports at a stop."""

    EN_ROUTE = "en_route"
    ARRIVED = "arrived"
    COMPLETED = "completed"
    FAILED = "failed"


STOP_EVENT_STATE = {
    StopEventType.EN_ROUTE: OrderState.EN_ROUTE,
    StopEventType.ARRIVED: OrderState.ARRIVED,
    StopEventType.COMPLETED: OrderState.COMPLETED,
    StopEventType.FAILED: OrderState.FAILED,
}


class VehicleStatus(enum.StrEnum):
    """Whether a vehicle can work right now."""

    ON_DUTY = "on_duty"
    DELAYED = "delayed"
    BROKEN_DOWN = "broken_down"
    OFF_DUTY = "off_duty"


class VehicleEventType(enum.StrEnum):
    """What a driver or dispatcher reports about a vehicle."""

    BREAKDOWN = "breakdown"
    DELAYED = "delayed"
    RESUMED = "resumed"
    OFF_DUTY = "off_duty"
    ON_DUTY = "on_duty"


VEHICLE_EVENT_STATUS = {
    VehicleEventType.BREAKDOWN: VehicleStatus.BROKEN_DOWN,
    VehicleEventType.DELAYED: VehicleStatus.DELAYED,
    VehicleEventType.RESUMED: VehicleStatus.ON_DUTY,
    VehicleEventType.OFF_DUTY: VehicleStatus.OFF_DUTY,
    VehicleEventType.ON_DUTY: VehicleStatus.ON_DUTY,
}

VEHICLE_TRANSITIONS: dict[VehicleStatus, frozenset[VehicleStatus]] = {
    VehicleStatus.ON_DUTY: frozenset(
        {VehicleStatus.DELAYED, VehicleStatus.BROKEN_DOWN, VehicleStatus.OFF_DUTY}
    ),
    VehicleStatus.DELAYED: frozenset(
        {VehicleStatus.ON_DUTY, VehicleStatus.BROKEN_DOWN, VehicleStatus.OFF_DUTY}
    ),
    VehicleStatus.BROKEN_DOWN: frozenset({VehicleStatus.ON_DUTY, VehicleStatus.OFF_DUTY}),
    VehicleStatus.OFF_DUTY: frozenset({VehicleStatus.ON_DUTY}),
}


def check_vehicle_transition(current: VehicleStatus, new: VehicleStatus, vehicle_id: str) -> None:
    """Raise :class:`IllegalTransition` unless the vehicle may go from ``current`` to ``new``."""
    if new not in VEHICLE_TRANSITIONS[current]:
        raise IllegalTransition(
            f"vehicle {vehicle_id} is {current.value} and cannot become {new.value}",
            field="type",
        )


@dataclass(frozen=True, slots=True)
class Position:
    """Where a vehicle was at ``recorded_at`` (device time), as received at ``received_at``."""

    vehicle_id: str
    location: Location
    recorded_at: datetime
    received_at: datetime
    speed_mps: float | None = None
    heading: float | None = None
    source: str = "api"

    def __post_init__(self) -> None:
        if self.recorded_at.tzinfo is None:
            raise InvalidField("recorded_at", "time must carry a UTC offset")
        if self.speed_mps is not None and not (
            math.isfinite(self.speed_mps) and 0 <= self.speed_mps <= 100
        ):
            raise InvalidField("speed_mps", "must be between 0 and 100 m/s")
        if self.heading is not None and not (
            math.isfinite(self.heading) and 0 <= self.heading <= 360
        ):
            raise InvalidField("heading", "must be between 0 and 360 degrees")


@dataclass(frozen=True, slots=True)
class VehicleState:
    """A vehicle's current status, since when, and why."""

    vehicle_id: str
    status: VehicleStatus
    since: datetime
    note: str = ""


@dataclass(frozen=True, slots=True)
class StopEvent:
    """A fact reported at a stop: arrival, completion or failure, at a device time."""

    id: str
    order_id: str
    vehicle_id: str
    type: StopEventType
    at: datetime
    recorded_at: datetime
    reason: FailureReason | None = None
    note: str = ""
    proof: str | None = None


class Risk(enum.StrEnum):
    """How a stop stands against its promised window."""

    ON_TIME = "on_time"
    AT_RISK = "at_risk"
    LATE = "late"


@dataclass(frozen=True, slots=True)
class StopForecast:
    """The predicted arrival at one remaining stop, and its risk."""

    order_id: str
    vehicle_id: str
    sequence: int
    eta: datetime
    service_start: datetime
    departure: datetime
    window_start: datetime
    window_end: datetime
    risk: Risk
    slack_s: int

    @property
    def lateness_s(self) -> int:
        """How long after its window closes the truck is predicted to arrive (0 if not)."""
        return max(0, -self.slack_s)


class IncidentKind(enum.StrEnum):
    """A traffic report: a road closed, or traffic slowed."""

    CLOSURE = "closure"
    SLOWDOWN = "slowdown"


@dataclass(frozen=True, slots=True)
class Area:
    """A circle on the map (a centre and a radius) or a polygon (at least three corners)."""

    center: Location | None = None
    radius_m: float | None = None
    polygon: tuple[Location, ...] = ()

    def __post_init__(self) -> None:
        if self.polygon:
            if self.center is not None or self.radius_m is not None:
                raise InvalidField("area", "give either a circle or a polygon, not both")
            if len(self.polygon) < 3:
                raise InvalidField("area.polygon", "a polygon needs at least three corners")
        else:
            if self.center is None or self.radius_m is None:
                raise InvalidField("area", "give a center and radius_m, or a polygon")
            if not (math.isfinite(self.radius_m) and 1 <= self.radius_m <= 100_000):
                raise InvalidField("area.radius_m", "must be between 1 m and 100 km")


@dataclass(frozen=True, slots=True)
class TrafficIncident:
    """A closure (``factor`` None) or a slowdown (travel takes ``factor`` times longer)."""

    id: str
    kind: IncidentKind
    area: Area
    starts_at: datetime
    ends_at: datetime | None = None
    factor: float | None = None
    source: str = "api"
    note: str = ""

    def __post_init__(self) -> None:
        if self.kind is IncidentKind.SLOWDOWN:
            if self.factor is None or not (math.isfinite(self.factor) and 1 < self.factor <= 20):
                raise InvalidField("factor", "a slowdown needs a factor above 1 (at most 20)")
        elif self.factor is not None:
            raise InvalidField("factor", "a closure has no factor")
        if self.ends_at is not None and self.ends_at <= self.starts_at:
            raise InvalidField("ends_at", "the incident ends before it starts")

    def active_at(self, moment: datetime) -> bool:
        """Return whether the incident is in force at ``moment``."""
        return self.starts_at <= moment and (self.ends_at is None or moment < self.ends_at)


class ExceptionKind(enum.StrEnum):
    """What disrupted the plan."""

    BREAKDOWN = "breakdown"
    FAILED_DELIVERY = "failed_delivery"
    ROAD_CLOSURE = "road_closure"
    VEHICLE_LATE = "vehicle_late"
    WINDOW_UNMET = "window_unmet"


class ExceptionStatus(enum.StrEnum):
    """Life of an exception."""

    OPEN = "open"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


@dataclass(frozen=True, slots=True)
class AffectedOrder:
    """An order an exception touches, with what matters to decide."""

    order_id: str
    client_id: str
    client_name: str
    priority: int
    eta: datetime | None
    window_end: datetime | None
    risk: Risk | None


@dataclass(frozen=True, slots=True)
class Impact:
    """What an option costs, against the plan in force."""

    late_orders: int
    priority_weighted_lateness: float
    extra_distance_m: int
    overtime_s: int
    cost: float
    unserved_orders: int = 0
    clients_to_notify: int = 0


@dataclass(frozen=True, slots=True)
class ExceptionOption:
    """One way to resolve an exception, computed as a what-if solve, with its impact.

    ``plan_document`` is what applying it makes the new live plan (routes of the vehicles
    it changes; the others keep theirs), kept opaque to the domain.
    """

    id: str
    kind: str
    summary: str
    impact: Impact
    rank: int
    changes: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OperationalException:
    """A disruption that needs a decision: what happened, who is affected, the options."""

    id: str
    kind: ExceptionKind
    status: ExceptionStatus
    opened_at: datetime
    date: date
    summary: str
    vehicle_id: str | None = None
    order_id: str | None = None
    affected: tuple[AffectedOrder, ...] = ()
    options: tuple[ExceptionOption, ...] = ()
    options_ready_at: datetime | None = None
    resolved_at: datetime | None = None
    chosen_option_id: str | None = None
    resolved_by: str | None = None
    plan_id: str | None = None


class ReplanMode(enum.StrEnum):
    """Whether a re-plan of a kind of trigger applies itself or waits for a dispatcher."""

    AUTO = "auto"
    APPROVE = "approve"


class ReplanTrigger(enum.StrEnum):
    """What can set off a re-plan."""

    BREAKDOWN = "breakdown"
    WINDOW_CHANGE = "window_change"
    URGENT_ORDER = "urgent_order"
    VEHICLE_LATE = "vehicle_late"
    FAILED_DELIVERY = "failed_delivery"
    ROAD_CLOSURE = "road_closure"
