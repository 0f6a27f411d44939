"""The unit of work: state and events commit together or not at all."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from fleetline.clock import FixedClock
from fleetline.domain import events
from fleetline.domain.errors import InvalidField
from fleetline.store.serialization import event_from_payload, event_to_payload
from fleetline.store.unit_of_work import SqlUnitOfWork

from .store_builders import DAY, depot, order, seed_master_data

pytestmark = pytest.mark.both_databases  # transactions and isolation differ by database

AT = datetime(2025, 3, 14, 9, 15, 30, 123456, tzinfo=timezone(timedelta(hours=2)))

EVERY_EVENT: list[events.Event] = [
    events.DepotCreated(occurred_at=AT, depot_id="d1", name="Schaan"),
    events.VehicleCreated(occurred_at=AT, vehicle_id="v1", depot_id="d1"),
    events.DriverCreated(occurred_at=AT, driver_id="dr1", vehicle_id=None),
    events.ClientCreated(occurred_at=AT, client_id="c1", priority=2),
    events.OrdersCreated(occurred_at=AT, date=DAY, order_ids=("o1", "o2")),
    events.OrderChanged(
        occurred_at=AT, order_id="o1", changes={"service_s": 60, "time_windows": [{"a": "b"}]}
    ),
    events.PlanRequested(occurred_at=AT, plan_id="p1", date=DAY, version=1),
    events.PlanReady(
        occurred_at=AT, plan_id="p1", date=DAY, version=1, routes=2, unassigned=0, distance_m=9
    ),
    events.PlanFailed(occurred_at=AT, plan_id="p1", date=DAY, error="boom"),
    events.PlanDispatched(occurred_at=AT, plan_id="p1", date=DAY, version=1, previous_plan_id=None),
    events.RouteSent(occurred_at=AT, plan_id="p1", vehicle_id="v1", driver_id="dr1", stops=3),
]


@pytest.mark.parametrize("event", EVERY_EVENT, ids=[type(e).__name__ for e in EVERY_EVENT])
def test_every_event_serialises_and_back(event: events.Event) -> None:
    """Each event class survives the generic JSON payload."""
    payload = event_to_payload(event)
    assert event_from_payload(event.type_name, event.occurred_at, payload) == event


def test_events_commit_with_the_state_change(uow: SqlUnitOfWork, clock: FixedClock) -> None:
    """Committed events are in the log, in order, with aware times; and handed to the bus."""
    with uow:
        uow.depots.add(depot())
        for event in EVERY_EVENT:
            uow.record(event)
        uow.commit()
    assert uow.collect_new_events() == EVERY_EVENT
    assert uow.collect_new_events() == []
    with uow:
        logged = uow.events.list()
        assert [entry.event for entry in logged] == EVERY_EVENT
        assert [entry.seq for entry in logged] == list(range(1, len(EVERY_EVENT) + 1))
        assert all(entry.recorded_at == clock.now() for entry in logged)
        assert logged[0].event.occurred_at.utcoffset() is not None
        assert [e.seq for e in uow.events.list(after_seq=9, limit=1)] == [10]


def test_leaving_without_commit_rolls_back_state_and_events(uow: SqlUnitOfWork) -> None:
    """No commit: neither the depot nor its event is stored, nor handed to the bus."""
    with uow:
        uow.depots.add(depot())
        uow.record(EVERY_EVENT[0])
    with uow:
        assert uow.depots.get("d1") is None
        assert uow.events.list() == []
    assert uow.collect_new_events() == []


def test_an_error_rolls_back_everything(uow: SqlUnitOfWork) -> None:
    """A failure mid-way leaves nothing of the transaction behind."""
    seed_master_data(uow)
    with uow:
        uow.orders.add_many([order("o1")])
        uow.record(events.OrdersCreated(occurred_at=AT, date=DAY, order_ids=("o1",)))
        with pytest.raises(InvalidField):
            uow.orders.add_many([order("o2", reference="bad\x00")])
    with uow:
        assert uow.orders.count_by_date(DAY) == 0
        assert uow.events.list() == []


def test_explicit_rollback_discards_recorded_events(uow: SqlUnitOfWork) -> None:
    """``rollback()`` drops the pending events; a later commit writes only its own."""
    with uow:
        uow.depots.add(depot("d1"))
        uow.record(EVERY_EVENT[0])
        uow.rollback()
        uow.depots.add(depot("d2"))
        uow.record(EVERY_EVENT[1])
        uow.commit()
    assert uow.collect_new_events() == [EVERY_EVENT[1]]
    with uow:
        assert [d.id for d in uow.depots.list()] == ["d2"]
        assert [e.event for e in uow.events.list()] == [EVERY_EVENT[1]]


def test_seq_has_no_gaps_across_concurrent_writers(
    uow_factory: Callable[..., SqlUnitOfWork],
) -> None:
    """Threads committing (and some rolling back) leave seq 1..n without gaps."""
    failures: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for round_ in range(10):
                uow = uow_factory()
                with uow:
                    when = datetime(2025, 3, 14, tzinfo=UTC) + timedelta(seconds=round_)
                    for suffix in ("a", "b"):
                        uow.record(
                            events.ClientCreated(
                                occurred_at=when, client_id=f"{worker}{suffix}", priority=1
                            )
                        )
                    if round_ % 3 == 2:
                        continue
                    uow.commit()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    uow = uow_factory()
    with uow:
        seqs = [entry.seq for entry in uow.events.list(limit=10_000)]
        assert seqs == list(range(1, 4 * 7 * 2 + 1))
        assert uow.events.last_seq() == len(seqs)


def test_naive_datetimes_are_refused(uow: SqlUnitOfWork) -> None:
    """A datetime without an offset never reaches the database."""
    with uow:
        uow.record(events.DepotCreated(occurred_at=datetime(2025, 1, 1), depot_id="d", name="x"))
        with pytest.raises(Exception, match="naive"):
            uow.commit()


def test_aware_datetimes_keep_their_instant(uow: SqlUnitOfWork) -> None:
    """Times in any offset come back as the same instant, in UTC."""
    moments = [
        datetime(2025, 3, 30, 0, 59, 59, 999999, tzinfo=UTC),
        datetime(2025, 3, 30, 3, 0, tzinfo=timezone(timedelta(hours=2))),
        datetime(1999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-11, minutes=-30))),
    ]
    with uow:
        for moment in moments:
            day = date(2025, 1, 1)
            uow.record(events.PlanFailed(occurred_at=moment, plan_id="p", date=day, error=""))
        uow.commit()
    with uow:
        back = [entry.event.occurred_at for entry in uow.events.list()]
    assert back == moments
    assert all(moment.tzinfo == UTC for moment in back)
