"""Orders: exact round trips, bulk intake, paging, duplicate references."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from fleetline.clock import FixedClock
from fleetline.domain.errors import Conflict, NotFound
from fleetline.domain.model import LOAD_DIMENSIONS, Location, Order, OrderState, TimeWindow
from fleetline.domain.values import LARGEST_LOAD
from fleetline.store.unit_of_work import SqlUnitOfWork

from .store_builders import DAY, order, seed_master_data

pytestmark = pytest.mark.both_databases  # concurrent writers lock differently on each database

offsets = st.sampled_from([UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-7))])


@st.composite
def orders(draw: st.DrawFn) -> Order:
    """Valid orders with up to four disjoint windows and any loads."""
    zone = draw(offsets)
    moment = datetime(2025, 3, 14, 5, 0, tzinfo=UTC).astimezone(zone)
    windows = []
    for _ in range(draw(st.integers(1, 4))):
        gap = draw(st.integers(0, 3600 * 10**6))
        moment += timedelta(microseconds=gap)
        end = moment + timedelta(seconds=draw(st.integers(1, 4 * 3600)))
        windows.append(TimeWindow(moment, end))
        moment = end
    return Order(
        id=uuid.uuid4().hex,
        client_id="c1",
        date=draw(st.dates(date(2024, 1, 1), date(2030, 12, 31))),
        location=Location(
            draw(st.floats(-90, 90, allow_nan=False)), draw(st.floats(-180, 180, allow_nan=False))
        ),
        time_windows=tuple(draw(st.permutations(windows))),
        demand=draw(
            st.dictionaries(st.sampled_from(LOAD_DIMENSIONS), st.integers(0, LARGEST_LOAD))
        ),
        service_s=draw(st.integers(0, 8 * 3600)),
        required_skills=draw(
            st.frozensets(
                st.text(min_size=1, max_size=20).filter(lambda s: s.strip() and "\x00" not in s)
            )
        ),
        reference=f"R-{uuid.uuid4().hex}" if draw(st.booleans()) else None,
        address=draw(st.text(max_size=80).map(lambda s: s.replace("\x00", ""))),
        instructions=draw(st.text(max_size=80).map(lambda s: s.replace("\x00", ""))),
        state=draw(st.sampled_from(OrderState)),
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=st.lists(orders(), min_size=1, max_size=5))
def test_orders_round_trip_exactly(
    uow_factory: Callable[..., SqlUnitOfWork], drawn: list[Order]
) -> None:
    """Any valid order, several windows and loads included, comes back equal."""
    uow = uow_factory()
    with uow:
        seeded = uow.clients.get("c1") is not None
    if not seeded:
        seed_master_data(uow)
    with uow:
        uow.orders.add_many(drawn)
        uow.commit()
    with uow:
        for expected in drawn:
            assert uow.orders.get(expected.id) == expected
        assert uow.orders.get_many([o.id for o in drawn]) == sorted(drawn, key=lambda o: o.id)


def test_five_thousand_orders_in_one_call_and_pages(uow: SqlUnitOfWork) -> None:
    """5,000 orders go in with one call, quickly, and come back by day in pages."""
    seed_master_data(uow)
    batch = [order(f"o{i:05d}", reference=f"R-{i}") for i in range(5000)]
    other_day = order("x1", day=DAY + timedelta(days=1))
    with uow:
        uow.orders.add_many([*batch, other_day])
        uow.commit()
    with uow:
        assert uow.orders.count_by_date(DAY) == 5000
        pages = [uow.orders.list_by_date(DAY, limit=1000, offset=k) for k in range(0, 5000, 1000)]
        assert uow.orders.list_by_date(DAY, limit=1000, offset=5000) == []
        assert [o for page in pages for o in page] == batch
        assert uow.orders.list_by_date(DAY + timedelta(days=1)) == [other_day]
        assert uow.orders.existing_references(
            [("c1", "R-7"), ("c1", "R-99999"), ("c2", "R-7")]
        ) == {("c1", "R-7")}


def test_duplicate_reference_refuses_the_whole_batch(uow: SqlUnitOfWork) -> None:
    """A (client, reference) already stored raises Conflict on ``reference``; nothing is kept."""
    seed_master_data(uow, clients=2)
    with uow:
        uow.orders.add_many([order("o1", reference="PO-1")])
        uow.commit()
    with uow:
        with pytest.raises(Conflict) as caught:
            uow.orders.add_many([order("o2", reference="PO-2"), order("o3", reference="PO-1")])
        assert caught.value.field == "reference"
    with uow:
        with pytest.raises(Conflict) as caught:
            uow.orders.add_many([order("o4", reference="PO-9"), order("o5", reference="PO-9")])
        assert caught.value.field == "reference"
    with uow:
        again = order("o6", client_id="c2", reference="PO-1")
        uow.orders.add_many([again, order("o7"), order("o8")])
        uow.commit()
    with uow:
        assert [o.id for o in uow.orders.list_by_date(DAY)] == ["o1", "o6", "o7", "o8"]


def test_reference_clash_caught_by_the_database(uow: SqlUnitOfWork) -> None:
    """A clash the pre-check cannot see (a concurrent writer) is still a Conflict."""
    seed_master_data(uow)
    with uow:
        uow.orders.add_many([order("o1", reference="PO-1")])
        uow.commit()
    with uow:
        uow.orders.existing_references = lambda pairs: set()  # type: ignore[method-assign]
        with pytest.raises(Conflict) as caught:
            uow.orders.add_many([order("o2", reference="PO-1")])
        assert caught.value.field == "reference"


def test_update_stamps_updated_at(uow: SqlUnitOfWork, clock: FixedClock) -> None:
    """An update replaces the order and moves ``updated_at``, not ``created_at``."""
    seed_master_data(uow)
    with uow:
        uow.orders.add(order("o1"))
        uow.commit()
    with uow:
        created, updated = uow.orders.timestamps("o1") or (None, None)
        assert created == updated == datetime(2025, 3, 13, 17, 30, tzinfo=UTC)
    clock.advance(timedelta(minutes=5))
    start = datetime(2025, 3, 14, 13, 0, tzinfo=timezone(timedelta(hours=1)))
    changed = dataclasses.replace(
        order("o1"), time_windows=(TimeWindow(start, start + timedelta(hours=1)),)
    )
    with uow:
        uow.orders.update(changed)
        uow.commit()
    with uow:
        assert uow.orders.get("o1") == changed
        assert uow.orders.timestamps("o1") == (created, created + timedelta(minutes=5))
        with pytest.raises(NotFound):
            uow.orders.update(order("ghost"))


def test_revisions_count_every_store_of_an_order(uow: SqlUnitOfWork) -> None:
    """A reader keeping the day's orders asks only for their revisions: a new order starts
    at 1, every update adds one, and orders of other days are not in the answer."""
    seed_master_data(uow)
    with uow:
        uow.orders.add_many([order("o1"), order("o2"), order("o3", day=DAY + timedelta(days=1))])
        uow.commit()
    with uow:
        assert uow.orders.revisions_by_date(DAY) == {"o1": 1, "o2": 1}
    for _ in range(2):
        with uow:
            uow.orders.update(dataclasses.replace(order("o2"), service_s=600))
            uow.commit()
    with uow:
        assert uow.orders.revisions_by_date(DAY) == {"o1": 1, "o2": 3}
        revised = uow.orders.get_many_revised(["o2", "o1", "ghost"])
        assert {key: value[1] for key, value in revised.items()} == {"o1": 1, "o2": 3}
        assert revised["o2"][0].service_s == 600
