"""The position store: duplicates skipped and counted, late pings never move a truck back."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from fleetline.domain.live import Position
from fleetline.domain.model import Depot, Location, Vehicle
from fleetline.store.unit_of_work import SqlUnitOfWork

pytestmark = pytest.mark.both_databases  # positions are inserted with SQL of each dialect

T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def _fleet(uow_factory: Callable[..., SqlUnitOfWork], count: int) -> list[str]:
    """Store a depot and ``count`` vehicles with fresh ids; return the vehicle ids."""
    tag = uuid.uuid4().hex[:10]
    ids = [f"veh_{tag}_{n}" for n in range(count)]
    with uow_factory() as uow:
        uow.depots.add(
            Depot(id=f"dep_{tag}", name="Schaan", location=Location(47.17, 9.5), timezone="UTC")
        )
        for vehicle_id in ids:
            uow.vehicles.add(
                Vehicle(
                    id=vehicle_id,
                    name=vehicle_id,
                    depot_id=f"dep_{tag}",
                    capacity={"pallets": 18},
                    shift_start=T0.time(),
                    shift_end=(T0 + timedelta(hours=8)).time(),
                )
            )
        uow.commit()
    return ids


def _ping(vehicle_id: str, minute: int, lat: float = 47.1) -> Position:
    return Position(
        vehicle_id=vehicle_id,
        location=Location(lat, 9.5),
        recorded_at=T0 + timedelta(minutes=minute),
        received_at=T0 + timedelta(hours=1),
        speed_mps=10.0,
        heading=90.0,
    )


def test_duplicates_are_skipped_and_counted(uow_factory: Callable[..., SqlUnitOfWork]) -> None:
    """A tracker that resends its buffer does not double a truck's track."""
    (truck,) = _fleet(uow_factory, 1)
    batch = [_ping(truck, m) for m in range(5)]
    with uow_factory() as uow:
        first = uow.positions.ingest([*batch, _ping(truck, 0, lat=48.0)])
        uow.commit()
    with uow_factory() as uow:
        again = uow.positions.ingest(batch)
        uow.commit()
    assert (first.accepted, first.duplicates, first.moved) == (5, 1, 1)
    assert (again.accepted, again.duplicates, again.moved) == (0, 5, 0)
    with uow_factory() as uow:
        track = uow.positions.track(truck, T0)
        assert [p.recorded_at for p in track] == [T0 + timedelta(minutes=m) for m in range(5)]
        assert track[0].location.lat == 47.1
        last = uow.positions.last(truck)
        assert last is not None and last.recorded_at == T0 + timedelta(minutes=4)


def test_a_late_ping_is_kept_but_does_not_move_the_truck_back(
    uow_factory: Callable[..., SqlUnitOfWork],
) -> None:
    """A ping delayed by a tunnel shows in the track, not as the truck's current position."""
    (truck,) = _fleet(uow_factory, 1)
    with uow_factory() as uow:
        uow.positions.ingest([_ping(truck, 10, lat=47.2)])
        uow.commit()
    with uow_factory() as uow:
        late = uow.positions.ingest([_ping(truck, 5, lat=47.0)])
        uow.commit()
    assert (late.accepted, late.moved) == (1, 0)
    with uow_factory() as uow:
        last = uow.positions.last(truck)
        assert last is not None and last.location.lat == 47.2
        assert len(uow.positions.track(truck, T0, T0 + timedelta(minutes=10))) == 1
        assert [p.vehicle_id for p in uow.positions.last_all()] == [truck]


def test_the_same_instant_in_another_offset_is_a_duplicate(
    uow_factory: Callable[..., SqlUnitOfWork],
) -> None:
    """A device that reports local time with its offset is not stored twice."""
    (truck,) = _fleet(uow_factory, 1)
    local = _ping(truck, 0)
    shifted = Position(
        vehicle_id=truck,
        location=local.location,
        recorded_at=local.recorded_at.astimezone(timezone(timedelta(hours=1))),
        received_at=local.received_at,
    )
    with uow_factory() as uow:
        result = uow.positions.ingest([local, shifted])
        uow.commit()
    assert (result.accepted, result.duplicates) == (1, 1)


BATCHES = st.lists(
    st.lists(st.tuples(st.integers(0, 2), st.integers(0, 20)), max_size=15),
    min_size=1,
    max_size=6,
)


@pytest.mark.timeout(600)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batches=BATCHES)
def test_any_interleaving_stores_each_ping_once_and_keeps_the_latest(
    uow_factory: Callable[..., SqlUnitOfWork], batches: list[list[tuple[int, int]]]
) -> None:
    """Whatever order and repetition pings arrive in, each is stored exactly once and every
    truck's current position is its latest ping."""
    trucks = _fleet(uow_factory, 3)
    accepted = duplicates = 0
    for batch in batches:
        with uow_factory() as uow:
            result = uow.positions.ingest([_ping(trucks[v], m, lat=40 + m) for v, m in batch])
            uow.commit()
        accepted += result.accepted
        duplicates += result.duplicates
    sent = [(trucks[v], m) for batch in batches for v, m in batch]
    distinct = set(sent)
    assert accepted == len(distinct)
    assert duplicates == len(sent) - len(distinct)
    with uow_factory() as uow:
        for index, truck in enumerate(trucks):
            stored = [p.recorded_at for p in uow.positions.track(truck, T0)]
            minutes = sorted(m for v, m in distinct if v == truck)
            assert stored == [T0 + timedelta(minutes=m) for m in minutes], index
            last = uow.positions.last(truck)
            if minutes:
                assert last is not None and last.recorded_at == stored[-1]
                assert last.location.lat == 40 + minutes[-1]
            else:
                assert last is None
