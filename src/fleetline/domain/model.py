"""Entities and value objects of a distribution company's day.

Everything here is plain standard-library Python: dataclasses that validate themselves on
construction and raise :class:`~fleetline.domain.errors.InvalidField` naming the field at
fault, so that every face (API, console, command line) reports bad input the same way.
"""

from __future__ import annotations

import enum
import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from fleetline.domain.errors import InvalidField
from fleetline.domain.values import (
    HIGHEST_PRIORITY as HIGHEST_PRIORITY,
    LOAD_DIMENSIONS as LOAD_DIMENSIONS,
    LOWEST_PRIORITY as LOWEST_PRIORITY,
    Location as Location,
    TimeWindow as TimeWindow,
    validate_load as validate_load,
    validate_timezone as validate_timezone,
)


def _require_text(value: str, field_name: str, max_length: int = 200) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidField(field_name, "must not be empty")
    if len(value) > max_length:
        raise InvalidField(field_name, f"longer than {max_length} characters")


@dataclass(frozen=True, slots=True)
class Depot:
    """A site where vehicles start and end their day and load goods."""

    id: str
    name: str
    location: Location
    timezone: str

    def __post_init__(self) -> None:
        _require_text(self.name, "name")
        validate_timezone(self.timezone)

    @property
    def zone(self) -> ZoneInfo:
        """The depot's time zone."""
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class VehicleCosts:
    """What a vehicle costs to run, in the company's currency."""

    per_km: float = 0.6
    per_hour: float = 32.0
    overtime_per_hour: float = 48.0
    fixed: float = 0.0

    def __post_init__(self) -> None:
        for name in ("per_km", "per_hour", "overtime_per_hour", "fixed"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise InvalidField(f"costs.{name}", "must be a non-negative number")


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A truck with its capacity, skills, shift (local to its depot) and costs."""

    id: str
    name: str
    depot_id: str
    capacity: Mapping[str, int]
    shift_start: time
    shift_end: time
    skills: frozenset[str] = frozenset()
    costs: VehicleCosts = field(default_factory=VehicleCosts)
    max_overtime_s: int = 2 * 3600
    active: bool = True

    def __post_init__(self) -> None:
        _require_text(self.name, "name")
        object.__setattr__(self, "capacity", validate_load(self.capacity, "capacity"))
        if not self.capacity:
            raise InvalidField("capacity", "a vehicle needs at least one capacity dimension")
        if self.shift_end <= self.shift_start:
            raise InvalidField("shift_end", "shift ends before it starts")
        if self.max_overtime_s < 0:
            raise InvalidField("max_overtime_s", "must not be negative")
        for skill in self.skills:
            _require_text(skill, "skills", 50)

    def shift_on(self, day: date, zone: ZoneInfo) -> TimeWindow:
        """Return this vehicle's shift on ``day`` as absolute times in ``zone``."""
        return TimeWindow(
            datetime.combine(day, self.shift_start, tzinfo=zone),
            datetime.combine(day, self.shift_end, tzinfo=zone),
        )


@dataclass(frozen=True, slots=True)
class Driver:
    """A person who drives a vehicle; sees only that vehicle's route."""

    id: str
    name: str
    phone: str | None = None
    vehicle_id: str | None = None

    def __post_init__(self) -> None:
        _require_text(self.name, "name")

    @property
    def first_name(self) -> str:
        """The name shown to clients: never more than the first name."""
        return self.name.split()[0]


class Channel(enum.StrEnum):
    """A way to reach a client."""

    EMAIL = "email"
    SMS = "sms"
    WEBHOOK = "webhook"


@dataclass(frozen=True, slots=True)
class Contact:
    """How to reach a client."""

    email: str | None = None
    phone: str | None = None
    webhook_url: str | None = None

    def __post_init__(self) -> None:
        if self.email is not None and (
            "@" not in self.email
            or len(self.email) > 254
            or any(c.isspace() or not c.isprintable() for c in self.email)
        ):
            raise InvalidField(
                "contact.email", "not an email address (one line: name@domain, no spaces)"
            )
        if self.phone is not None:
            digits = [c for c in self.phone if c.isdigit()]
            if not 6 <= len(digits) <= 15 or any(c not in "+0123456789 -()." for c in self.phone):
                raise InvalidField("contact.phone", "not a phone number")
        if self.webhook_url is not None and not self.webhook_url.startswith(
            ("http://", "https://")
        ):
            raise InvalidField("contact.webhook_url", "must be an http(s) URL")


@dataclass(frozen=True, slots=True)
class NotificationPreferences:
    """Which messages a client wants, where, in which language, and when not."""

    channels: tuple[Channel, ...] = (Channel.EMAIL,)
    locale: str = "en"
    quiet_start: time | None = None
    quiet_end: time | None = None
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class Client:
    """An account that receives deliveries; priority 1 is the most important."""

    id: str
    name: str
    priority: int
    contact: Contact = field(default_factory=Contact)
    preferences: NotificationPreferences = field(default_factory=NotificationPreferences)
    notes: str = ""

    def __post_init__(self) -> None:
        _require_text(self.name, "name")
        if isinstance(self.priority, bool) or not isinstance(self.priority, int):
            raise InvalidField("priority", "must be a whole number from 1 to 5")
        if not HIGHEST_PRIORITY <= self.priority <= LOWEST_PRIORITY:
            raise InvalidField("priority", "must be from 1 (highest) to 5 (lowest)")


class OrderState(enum.StrEnum):
    """Where an order stands in its day."""

    OPEN = "open"
    PLANNED = "planned"
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    ARRIVED = "arrived"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINAL_ORDER_STATES = frozenset({OrderState.COMPLETED, OrderState.FAILED, OrderState.CANCELLED})


@dataclass(frozen=True, slots=True)
class Order:
    """A delivery to make for a client on a given day."""

    id: str
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
    state: OrderState = OrderState.OPEN

    def __post_init__(self) -> None:
        object.__setattr__(self, "demand", validate_load(self.demand, "demand"))
        if not self.time_windows:
            raise InvalidField("time_windows", "an order needs at least one time window")
        ordered = sorted(self.time_windows, key=lambda w: w.start)
        for earlier, later in itertools.pairwise(ordered):
            if later.start < earlier.end:
                raise InvalidField("time_windows", "time windows overlap")
        object.__setattr__(self, "time_windows", tuple(ordered))
        if isinstance(self.service_s, bool) or not isinstance(self.service_s, int):
            raise InvalidField("service_s", "must be a whole number of seconds")
        if not 0 <= self.service_s <= 8 * 3600:
            raise InvalidField("service_s", "must be between 0 and 8 hours")
        if self.reference is not None:
            _require_text(self.reference, "reference", 100)

    @property
    def promised_window(self) -> TimeWindow:
        """The envelope of the order's windows, from first start to last end."""
        return TimeWindow(self.time_windows[0].start, self.time_windows[-1].end)


class ReasonCode(enum.StrEnum):
    """Why an order is left out of a plan, in words a dispatcher understands."""

    NO_VEHICLE_WITH_SKILLS = "no_vehicle_with_skills"
    DEMAND_EXCEEDS_CAPACITY = "demand_exceeds_capacity"
    WINDOW_UNREACHABLE = "window_unreachable"
    FLEET_FULL = "fleet_full"
    NO_VEHICLES = "no_vehicles"
    NOT_PLANNED = "not_planned"


@dataclass(frozen=True, slots=True)
class Unassigned:
    """An order a plan does not serve, and why."""

    order_id: str
    reason_code: ReasonCode
    reason: str


@dataclass(frozen=True, slots=True)
class PlanWarning:
    """Something a dispatcher should check in a plan, e.g. an address off the road network."""

    order_id: str
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class PlannedStop:
    """One visit in a route: when the truck arrives, serves and leaves."""

    stop_id: str
    order_id: str
    sequence: int
    eta: datetime
    service_start: datetime
    departure: datetime
    time_windows: tuple[TimeWindow, ...]
    load_after: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Route:
    """A vehicle's day: its stops in order and what the route costs."""

    vehicle_id: str
    stops: tuple[PlannedStop, ...]
    start_at: datetime
    end_at: datetime
    distance_m: int
    duration_s: int
    load: Mapping[str, int]
    overtime_s: int = 0
    cost: float = 0.0

    def latest_stops(self) -> tuple[PlannedStop, ...]:
        """The stops in order, an order listed twice only at its latest attempt."""
        ordered = sorted(self.stops, key=lambda stop: stop.sequence)
        latest = {stop.order_id: stop for stop in ordered}
        return tuple(stop for stop in ordered if latest[stop.order_id] is stop)


class PlanStatus(enum.StrEnum):
    """Life of a plan version."""

    SOLVING = "solving"
    READY = "ready"
    FAILED = "failed"


class PlanSource(enum.StrEnum):
    """Where a plan version came from."""

    OPTIMIZED = "optimized"
    IMPORTED = "imported"
    REVISED = "revised"


@dataclass(frozen=True, slots=True)
class Plan:
    """A version of a day's plan. Every change makes a new version."""

    id: str
    date: date
    version: int
    status: PlanStatus
    source: PlanSource
    created_at: datetime
    routes: tuple[Route, ...] = ()
    unassigned: tuple[Unassigned, ...] = ()
    warnings: tuple[PlanWarning, ...] = ()
    time_limit_s: float | None = None
    parent_id: str | None = None
    dispatched_at: datetime | None = None
    error: str | None = None

    @property
    def distance_m(self) -> int:
        """Total distance of all routes."""
        return sum(route.distance_m for route in self.routes)

    @property
    def cost(self) -> float:
        """Total cost of all routes."""
        return sum(route.cost for route in self.routes)

    def order_ids(self) -> Iterable[str]:
        """The orders the plan serves, route by route."""
        for route in self.routes:
            for stop in route.stops:
                yield stop.order_id
