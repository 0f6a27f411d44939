"""The unit of work: one transaction for a state change and its events.

Used as::

    with uow:
        uow.orders.add_many(orders)
        uow.record(OrdersCreated(occurred_at=clock.now(), date=day, order_ids=ids))
        uow.commit()
    for event in uow.collect_new_events():
        bus.handle(event)

Leaving the ``with`` block without :meth:`SqlUnitOfWork.commit` rolls everything back,
recorded events included. Only the unit of work commits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Self

from sqlalchemy.orm import Session

from fleetline.clock import Clock, SystemClock
from fleetline.domain.events import Event
from fleetline.store.repositories import (
    ClientRepository,
    DepotRepository,
    DriverRepository,
    EventLog,
    IdempotencyRepository,
    OrderRepository,
    PlanRepository,
    TokenRepository,
    VehicleRepository,
)
from fleetline.store.repositories.comms import (
    CommsSettingsRepository,
    InquiryRepository,
    NotificationRepository,
    TrackingLinkRepository,
)
from fleetline.store.repositories.company import CompanySettingsRepository
from fleetline.store.repositories.exceptions import ExceptionRepository
from fleetline.store.repositories.live import (
    EtaPredictionRepository,
    ReplanPolicyRepository,
    StopEventRepository,
    TrafficRepository,
    VehicleStateRepository,
)
from fleetline.store.repositories.positions import PositionRepository
from fleetline.store.repositories.search import SearchRepository


class SqlUnitOfWork:
    """A unit of work over a SQLAlchemy session.

    Parameters
    ----------
    session_factory
        Makes a new session for each ``with`` block (see
        :func:`fleetline.store.database.make_session_factory`).
    clock
        Stamps ``recorded_at`` of events and ``created_at`` / ``updated_at`` of orders;
        the system clock when not given.

    Attributes
    ----------
    depots, vehicles, drivers, clients, orders, plans, tokens, idempotency, events
        The repositories, valid inside the ``with`` block.
    vehicle_states, stop_events, traffic, exceptions, eta_predictions, replan_policies
        The live day's repositories, valid inside the ``with`` block.
    notifications, inquiries, tracking_links, comms_settings
        Client communication's repositories, valid inside the ``with`` block.
    search
        Customer service's searches and history reads, valid inside the ``with`` block.
    company
        The company's settings (its time zone), valid inside the ``with`` block.
    """

    depots: DepotRepository
    vehicles: VehicleRepository
    drivers: DriverRepository
    clients: ClientRepository
    orders: OrderRepository
    plans: PlanRepository
    tokens: TokenRepository
    idempotency: IdempotencyRepository
    events: EventLog
    positions: PositionRepository
    vehicle_states: VehicleStateRepository
    stop_events: StopEventRepository
    traffic: TrafficRepository
    exceptions: ExceptionRepository
    eta_predictions: EtaPredictionRepository
    replan_policies: ReplanPolicyRepository
    notifications: NotificationRepository
    inquiries: InquiryRepository
    tracking_links: TrackingLinkRepository
    comms_settings: CommsSettingsRepository
    search: SearchRepository
    company: CompanySettingsRepository

    def __init__(self, session_factory: Callable[[], Session], clock: Clock | None = None) -> None:
        self._session_factory = session_factory
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._session: Session | None = None
        self._pending: list[Event] = []
        self._committed: list[Event] = []

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is already in use")
        session = self._session_factory()
        self._session = session
        self._pending = []
        now: Callable[[], datetime] = self._clock.now
        self.depots = DepotRepository(session, now)
        self.vehicles = VehicleRepository(session, now)
        self.drivers = DriverRepository(session, now)
        self.clients = ClientRepository(session, now)
        self.orders = OrderRepository(session, now)
        self.plans = PlanRepository(session, now)
        self.tokens = TokenRepository(session, now)
        self.idempotency = IdempotencyRepository(session, now)
        self.events = EventLog(session, now)
        self.positions = PositionRepository(session, now)
        self.vehicle_states = VehicleStateRepository(session, now)
        self.stop_events = StopEventRepository(session, now)
        self.traffic = TrafficRepository(session, now)
        self.exceptions = ExceptionRepository(session, now)
        self.eta_predictions = EtaPredictionRepository(session, now)
        self.replan_policies = ReplanPolicyRepository(session, now)
        self.notifications = NotificationRepository(session, now)
        self.inquiries = InquiryRepository(session, now)
        self.tracking_links = TrackingLinkRepository(session, now)
        self.comms_settings = CommsSettingsRepository(session, now)
        self.search = SearchRepository(session, now)
        self.company = CompanySettingsRepository(session, now)
        return self

    def __exit__(self, *args: object) -> None:
        session = self._session
        self._session = None
        if session is None:
            return
        try:
            session.rollback()
        finally:
            self._pending = []
            session.close()

    @property
    def session(self) -> Session:
        """The open session (for store code only)."""
        if self._session is None:
            raise RuntimeError("the unit of work is used outside its `with` block")
        return self._session

    def record(self, event: Event) -> None:
        """Collect ``event``; :meth:`commit` writes it with the state change."""
        self._pending.append(event)

    def pending_events(self) -> list[Event]:
        """The events recorded in this transaction so far, not yet committed."""
        return list(self._pending)

    def commit(self) -> None:
        """Write the recorded events to the log and commit, in one transaction."""
        session = self.session
        session.flush()
        if self._pending:
            self.events.append(self._pending, self._clock.now())
        session.commit()
        self._committed.extend(self._pending)
        self._pending = []

    def rollback(self) -> None:
        """Discard the state changes and events since the last commit."""
        self.session.rollback()
        self._pending = []

    def collect_new_events(self) -> list[Event]:
        """Return, once each, the events of committed transactions, oldest first."""
        collected, self._committed = self._committed, []
        return collected
