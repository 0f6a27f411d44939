"""An in-memory unit of work: the SQL store's semantics for handler unit tests, no database.

:class:`MemoryStore` holds the committed state (one dict of frozen domain objects per
table) and the event log. :class:`MemoryUnitOfWork` works on a copy of that state taken
when its ``with`` block starts; :meth:`MemoryUnitOfWork.commit` writes the rows it changed
back and appends its events to the log, and leaving the block without a commit discards
both. :func:`memory_bus` puts the real command handlers on a memory store::

    store = MemoryStore()
    bus = memory_bus(FixedClock(NOW), store=store)
    depot = bus.handle(commands.CreateDepot(name="Schaan", location=HERE, timezone="Europe/Vaduz"))

Mirrored from ``fleetline.store``: the order of every list, the ``Conflict`` /
``NotFound`` each write raises (duplicate ids and references, unknown referenced rows),
revisions, the de-duplication of stop reports, NUL characters refused in text fields.

Known differences, on purpose:

* Two transactions never block or fail each other: each commit writes the rows it
  changed, the later commit wins a row both changed (the SQL store would serialise them).
* A missing referenced row raises ``NotFound("referenced record", ...)`` on every write,
  also where the SQL store lets the driver's ``IntegrityError`` through (inquiries,
  notifications, updates).
* Names sort by code point, as on SQLite (PostgreSQL may use a locale's collation).
* Objects are kept as given, not read back through serialisation (times keep their
  offset; ``get`` returns the very object that was stored).
* Positions, ETA predictions, tracking links and searches are not kept: using them
  raises ``NotImplementedError``; those belong in ``tests/integration``.
"""

from __future__ import annotations

import builtins
import dataclasses
import itertools
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Self

from fleetline.bootstrap import STORE_COMMAND_HANDLERS
from fleetline.bus import CommandHandler, Context, MessageBus
from fleetline.clock import Clock, SystemClock
from fleetline.domain import commands
from fleetline.domain.access import ApiToken
from fleetline.domain.company import CompanyZone
from fleetline.domain.errors import Conflict, InvalidField, NotFound
from fleetline.domain.events import Event
from fleetline.domain.live import (
    ExceptionStatus,
    OperationalException,
    ReplanMode,
    ReplanTrigger,
    StopEvent,
    TrafficIncident,
    VehicleState,
)
from fleetline.domain.messages import Inquiry, MessageHold, NoticeStatus, Notification
from fleetline.domain.model import Client, Depot, Driver, Order, Plan, PlanStatus, Vehicle
from fleetline.operations.ports import IdempotencyRecord, LoggedEvent

TABLES = (
    "depots",
    "vehicles",
    "drivers",
    "clients",
    "orders",
    "plans",
    "live_plans",
    "tokens",
    "idempotency",
    "vehicle_states",
    "stop_events",
    "traffic",
    "exceptions",
    "replan_policies",
    "company",
    "notifications",
    "inquiries",
    "comms_settings",
)
"""The tables a memory store keeps, each a dict from key to a frozen row."""

_GONE = object()
"""Marks a row a transaction removed (and a key absent from a table)."""
_COMPANY_ROW = 1
_HOLD_KEY = "message_hold"

Tables = dict[str, dict[Any, Any]]


@dataclasses.dataclass(frozen=True, slots=True)
class _OrderRow:
    order: Order
    revision: int
    created_at: datetime
    updated_at: datetime


@dataclasses.dataclass(frozen=True, slots=True)
class _PlanRow:
    plan: Plan
    revision: int


@dataclasses.dataclass(frozen=True, slots=True)
class _IncidentRow:
    incident: TrafficIncident
    created_at: datetime


class MemoryStore:
    """The committed state of an in-memory store: its tables and its event log."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tables: Tables = {name: {} for name in TABLES}
        self._log: list[LoggedEvent] = []

    def snapshot(self) -> Tables:
        """A copy of every committed table (the rows themselves are frozen, so shared)."""
        with self._lock:
            return {name: dict(rows) for name, rows in self._tables.items()}

    def apply(
        self, changes: Mapping[str, Mapping[Any, Any]], events: Sequence[Event], at: datetime
    ) -> None:
        """Write changed rows (``_GONE`` removes one) and append ``events``, as one step."""
        with self._lock:
            for name, rows in changes.items():
                table = self._tables[name]
                for key, row in rows.items():
                    if row is _GONE:
                        table.pop(key, None)
                    else:
                        table[key] = row
            seq = len(self._log)
            self._log.extend(
                LoggedEvent(seq=seq + i, event=event, recorded_at=at)
                for i, event in enumerate(events, start=1)
            )

    def log(self) -> list[LoggedEvent]:
        """The committed event log, oldest first."""
        with self._lock:
            return list(self._log)

    def events(self, *types: type[Event]) -> list[Event]:
        """The committed events, oldest first; only those of ``types`` when given."""
        return [e.event for e in self.log() if not types or isinstance(e.event, types)]

    def count(self, table: str) -> int:
        """How many committed rows ``table`` holds (see :data:`TABLES`)."""
        with self._lock:
            return len(self._tables[table])

    def read(self) -> MemoryUnitOfWork:
        """A unit of work to read the committed state with (``with store.read() as uow:``)."""
        return MemoryUnitOfWork(self)


class MemoryUnitOfWork:
    """One transaction over a :class:`MemoryStore`, with the repositories of ``UnitOfWork``."""

    def __init__(self, store: MemoryStore, clock: Clock | None = None) -> None:
        self._store = store
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._base: Tables | None = None
        self._work: Tables | None = None
        self._pending: list[Event] = []
        self._committed: list[Event] = []
        self._depots = _Depots(self)
        self._vehicles = _Vehicles(self)
        self._drivers = _Drivers(self)
        self._clients = _Clients(self)
        self._orders = _Orders(self)
        self._plans = _Plans(self)
        self._tokens = _Tokens(self)
        self._idempotency = _Idempotency(self)
        self._events = _EventLog(self)
        self._vehicle_states = _VehicleStates(self)
        self._stop_events = _StopEvents(self)
        self._traffic = _Traffic(self)
        self._exceptions = _Exceptions(self)
        self._replan_policies = _ReplanPolicies(self)
        self._company = _Company(self)
        self._notifications = _Notifications(self)
        self._inquiries = _Inquiries(self)
        self._comms_settings = _CommsSettings(self)

    # --- the transaction -----------------------------------------------------------------

    def __enter__(self) -> Self:
        if self._work is not None:
            raise RuntimeError("this unit of work is already in use")
        self._begin()
        self._pending = []
        return self

    def __exit__(self, *args: object) -> None:
        self._base = self._work = None
        self._pending = []

    def _begin(self) -> None:
        self._base = self._store.snapshot()
        self._work = {name: dict(rows) for name, rows in self._base.items()}

    def table(self, name: str) -> dict[Any, Any]:
        """This transaction's copy of a table (for the repositories)."""
        if self._work is None:
            raise RuntimeError("the unit of work is used outside its `with` block")
        return self._work[name]

    def now(self) -> datetime:
        """The clock's time, for ``created_at`` / ``updated_at`` stamps."""
        return self._clock.now()

    def log(self) -> list[LoggedEvent]:
        """The committed event log (for the repositories; only inside the ``with`` block)."""
        if self._work is None:
            raise RuntimeError("the unit of work is used outside its `with` block")
        return self._store.log()

    def record(self, event: Event) -> None:
        """Collect ``event``; :meth:`commit` logs it with the state change."""
        self._pending.append(event)

    def pending_events(self) -> list[Event]:
        """The events recorded in this transaction so far, not yet committed."""
        return list(self._pending)

    def commit(self) -> None:
        """Write the rows changed since the last commit and log the recorded events."""
        if self._work is None or self._base is None:
            raise RuntimeError("the unit of work is used outside its `with` block")
        changes: dict[str, dict[Any, Any]] = {}
        for name, rows in self._work.items():
            base = self._base[name]
            changed = {
                key: rows.get(key, _GONE)
                for key in itertools.chain(rows, base)
                if rows.get(key, _GONE) is not base.get(key, _GONE)
            }
            if changed:
                changes[name] = changed
        self._store.apply(changes, self._pending, self._clock.now())
        self._committed.extend(self._pending)
        self._pending = []
        self._begin()

    def rollback(self) -> None:
        """Discard the state changes and events since the last commit."""
        if self._work is None:
            raise RuntimeError("the unit of work is used outside its `with` block")
        self._begin()
        self._pending = []

    def collect_new_events(self) -> list[Event]:
        """Return, once each, the events of committed transactions, oldest first."""
        collected, self._committed = self._committed, []
        return collected

    # --- the repositories ----------------------------------------------------------------

    @property
    def depots(self) -> _Depots:
        """Depots."""
        return self._depots

    @property
    def vehicles(self) -> _Vehicles:
        """Vehicles."""
        return self._vehicles

    @property
    def drivers(self) -> _Drivers:
        """Drivers."""
        return self._drivers

    @property
    def clients(self) -> _Clients:
        """Client accounts."""
        return self._clients

    @property
    def orders(self) -> _Orders:
        """Orders."""
        return self._orders

    @property
    def plans(self) -> _Plans:
        """Plan versions and the live plan of each day."""
        return self._plans

    @property
    def tokens(self) -> _Tokens:
        """Bearer tokens."""
        return self._tokens

    @property
    def idempotency(self) -> _Idempotency:
        """Answers to idempotent writes."""
        return self._idempotency

    @property
    def events(self) -> _EventLog:
        """The event log, read side."""
        return self._events

    @property
    def vehicle_states(self) -> _VehicleStates:
        """Each vehicle's current status."""
        return self._vehicle_states

    @property
    def stop_events(self) -> _StopEvents:
        """Reports from stops."""
        return self._stop_events

    @property
    def traffic(self) -> _Traffic:
        """Traffic incidents."""
        return self._traffic

    @property
    def exceptions(self) -> _Exceptions:
        """Exceptions and their options."""
        return self._exceptions

    @property
    def replan_policies(self) -> _ReplanPolicies:
        """Re-planning policy per trigger."""
        return self._replan_policies

    @property
    def company(self) -> _Company:
        """The company's time zone."""
        return self._company

    @property
    def notifications(self) -> _Notifications:
        """The outbox, as far as the message hold and retries need it."""
        return self._notifications

    @property
    def inquiries(self) -> _Inquiries:
        """Clients' inquiries."""
        return self._inquiries

    @property
    def comms_settings(self) -> _CommsSettings:
        """Communication settings (the message hold)."""
        return self._comms_settings

    @property
    def positions(self) -> Any:
        """Not kept: every use raises ``NotImplementedError``."""
        return _NotKept("positions")

    @property
    def eta_predictions(self) -> Any:
        """Not kept: every use raises ``NotImplementedError``."""
        return _NotKept("eta_predictions")

    @property
    def tracking_links(self) -> Any:
        """Not kept: every use raises ``NotImplementedError``."""
        return _NotKept("tracking_links")

    @property
    def search(self) -> Any:
        """Not kept: every use raises ``NotImplementedError``."""
        return _NotKept("search")


# --- what the repositories share --------------------------------------------------------


class _NotKept:
    """A repository the memory store does not keep: any use says so."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, method: str) -> Any:
        if method.startswith("_"):
            raise AttributeError(method)
        raise NotImplementedError(
            f"uow.{self._name}.{method}: {self._name} are not in the memory store; "
            "test this against the SQL store (tests/integration)"
        )


class _Repository:
    """Base of the memory repositories: they read and write their unit of work's copy."""

    name = ""
    """The repository's name on the unit of work (and its table's, unless ``table`` says)."""

    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _rows(self) -> dict[Any, Any]:
        return self._uow.table(self.name)

    def _table(self, name: str) -> dict[Any, Any]:
        return self._uow.table(name)

    def __getattr__(self, method: str) -> Any:
        if method.startswith("_"):
            raise AttributeError(method)
        raise NotImplementedError(f"uow.{self.name}.{method} is not in the memory store")


def _storable[T](value: T) -> T:
    """Return ``value``, refusing NUL characters in its text fields (PostgreSQL cannot
    store them; the SQL store refuses them on both databases)."""
    for item in dataclasses.fields(value):  # type: ignore[arg-type]
        content = getattr(value, item.name)
        texts = content if isinstance(content, list | tuple | set | frozenset) else [content]
        if any(isinstance(text, str) and "\x00" in text for text in texts):
            raise InvalidField(item.name, "must not contain NUL characters")
    return value


def _taken(kind: str, identifier: str) -> Conflict:
    return Conflict(f"{kind} {identifier!r} already exists".replace(" ''", ""), "id")


def _unknown_reference(identifier: str) -> NotFound:
    return NotFound("referenced record", identifier)


def _sorted[T](rows: Iterable[T], key: Callable[[T], Any]) -> list[T]:
    return sorted(rows, key=key)


# --- master data ------------------------------------------------------------------------


class _Depots(_Repository):
    """Depots, listed by name."""

    name = "depots"

    def add(self, depot: Depot) -> None:
        """Store a new depot; ``Conflict`` on ``id`` if taken."""
        if depot.id in self._rows:
            raise _taken("depot", depot.id)
        self._rows[depot.id] = _storable(depot)

    def get(self, depot_id: str) -> Depot | None:
        """The depot, or ``None``."""
        found: Depot | None = self._rows.get(depot_id)
        return found

    def list(self) -> builtins.list[Depot]:
        """Every depot, by name then id."""
        return _sorted(self._rows.values(), lambda d: (d.name, d.id))

    def update(self, depot: Depot) -> None:
        """Replace the stored depot; ``NotFound`` if it does not exist."""
        _storable(depot)
        if depot.id not in self._rows:
            raise NotFound("depot", depot.id)
        self._rows[depot.id] = depot


class _Vehicles(_Repository):
    """Vehicles, listed by name."""

    name = "vehicles"

    def _check(self, vehicle: Vehicle) -> None:
        if vehicle.depot_id not in self._table("depots"):
            raise _unknown_reference(vehicle.id)

    def add(self, vehicle: Vehicle) -> None:
        """Store a new vehicle; ``Conflict`` on ``id``, ``NotFound`` for an unknown depot."""
        _storable(vehicle)
        if vehicle.id in self._rows:
            raise _taken("vehicle", vehicle.id)
        self._check(vehicle)
        self._rows[vehicle.id] = vehicle

    def get(self, vehicle_id: str) -> Vehicle | None:
        """The vehicle, or ``None``."""
        found: Vehicle | None = self._rows.get(vehicle_id)
        return found

    def list(
        self, depot_id: str | None = None, active_only: bool = False
    ) -> builtins.list[Vehicle]:
        """Vehicles by name then id, optionally of one depot and only the active ones."""
        return _sorted(
            (
                v
                for v in self._rows.values()
                if (depot_id is None or v.depot_id == depot_id) and (v.active or not active_only)
            ),
            lambda v: (v.name, v.id),
        )

    def update(self, vehicle: Vehicle) -> None:
        """Replace the stored vehicle; ``NotFound`` if it does not exist."""
        _storable(vehicle)
        if vehicle.id not in self._rows:
            raise NotFound("vehicle", vehicle.id)
        self._check(vehicle)
        self._rows[vehicle.id] = vehicle


class _Drivers(_Repository):
    """Drivers, listed by name."""

    name = "drivers"

    def _check(self, driver: Driver) -> None:
        if driver.vehicle_id is not None and driver.vehicle_id not in self._table("vehicles"):
            raise _unknown_reference(driver.id)

    def add(self, driver: Driver) -> None:
        """Store a new driver; ``Conflict`` on ``id``, ``NotFound`` for an unknown vehicle."""
        _storable(driver)
        if driver.id in self._rows:
            raise _taken("driver", driver.id)
        self._check(driver)
        self._rows[driver.id] = driver

    def get(self, driver_id: str) -> Driver | None:
        """The driver, or ``None``."""
        found: Driver | None = self._rows.get(driver_id)
        return found

    def list(self) -> builtins.list[Driver]:
        """Every driver, by name then id."""
        return _sorted(self._rows.values(), lambda d: (d.name, d.id))

    def update(self, driver: Driver) -> None:
        """Replace the stored driver; ``NotFound`` if it does not exist."""
        _storable(driver)
        if driver.id not in self._rows:
            raise NotFound("driver", driver.id)
        self._check(driver)
        self._rows[driver.id] = driver

    def by_vehicle(self, vehicle_id: str) -> Driver | None:
        """The driver of ``vehicle_id`` (the first by id if several), or ``None``."""
        found = _sorted((d for d in self._rows.values() if d.vehicle_id == vehicle_id), _id)
        return found[0] if found else None


def _id(item: Any) -> str:
    identifier: str = item.id
    return identifier


class _Clients(_Repository):
    """Client accounts, listed by name."""

    name = "clients"

    def add(self, client: Client) -> None:
        """Store a new client; ``Conflict`` on ``id`` if taken."""
        _storable(client)
        if client.id in self._rows:
            raise _taken("client", client.id)
        self._rows[client.id] = client

    def get(self, client_id: str) -> Client | None:
        """The client, or ``None``."""
        found: Client | None = self._rows.get(client_id)
        return found

    def list(self) -> builtins.list[Client]:
        """Every client, by name then id."""
        return _sorted(self._rows.values(), lambda c: (c.name, c.id))

    def get_many(self, client_ids: Iterable[str]) -> builtins.list[Client]:
        """The stored clients among ``client_ids``, by id; missing ones are skipped."""
        return _sorted((self._rows[i] for i in set(client_ids) if i in self._rows), _id)

    def priorities(self, client_ids: Iterable[str]) -> dict[str, int]:
        """The priority of each stored client among ``client_ids``."""
        return {i: self._rows[i].priority for i in set(client_ids) if i in self._rows}

    def update(self, client: Client) -> None:
        """Replace the stored client; ``NotFound`` if it does not exist."""
        _storable(client)
        if client.id not in self._rows:
            raise NotFound("client", client.id)
        self._rows[client.id] = client


# --- orders and plans -------------------------------------------------------------------


class _Orders(_Repository):
    """Orders with their revision and stamps, read by day in id order."""

    name = "orders"

    def add(self, order: Order) -> None:
        """Store one new order (see :meth:`add_many`)."""
        self.add_many([order])

    def add_many(self, orders: Sequence[Order]) -> None:
        """Store new orders, all or none.

        ``Conflict`` on ``reference`` for a (client, reference) pair stored already or
        twice in ``orders``, on ``id`` for a taken id; ``NotFound`` for an unknown client.
        """
        if not orders:
            return
        for order in orders:
            _storable(order)
        seen: set[tuple[str, str]] = set()
        for order in orders:
            if order.reference is None:
                continue
            pair = (order.client_id, order.reference)
            if pair in seen:
                raise Conflict(
                    f"reference {order.reference!r} appears twice for client {order.client_id!r}",
                    "reference",
                )
            seen.add(pair)
        clashes = self.existing_references(seen)
        if clashes:
            client_id, reference = min(clashes)
            raise Conflict(
                f"client {client_id!r} already has an order with reference {reference!r}",
                "reference",
            )
        ids = [order.id for order in orders]
        if len(set(ids)) < len(ids) or any(i in self._rows for i in ids):
            raise _taken("order", "")
        clients = self._table("clients")
        if any(order.client_id not in clients for order in orders):
            raise _unknown_reference("order")
        now = self._uow.now()
        for order in orders:
            self._rows[order.id] = _OrderRow(order, 1, now, now)

    def get(self, order_id: str) -> Order | None:
        """The order, or ``None``."""
        row = self._rows.get(order_id)
        return None if row is None else row.order

    def get_many(self, order_ids: Iterable[str]) -> builtins.list[Order]:
        """The stored orders among ``order_ids``, by id; missing ones are skipped."""
        found = self.get_many_revised(order_ids)
        return [found[order_id][0] for order_id in sorted(found)]

    def get_many_revised(self, order_ids: Iterable[str]) -> dict[str, tuple[Order, int]]:
        """The stored orders among ``order_ids`` with their revisions, by id."""
        rows = self._rows
        return {i: (rows[i].order, rows[i].revision) for i in set(order_ids) if i in rows}

    def revisions_by_date(self, day: date) -> dict[str, int]:
        """The revision of each order of ``day``, by id."""
        return {i: row.revision for i, row in self._rows.items() if row.order.date == day}

    def list_by_date(self, day: date, limit: int = 1000, offset: int = 0) -> builtins.list[Order]:
        """A page of the orders of ``day``, by id."""
        of_day = sorted(
            (row.order for row in self._rows.values() if row.order.date == day), key=_id
        )
        return of_day[offset : offset + limit]

    def count_by_date(self, day: date) -> int:
        """How many orders ``day`` has."""
        return sum(1 for row in self._rows.values() if row.order.date == day)

    def existing_references(self, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """The (client id, reference) pairs among ``pairs`` that are stored already."""
        wanted = {pair for pair in pairs if "\x00" not in pair[0] + pair[1]}
        stored = {
            (row.order.client_id, row.order.reference)
            for row in self._rows.values()
            if row.order.reference is not None
        }
        return wanted & stored

    def update(self, order: Order) -> None:
        """Replace the stored order, count a revision and stamp ``updated_at``.

        ``NotFound`` when it does not exist; ``Conflict`` on ``reference`` when the new
        reference is another order's of the client.
        """
        _storable(order)
        row = self._rows.get(order.id)
        if row is None:
            raise NotFound("order", order.id)
        if order.reference is not None and any(
            other.order.id != order.id
            and other.order.client_id == order.client_id
            and other.order.reference == order.reference
            for other in self._rows.values()
        ):
            raise Conflict("this client already has an order with that reference", "reference")
        if order.client_id not in self._table("clients"):
            raise _unknown_reference(order.id)
        self._rows[order.id] = _OrderRow(order, row.revision + 1, row.created_at, self._uow.now())

    def timestamps(self, order_id: str) -> tuple[datetime, datetime] | None:
        """When the order was created and last updated, or ``None``."""
        row = self._rows.get(order_id)
        return None if row is None else (row.created_at, row.updated_at)


class _Plans(_Repository):
    """Plan versions with their revisions, and the live plan of each day."""

    name = "plans"

    def _check(self, plan: Plan) -> None:
        if any(
            row.plan.id != plan.id
            and row.plan.date == plan.date
            and row.plan.version == plan.version
            for row in self._rows.values()
        ):
            raise Conflict("plan version already exists for that date", "version")
        if plan.parent_id is not None and plan.parent_id not in self._rows:
            raise _unknown_reference(plan.id)

    def add(self, plan: Plan) -> None:
        """Store a new plan version; ``Conflict`` on ``version`` or ``id`` when taken."""
        _storable(plan)
        if plan.id in self._rows:
            raise _taken("plan", plan.id)
        self._check(plan)
        self._rows[plan.id] = _PlanRow(plan, 1)

    def get(self, plan_id: str) -> Plan | None:
        """The plan, or ``None``."""
        row = self._rows.get(plan_id)
        return None if row is None else row.plan

    def update(self, plan: Plan) -> None:
        """Replace the stored plan and count a revision; ``NotFound`` if it does not exist."""
        _storable(plan)
        row = self._rows.get(plan.id)
        if row is None:
            raise NotFound("plan", plan.id)
        self._check(plan)
        self._rows[plan.id] = _PlanRow(plan, row.revision + 1)

    def list_by_date(self, day: date) -> builtins.list[Plan]:
        """Every version of ``day``'s plan, oldest first."""
        return sorted(
            (row.plan for row in self._rows.values() if row.plan.date == day),
            key=lambda p: p.version,
        )

    def solving(self) -> builtins.list[Plan]:
        """Every plan version still waiting for its solve, oldest first."""
        return sorted(
            (row.plan for row in self._rows.values() if row.plan.status is PlanStatus.SOLVING),
            key=lambda p: p.created_at,
        )

    def next_version(self, day: date) -> int:
        """The version a new plan of ``day`` gets (1 for the first)."""
        versions = [row.plan.version for row in self._rows.values() if row.plan.date == day]
        return max(versions, default=0) + 1

    def live_id(self, day: date) -> str | None:
        """The id of the live plan of ``day``, or ``None``."""
        plan_id: str | None = self._table("live_plans").get(day)
        return plan_id

    def live_days(self, since: date) -> builtins.list[date]:
        """The days from ``since`` on that have a live plan, earliest first."""
        return sorted(day for day in self._table("live_plans") if day >= since)

    def live_for(self, day: date) -> Plan | None:
        """The live plan of ``day``, or ``None`` before its first dispatch."""
        plan_id = self.live_id(day)
        return None if plan_id is None else self.get(plan_id)

    def live_revision(self, day: date) -> tuple[str, int] | None:
        """The id and revision of ``day``'s live plan, or ``None``."""
        plan_id = self.live_id(day)
        row = None if plan_id is None else self._rows.get(plan_id)
        return None if row is None else (row.plan.id, row.revision)

    def get_revised(self, plan_id: str) -> tuple[Plan, int] | None:
        """The plan with its revision, or ``None``."""
        row = self._rows.get(plan_id)
        return None if row is None else (row.plan, row.revision)

    def live_vehicle_of(self, day: date, order_id: str) -> str | None:
        """The vehicle whose route holds ``order_id`` in ``day``'s live plan, or ``None``."""
        live = self.live_for(day)
        if live is None:
            return None
        for route in live.routes:
            if any(stop.order_id == order_id for stop in route.stops):
                return route.vehicle_id
        return None

    def set_live(self, day: date, plan_id: str) -> None:
        """Make ``plan_id`` the live plan of ``day``; ``NotFound`` if the plan does not exist."""
        if plan_id not in self._rows:
            raise NotFound("plan", plan_id)
        self._table("live_plans")[day] = plan_id


# --- access -----------------------------------------------------------------------------


class _Tokens(_Repository):
    """Bearer tokens, found by id or hash, listed oldest first."""

    name = "tokens"

    def add(self, token: ApiToken) -> None:
        """Store a new token; ``Conflict`` on ``id`` or ``token_hash`` when taken."""
        _storable(token)
        if token.id in self._rows:
            raise _taken("token", token.id)
        if any(t.token_hash == token.token_hash for t in self._rows.values()):
            raise Conflict("token already exists", "token_hash")
        if token.driver_id is not None and token.driver_id not in self._table("drivers"):
            raise _unknown_reference(token.id)
        self._rows[token.id] = token

    def get(self, token_id: str) -> ApiToken | None:
        """The token, or ``None``."""
        found: ApiToken | None = self._rows.get(token_id)
        return found

    def by_hash(self, token_hash: str) -> ApiToken | None:
        """The token with that hash (revoked or not), or ``None``."""
        return next((t for t in self._rows.values() if t.token_hash == token_hash), None)

    def list(self) -> builtins.list[ApiToken]:
        """Every token, oldest first."""
        return _sorted(self._rows.values(), lambda t: (t.created_at, t.id))

    def revoke(self, token_id: str, at: datetime | None = None) -> None:
        """Revoke the token (``at``: when); ``NotFound`` if it does not exist."""
        token = self._rows.get(token_id)
        if token is None:
            raise NotFound("token", token_id)
        self._rows[token_id] = dataclasses.replace(token, revoked=True, revoked_at=at)


class _Idempotency(_Repository):
    """Answers already given to idempotent writes, by principal and key."""

    name = "idempotency"

    def get(self, principal: str, key: str) -> IdempotencyRecord | None:
        """The stored record of ``key`` for ``principal``, or ``None``."""
        found: IdempotencyRecord | None = self._rows.get((principal, key))
        return found

    def put(self, record: IdempotencyRecord) -> None:
        """Store ``record``; ``Conflict`` on ``idempotency_key`` when the key is used."""
        _storable(record)
        if (record.principal, record.key) in self._rows:
            raise Conflict("idempotency key already used", "idempotency_key")
        self._rows[(record.principal, record.key)] = record

    def delete_before(self, moment: datetime) -> int:
        """Forget records older than ``moment``; return how many were removed."""
        old = [key for key, record in self._rows.items() if record.created_at < moment]
        for key in old:
            del self._rows[key]
        return len(old)


class _EventLog(_Repository):
    """The committed event log (events of this transaction appear once it commits)."""

    name = "events"

    def list(self, after_seq: int = 0, limit: int = 1000) -> builtins.list[LoggedEvent]:
        """Events with ``seq`` greater than ``after_seq``, oldest first."""
        return [e for e in self._uow.log() if e.seq > after_seq][:limit]

    def of_type(
        self, type_name: str, since: datetime, until: datetime
    ) -> builtins.list[LoggedEvent]:
        """Events of one type that occurred in ``[since, until)``, oldest first."""
        return [
            e
            for e in self._uow.log()
            if e.event.type_name == type_name and since <= e.event.occurred_at < until
        ]

    def last_seq(self) -> int:
        """The ``seq`` of the newest event, 0 when the log is empty."""
        log = self._uow.log()
        return log[-1].seq if log else 0


# --- the live day -----------------------------------------------------------------------


class _VehicleStates(_Repository):
    """Each vehicle's current status; a vehicle never set has none (on duty)."""

    name = "vehicle_states"

    def get(self, vehicle_id: str) -> VehicleState | None:
        """The vehicle's stored state, or ``None``."""
        found: VehicleState | None = self._rows.get(vehicle_id)
        return found

    def put(self, state: VehicleState) -> None:
        """Store ``state``, replacing any; ``NotFound`` on ``vehicle_id`` for an unknown one."""
        _storable(state)
        if state.vehicle_id not in self._table("vehicles"):
            raise NotFound("vehicle", state.vehicle_id, "vehicle_id")
        self._rows[state.vehicle_id] = state

    def list(self) -> builtins.list[VehicleState]:
        """Every stored vehicle state, by vehicle id."""
        return _sorted(self._rows.values(), lambda s: s.vehicle_id)


class _StopEvents(_Repository):
    """Stop reports; the same report (order, type, device time) is kept once."""

    name = "stop_events"

    def add(self, event: StopEvent) -> bool:
        """Store ``event``; ``False`` (nothing stored) when it repeats a stored report.

        ``Conflict`` on ``id`` when another report has that id; ``NotFound`` for an
        unknown order or vehicle.
        """
        _storable(event)
        if any(
            (e.order_id, e.type, e.at) == (event.order_id, event.type, event.at)
            for e in self._rows.values()
        ):
            return False
        if event.id in self._rows:
            raise _taken("stop event", event.id)
        if event.order_id not in self._table("orders") or (
            event.vehicle_id not in self._table("vehicles")
        ):
            raise _unknown_reference(event.id)
        self._rows[event.id] = event
        return True

    def _in_order(self, events: Iterable[StopEvent]) -> builtins.list[StopEvent]:
        return _sorted(events, lambda e: (e.at, e.id))

    def _of_day(self, day: date) -> set[str]:
        return {i for i, row in self._table("orders").items() if row.order.date == day}

    def for_order(self, order_id: str) -> builtins.list[StopEvent]:
        """The reports of one order, in the order they happened."""
        return self._in_order(e for e in self._rows.values() if e.order_id == order_id)

    def for_vehicle(self, vehicle_id: str, day: date) -> builtins.list[StopEvent]:
        """One truck's reports on the orders of ``day``, in the order they happened."""
        orders = self._of_day(day)
        return self._in_order(
            e for e in self._rows.values() if e.vehicle_id == vehicle_id and e.order_id in orders
        )

    def for_day(self, day: date) -> builtins.list[StopEvent]:
        """The reports of every order of ``day``, in the order they happened."""
        orders = self._of_day(day)
        return self._in_order(e for e in self._rows.values() if e.order_id in orders)


class _Traffic(_Repository):
    """Traffic incidents, stamped with ``created_at``, listed by start."""

    name = "traffic"

    def add(self, incident: TrafficIncident) -> None:
        """Store a new incident; ``Conflict`` on ``id`` when taken."""
        _storable(incident)
        if incident.id in self._rows:
            raise _taken("traffic incident", incident.id)
        self._rows[incident.id] = _IncidentRow(incident, self._uow.now())

    def get(self, incident_id: str) -> TrafficIncident | None:
        """The incident, or ``None``."""
        row = self._rows.get(incident_id)
        return None if row is None else row.incident

    def update(self, incident: TrafficIncident) -> None:
        """Replace the stored incident (``created_at`` stays); ``NotFound`` if missing."""
        _storable(incident)
        row = self._rows.get(incident.id)
        if row is None:
            raise NotFound("traffic incident", incident.id)
        self._rows[incident.id] = _IncidentRow(incident, row.created_at)

    def _in_force(self, start: datetime, end: datetime | None) -> builtins.list[TrafficIncident]:
        found = (
            row.incident
            for row in self._rows.values()
            if (row.incident.starts_at <= start if end is None else row.incident.starts_at < end)
            and (row.incident.ends_at is None or row.incident.ends_at > start)
        )
        return _sorted(found, lambda i: (i.starts_at, i.id))

    def active(self, moment: datetime) -> builtins.list[TrafficIncident]:
        """The incidents in force at ``moment``, oldest first."""
        return self._in_force(moment, None)

    def overlapping(self, start: datetime, end: datetime) -> builtins.list[TrafficIncident]:
        """The incidents in force at some moment of ``[start, end)``, oldest first."""
        return self._in_force(start, end)


class _Exceptions(_Repository):
    """Exceptions with their options, listed newest first."""

    name = "exceptions"

    def add(self, exception: OperationalException) -> None:
        """Store a new exception; ``Conflict`` on ``id`` when taken."""
        _storable(exception)
        if exception.id in self._rows:
            raise _taken("exception", exception.id)
        self._rows[exception.id] = exception

    def get(self, exception_id: str) -> OperationalException | None:
        """The exception, or ``None``."""
        found: OperationalException | None = self._rows.get(exception_id)
        return found

    def update(self, exception: OperationalException) -> None:
        """Replace the stored exception; ``NotFound`` if it does not exist."""
        _storable(exception)
        if exception.id not in self._rows:
            raise NotFound("exception", exception.id)
        self._rows[exception.id] = exception

    def list(
        self, day: date | None = None, status: ExceptionStatus | None = None
    ) -> builtins.list[OperationalException]:
        """Exceptions newest first, optionally of one day and in one status."""
        found = [
            e
            for e in self._rows.values()
            if (day is None or e.date == day) and (status is None or e.status == status)
        ]
        return sorted(found, key=lambda e: (e.opened_at, e.id), reverse=True)


class _ReplanPolicies(_Repository):
    """Per trigger: apply re-plans by themselves, or wait for a dispatcher."""

    name = "replan_policies"

    def get(self, trigger: ReplanTrigger) -> tuple[ReplanMode, int | None] | None:
        """``(mode, threshold_s)`` of ``trigger``, or ``None`` when never set."""
        found: tuple[ReplanMode, int | None] | None = self._rows.get(trigger)
        return found

    def put(self, trigger: ReplanTrigger, mode: ReplanMode, threshold_s: int | None) -> None:
        """Set the policy of ``trigger``, replacing any previous one."""
        self._rows[ReplanTrigger(trigger)] = (ReplanMode(mode), threshold_s)

    def all(self) -> dict[ReplanTrigger, tuple[ReplanMode, int | None]]:
        """Every stored policy, by trigger."""
        return {trigger: self._rows[trigger] for trigger in sorted(self._rows)}


class _Company(_Repository):
    """The company's time zone, stored once."""

    name = "company"

    def zone(self) -> CompanyZone | None:
        """The stored time zone, or ``None`` when never stored."""
        found: CompanyZone | None = self._rows.get(_COMPANY_ROW)
        return found

    def _stamped(self, zone: CompanyZone) -> CompanyZone:
        return dataclasses.replace(zone, changed_at=zone.changed_at or self._uow.now())

    def set_zone(self, zone: CompanyZone) -> None:
        """Store ``zone``, replacing the one before (stamped now when it has no time)."""
        self._rows[_COMPANY_ROW] = self._stamped(zone)

    def set_zone_if_unset(self, zone: CompanyZone) -> bool:
        """Store ``zone`` unless one is stored; ``True`` when it was stored."""
        if _COMPANY_ROW in self._rows:
            return False
        self._rows[_COMPANY_ROW] = self._stamped(zone)
        return True


# --- client communication ---------------------------------------------------------------


class _Notifications(_Repository):
    """The outbox, as far as the message hold and an agent's retry need it."""

    name = "notifications"

    def add_new(self, notifications: Iterable[Notification]) -> builtins.list[Notification]:
        """Queue the messages whose ``dedupe_key`` is not taken yet; return those queued."""
        taken = {n.dedupe_key for n in self._rows.values()}
        fresh: dict[str, Notification] = {}
        for n in notifications:
            if n.dedupe_key not in taken and n.dedupe_key not in fresh:
                fresh[n.dedupe_key] = n
        orders = self._table("orders")
        for n in fresh.values():
            if n.id in self._rows:
                raise _taken("notification", n.id)
            if n.order_id not in orders:
                raise _unknown_reference(n.id)
        self._rows.update((n.id, n) for n in fresh.values())
        return list(fresh.values())

    def get(self, notification_id: str) -> Notification | None:
        """The message, or ``None``."""
        found: Notification | None = self._rows.get(notification_id)
        return found

    def update(self, notification: Notification) -> None:
        """Store the message's new status, attempts and times (nothing if it is unknown)."""
        if notification.id in self._rows:
            self._rows[notification.id] = notification

    def in_status(self, *statuses: NoticeStatus, limit: int = 1000) -> builtins.list[Notification]:
        """Messages in any of ``statuses``, oldest first."""
        found = (n for n in self._rows.values() if n.status in statuses)
        return _sorted(found, lambda n: (n.created_at, n.id))[:limit]

    def count_in_status(self, *statuses: NoticeStatus) -> int:
        """How many messages are in any of ``statuses``."""
        return sum(1 for n in self._rows.values() if n.status in statuses)


class _Inquiries(_Repository):
    """Clients' calls and messages about their orders, oldest first."""

    name = "inquiries"

    def add(self, inquiry: Inquiry) -> None:
        """Log an inquiry; ``Conflict`` on ``id``, ``NotFound`` for an unknown order."""
        if inquiry.id in self._rows:
            raise _taken("inquiry", inquiry.id)
        if inquiry.order_id not in self._table("orders"):
            raise _unknown_reference(inquiry.id)
        self._rows[inquiry.id] = inquiry

    def _in_order(self, found: Iterator[Inquiry]) -> builtins.list[Inquiry]:
        return _sorted(found, lambda i: (i.at, i.id))

    def for_order(self, order_id: str) -> builtins.list[Inquiry]:
        """The inquiries about an order, oldest first."""
        return self._in_order(i for i in self._rows.values() if i.order_id == order_id)

    def between(self, start: datetime, end: datetime) -> builtins.list[Inquiry]:
        """The inquiries logged in ``[start, end)``, oldest first."""
        return self._in_order(i for i in self._rows.values() if start <= i.at < end)


class _CommsSettings(_Repository):
    """Installation-wide communication settings, stored as JSON-like values by key."""

    name = "comms_settings"

    def get(self, key: str) -> Any:
        """The stored value of ``key``, or ``None``."""
        return self._rows.get(key)

    def put(self, key: str, value: Any) -> None:
        """Store ``value`` under ``key``, replacing any value before."""
        self._rows[key] = value

    def hold(self) -> MessageHold:
        """The message hold; not held when never set."""
        stored = self.get(_HOLD_KEY)
        if not stored:
            return MessageHold(held=False)
        since = stored.get("since")
        return MessageHold(
            held=bool(stored["held"]),
            reason=stored.get("reason", ""),
            by=stored.get("by", ""),
            since=datetime.fromisoformat(since) if since else None,
        )

    def set_hold(self, hold: MessageHold) -> None:
        """Store the message hold."""
        self.put(
            _HOLD_KEY,
            {
                "held": hold.held,
                "reason": hold.reason,
                "by": hold.by,
                "since": hold.since.isoformat() if hold.since else None,
            },
        )


# --- a bus on the memory store ----------------------------------------------------------

HANDLERS: Mapping[type[commands.Command], CommandHandler] = STORE_COMMAND_HANDLERS
"""The command handlers that need nothing but storage and a clock, as the services wire
them; those that need the road network are left out."""


def sequential_ids() -> Callable[[str], str]:
    """Ids ``dep_1``, ``veh_2``, ...: one counter for every prefix, so each id is unique."""
    counter = itertools.count(1)
    return lambda prefix: f"{prefix}_{next(counter)}"


def memory_bus(
    clock: Clock,
    store: MemoryStore | None = None,
    handlers: Mapping[type[commands.Command], CommandHandler] | None = None,
) -> MessageBus:
    """A message bus on ``store`` (a new one when not given) with deterministic ids.

    ``handlers`` replaces :data:`HANDLERS`; no event subscribers and no transaction rules
    are wired, so a command's events end in the log and nowhere else.
    """
    kept = store if store is not None else MemoryStore()
    return MessageBus(
        uow_factory=lambda: MemoryUnitOfWork(kept, clock),
        context=Context(clock=clock, ids=sequential_ids()),
        command_handlers=dict(HANDLERS if handlers is None else handlers),
    )
