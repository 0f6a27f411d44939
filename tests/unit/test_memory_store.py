"""The memory store keeps the SQL store's promises that handler unit tests rely on."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta

import pytest

from fleetline.clock import FixedClock
from fleetline.domain import events
from fleetline.domain.errors import Conflict, InvalidField, NotFound
from fleetline.domain.live import (
    Area,
    IncidentKind,
    StopEvent,
    StopEventType,
    TrafficIncident,
)
from fleetline.domain.model import (
    Client,
    Depot,
    Location,
    Order,
    Plan,
    PlanSource,
    PlanStatus,
    TimeWindow,
    Vehicle,
)

from .memory_store import MemoryStore, MemoryUnitOfWork

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
DAY = date(2026, 11, 26)
HERE = Location(47.14, 9.52)


def _depot(depot_id: str = "dep_1", name: str = "Schaan") -> Depot:
    return Depot(depot_id, name, HERE, "Europe/Vaduz")


def _order(order_id: str, client_id: str = "cli_1", reference: str | None = None) -> Order:
    start = datetime(2026, 11, 26, 9, tzinfo=UTC)
    return Order(
        order_id,
        client_id,
        DAY,
        HERE,
        (TimeWindow(start, start + timedelta(hours=2)),),
        {"weight_kg": 10},
        300,
        reference=reference,
    )


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def _seeded(store: MemoryStore, clock: FixedClock) -> None:
    with MemoryUnitOfWork(store, clock) as uow:
        uow.depots.add(_depot())
        uow.clients.add(Client("cli_1", "Alpen Bakery", 3))
        uow.clients.add(Client("cli_2", "Rhein Pharma", 2))
        uow.vehicles.add(
            Vehicle("veh_1", "Truck 01", "dep_1", {"weight_kg": 900}, time(7), time(17))
        )
        uow.commit()


def test_a_commit_stores_the_change_and_logs_its_events_in_order(
    store: MemoryStore, clock: FixedClock
) -> None:
    """A handler test reads back what it committed, and the events numbered from 1 with the
    commit's time, as the SQL log numbers them."""
    uow = MemoryUnitOfWork(store, clock)
    created = events.DepotCreated(occurred_at=NOW, depot_id="dep_1", name="Schaan")
    with uow:
        uow.depots.add(_depot())
        uow.record(created)
        assert uow.pending_events() == [created]
        uow.commit()
    assert uow.collect_new_events() == [created]
    assert uow.collect_new_events() == []
    with store.read() as reader:
        assert reader.depots.get("dep_1") == _depot()
        assert [(e.seq, e.event, e.recorded_at) for e in reader.events.list()] == [
            (1, created, NOW)
        ]


def test_leaving_without_commit_keeps_nothing(store: MemoryStore, clock: FixedClock) -> None:
    """A failed command leaves neither its rows nor its events behind."""
    uow = MemoryUnitOfWork(store, clock)
    with uow:
        uow.depots.add(_depot())
        uow.record(events.DepotCreated(occurred_at=NOW, depot_id="dep_1", name="Schaan"))
    assert store.count("depots") == 0
    assert store.events() == []
    assert uow.collect_new_events() == []


def test_a_rollback_drops_the_changes_since_the_last_commit(
    store: MemoryStore, clock: FixedClock
) -> None:
    """Work committed before a rollback stays; the rest, events included, is gone."""
    with MemoryUnitOfWork(store, clock) as uow:
        uow.depots.add(_depot("dep_1"))
        uow.commit()
        uow.depots.add(_depot("dep_2"))
        uow.record(events.DepotCreated(occurred_at=NOW, depot_id="dep_2", name="Schaan"))
        uow.rollback()
        assert uow.depots.get("dep_2") is None
        assert uow.pending_events() == []
    with store.read() as reader:
        assert [d.id for d in reader.depots.list()] == ["dep_1"]


def test_two_transactions_each_write_only_what_they_changed(
    store: MemoryStore, clock: FixedClock
) -> None:
    """Two units of work open at once (a request and a worker) neither see nor overwrite
    each other's new rows."""
    first, second = MemoryUnitOfWork(store, clock), MemoryUnitOfWork(store, clock)
    with first, second:
        first.depots.add(_depot("dep_1", "Schaan"))
        second.depots.add(_depot("dep_2", "Vaduz"))
        assert second.depots.get("dep_1") is None
        first.commit()
        second.commit()
    with store.read() as uow:
        assert [d.name for d in uow.depots.list()] == ["Schaan", "Vaduz"]


def test_repositories_are_only_usable_inside_the_with_block(store: MemoryStore) -> None:
    """A test that forgets ``with`` fails loudly instead of reading stale state."""
    uow = MemoryUnitOfWork(store)
    with pytest.raises(RuntimeError, match="outside"):
        uow.depots.list()
    with uow, pytest.raises(RuntimeError, match="already in use"):
        uow.__enter__()


def test_what_the_memory_store_does_not_keep_says_so(store: MemoryStore) -> None:
    """A handler that needs positions points the test author to the SQL store."""
    with MemoryUnitOfWork(store) as uow:
        with pytest.raises(NotImplementedError, match=r"uow\.positions\.last"):
            uow.positions.last("veh_1")
        with pytest.raises(NotImplementedError, match=r"uow\.notifications\.due"):
            uow.notifications.due(NOW)


def test_orders_refuse_a_reference_twice_and_keep_none_of_the_batch(
    store: MemoryStore, clock: FixedClock
) -> None:
    """A (client, reference) pair twice in a batch, or already stored, is a ``Conflict`` on
    ``reference`` and stores no order; another client's same reference and orders without
    reference never clash."""
    _seeded(store, clock)
    with MemoryUnitOfWork(store, clock) as uow:
        with pytest.raises(Conflict) as twice:
            uow.orders.add_many([_order("o1", reference="A"), _order("o2", reference="A")])
        assert twice.value.field == "reference"
        assert uow.orders.count_by_date(DAY) == 0
        uow.orders.add_many(
            [_order("o1", reference="A"), _order("o2", "cli_2", "A"), _order("o3"), _order("o4")]
        )
        with pytest.raises(Conflict) as stored:
            uow.orders.add_many([_order("o5", reference="B"), _order("o6", reference="A")])
        assert stored.value.field == "reference"
        with pytest.raises(Conflict) as taken:
            uow.orders.add(_order("o1", reference="C"))
        assert taken.value.field == "id"
        with pytest.raises(NotFound):
            uow.orders.add(_order("o9", "cli_unknown"))
        assert [o.id for o in uow.orders.list_by_date(DAY)] == ["o1", "o2", "o3", "o4"]
        assert [o.id for o in uow.orders.list_by_date(DAY, limit=2, offset=1)] == ["o2", "o3"]


def test_an_order_update_counts_a_revision_and_stamps_the_time(
    store: MemoryStore, clock: FixedClock
) -> None:
    """Readers that cache by revision see every store of an order."""
    _seeded(store, clock)
    with MemoryUnitOfWork(store, clock) as uow:
        uow.orders.add_many([_order("o1", reference="A"), _order("o2", reference="B")])
        clock.advance(timedelta(minutes=5))
        uow.orders.update(dataclasses.replace(_order("o1", reference="A"), service_s=600))
        assert uow.orders.revisions_by_date(DAY) == {"o1": 2, "o2": 1}
        assert uow.orders.timestamps("o1") == (NOW, NOW + timedelta(minutes=5))
        with pytest.raises(Conflict) as clash:
            uow.orders.update(_order("o2", reference="A"))
        assert clash.value.field == "reference"
        with pytest.raises(NotFound):
            uow.orders.update(_order("o9"))


def test_text_with_a_nul_character_is_refused_naming_the_field(
    store: MemoryStore, clock: FixedClock
) -> None:
    """As the SQL store does on both databases: PostgreSQL cannot store NUL."""
    with MemoryUnitOfWork(store, clock) as uow, pytest.raises(InvalidField) as refused:
        uow.depots.add(_depot(name="Sch\x00aan"))
    assert refused.value.field == "name"


def test_plans_number_versions_and_find_the_truck_of_a_stop_in_the_live_plan(
    store: MemoryStore, clock: FixedClock
) -> None:
    """Versions count per day; the live plan is the one last set live; an unknown plan
    cannot be set live."""
    with MemoryUnitOfWork(store, clock) as uow:
        assert uow.plans.next_version(DAY) == 1
        plan = Plan("pln_1", DAY, 1, PlanStatus.READY, PlanSource.IMPORTED, NOW)
        uow.plans.add(plan)
        assert uow.plans.next_version(DAY) == 2
        with pytest.raises(Conflict) as taken:
            uow.plans.add(dataclasses.replace(plan, id="pln_2"))
        assert taken.value.field == "version"
        assert uow.plans.live_for(DAY) is None
        uow.plans.set_live(DAY, "pln_1")
        assert uow.plans.live_revision(DAY) == ("pln_1", 1)
        uow.plans.update(dataclasses.replace(plan, dispatched_at=NOW))
        assert uow.plans.live_revision(DAY) == ("pln_1", 2)
        assert uow.plans.live_days(DAY + timedelta(days=1)) == []
        with pytest.raises(NotFound):
            uow.plans.set_live(DAY, "pln_missing")


def test_the_same_stop_report_is_stored_once(store: MemoryStore, clock: FixedClock) -> None:
    """The same order, type and device time is a repeat: ``False``, nothing stored."""
    _seeded(store, clock)
    with MemoryUnitOfWork(store, clock) as uow:
        uow.orders.add(_order("o1"))
        report = StopEvent("sev_1", "o1", "veh_1", StopEventType.ARRIVED, NOW, NOW)
        assert uow.stop_events.add(report) is True
        assert uow.stop_events.add(dataclasses.replace(report, id="sev_2")) is False
        later = dataclasses.replace(report, id="sev_3", at=NOW + timedelta(seconds=1))
        assert uow.stop_events.add(later) is True
        assert [e.id for e in uow.stop_events.for_vehicle("veh_1", DAY)] == ["sev_1", "sev_3"]
        with pytest.raises(NotFound):
            uow.stop_events.add(dataclasses.replace(report, id="sev_4", order_id="o9"))


def test_traffic_incidents_are_in_force_from_start_until_end(
    store: MemoryStore, clock: FixedClock
) -> None:
    """An incident counts from its start (included) to its end (excluded), like the SQL
    queries; an open-ended one stays in force."""
    area = Area(center=HERE, radius_m=500)
    ended = TrafficIncident("inc_1", IncidentKind.CLOSURE, area, NOW, NOW + timedelta(hours=1))
    open_ended = TrafficIncident("inc_2", IncidentKind.CLOSURE, area, NOW + timedelta(hours=1))
    with MemoryUnitOfWork(store, clock) as uow:
        uow.traffic.add(ended)
        uow.traffic.add(open_ended)
        assert [i.id for i in uow.traffic.active(NOW)] == ["inc_1"]
        assert [i.id for i in uow.traffic.active(NOW + timedelta(hours=1))] == ["inc_2"]
        assert uow.traffic.active(NOW - timedelta(seconds=1)) == []
        later = uow.traffic.overlapping(NOW + timedelta(minutes=30), NOW + timedelta(hours=2))
        assert [i.id for i in later] == ["inc_1", "inc_2"]
        assert uow.traffic.overlapping(NOW - timedelta(hours=1), NOW) == []
