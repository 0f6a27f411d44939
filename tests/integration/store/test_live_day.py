"""The live day's store: vehicle states, stop reports, traffic, exceptions, ETA predictions
and re-planning policies, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings, strategies as st

from fleetline.clock import FixedClock
from fleetline.domain.errors import Conflict, NotFound
from fleetline.domain.live import (
    AffectedOrder,
    Area,
    ExceptionKind,
    ExceptionOption,
    ExceptionStatus,
    FailureReason,
    Impact,
    IncidentKind,
    OperationalException,
    ReplanMode,
    ReplanTrigger,
    Risk,
    StopEvent,
    StopEventType,
    TrafficIncident,
    VehicleState,
    VehicleStatus,
)
from fleetline.domain.model import Location
from fleetline.store import tables as t
from fleetline.store.unit_of_work import SqlUnitOfWork

from .store_builders import DAY, order, seed_master_data

pytestmark = pytest.mark.both_databases  # upserts and time stamps are SQL of each dialect

CET = timezone(timedelta(hours=1))
T0 = datetime(2025, 3, 14, 9, 30, 0, 123456, tzinfo=CET)

HYPOTHESIS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

offsets = st.sampled_from([UTC, CET, timezone(timedelta(hours=-7, minutes=-30))])
moments = st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31), timezones=offsets)
texts = st.text(max_size=40).map(lambda s: s.replace("\x00", ""))
locations = st.builds(Location, st.floats(-90, 90), st.floats(-180, 180))
areas = st.one_of(
    st.builds(Area, center=locations, radius_m=st.floats(1, 100_000)),
    st.builds(Area, polygon=st.lists(locations, min_size=3, max_size=8).map(tuple)),
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


def stop_event(event_id: str, order_id: str = "o1", **changes: object) -> StopEvent:
    recorded_at = T0 + timedelta(seconds=3, microseconds=1)
    base = StopEvent(event_id, order_id, "v1", StopEventType.ARRIVED, T0, recorded_at)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def seed_orders(uow: SqlUnitOfWork, *orders_: str, day: date = DAY) -> None:
    with uow:
        uow.orders.add_many([order(o, day=day) for o in orders_])
        uow.commit()


def test_vehicle_states_upsert_and_list(uow: SqlUnitOfWork) -> None:
    """A vehicle's status is replaced, never doubled; an unknown vehicle is reported."""
    seed_master_data(uow)
    broken = VehicleState("v1", VehicleStatus.BROKEN_DOWN, T0, "flat tyre on the A13")
    with uow:
        assert uow.vehicle_states.get("v1") is None
        uow.vehicle_states.put(broken)
        uow.commit()
    with uow:
        assert uow.vehicle_states.get("v1") == broken
        resumed = VehicleState("v1", VehicleStatus.ON_DUTY, T0 + timedelta(hours=1))
        uow.vehicle_states.put(resumed)
        uow.commit()
    with uow:
        assert uow.vehicle_states.list() == [resumed]
    with uow, pytest.raises(NotFound) as caught:
        uow.vehicle_states.put(VehicleState("ghost", VehicleStatus.DELAYED, T0))
    assert caught.value.field == "vehicle_id"


def test_stop_events_round_trip_by_order_and_by_day(uow: SqlUnitOfWork) -> None:
    """Reports come back equal, in time order, per order and per day of their orders."""
    seed_master_data(uow)
    seed_orders(uow, "o1", "o2")
    seed_orders(uow, "x1", day=DAY + timedelta(days=1))
    en_route = stop_event("e1", type=StopEventType.EN_ROUTE, at=T0 - timedelta(minutes=20))
    arrived = stop_event("e2")
    failed = stop_event(
        "e3",
        type=StopEventType.FAILED,
        at=T0 + timedelta(minutes=4),
        reason=FailureReason.CLIENT_ABSENT,
        note="nobody at the door",
        proof="photo:abc123",
    )
    other = stop_event("e4", order_id="o2", at=T0 - timedelta(minutes=1))
    tomorrow = stop_event("e5", order_id="x1")
    with uow:
        for event in (failed, arrived, en_route, other, tomorrow):
            assert uow.stop_events.add(event) is True
        uow.commit()
    with uow:
        assert uow.stop_events.for_order("o1") == [en_route, arrived, failed]
        assert uow.stop_events.for_day(DAY) == [en_route, other, arrived, failed]
        assert uow.stop_events.for_day(DAY + timedelta(days=1)) == [tomorrow]
        assert uow.stop_events.for_order("nope") == []


def test_replayed_stop_report_is_stored_once_and_the_transaction_goes_on(
    uow: SqlUnitOfWork,
) -> None:
    """A retried or replayed report counts once, and the rest of its transaction is kept."""
    seed_master_data(uow)
    seed_orders(uow, "o1")
    first = stop_event("e1")
    with uow:
        assert uow.stop_events.add(first) is True
        uow.commit()
    same_instant = T0.astimezone(UTC)
    with uow:
        assert uow.stop_events.add(first) is False
        assert uow.stop_events.add(stop_event("e9", at=same_instant, note="again")) is False
        assert uow.stop_events.add(stop_event("e2", type=StopEventType.COMPLETED)) is True
        assert uow.stop_events.add(stop_event("e3", type=StopEventType.COMPLETED)) is False
        uow.vehicle_states.put(VehicleState("v1", VehicleStatus.DELAYED, T0))
        uow.commit()
    with uow:
        assert [e.id for e in uow.stop_events.for_order("o1")] == ["e1", "e2"]
        assert uow.stop_events.for_order("o1")[0] == first
        assert uow.vehicle_states.get("v1") == VehicleState("v1", VehicleStatus.DELAYED, T0)


def test_stop_event_clashes_and_unknown_references(uow: SqlUnitOfWork) -> None:
    """Another report under a taken id is a conflict; an unknown order is reported."""
    seed_master_data(uow)
    seed_orders(uow, "o1")
    with uow:
        uow.stop_events.add(stop_event("e1"))
        uow.commit()
    with uow, pytest.raises(Conflict) as caught:
        uow.stop_events.add(stop_event("e1", type=StopEventType.COMPLETED))
    assert caught.value.field == "id"
    with uow, pytest.raises(NotFound):
        uow.stop_events.add(stop_event("e2", order_id="ghost"))
    with uow:
        assert uow.stop_events.for_order("o1") == [stop_event("e1")]


@st.composite
def incidents(draw: st.DrawFn) -> TrafficIncident:
    """Valid closures and slowdowns over circles and polygons, open-ended or not."""
    kind = draw(st.sampled_from(IncidentKind))
    starts_at = draw(moments)
    ends_at = None
    if draw(st.booleans()):
        ends_at = starts_at + timedelta(microseconds=draw(st.integers(1, 10**12)))
    return TrafficIncident(
        id=uuid.uuid4().hex,
        kind=kind,
        area=draw(areas),
        starts_at=starts_at,
        ends_at=ends_at,
        factor=draw(st.floats(1, 20, exclude_min=True)) if kind is IncidentKind.SLOWDOWN else None,
        source=draw(st.sampled_from(["api", "telematics", "tomtom"])),
        note=draw(texts),
    )


@HYPOTHESIS
@given(drawn=st.lists(incidents(), min_size=1, max_size=4))
def test_incidents_round_trip_exactly(
    uow_factory: Callable[..., SqlUnitOfWork], drawn: list[TrafficIncident]
) -> None:
    """Any incident, its circle or polygon included, comes back equal."""
    uow = uow_factory()
    with uow:
        for incident in drawn:
            uow.traffic.add(incident)
        uow.commit()
    with uow:
        for incident in drawn:
            assert uow.traffic.get(incident.id) == incident


def test_active_incidents_at_a_moment(uow: SqlUnitOfWork) -> None:
    """An incident counts from its start, up to but not including its end."""
    circle = Area(center=Location(47.14, 9.52), radius_m=800)
    closure = TrafficIncident("i1", IncidentKind.CLOSURE, circle, T0, T0 + timedelta(hours=1))
    open_ended = TrafficIncident(
        "i2", IncidentKind.SLOWDOWN, circle, T0 + timedelta(minutes=30), factor=1.5
    )
    with uow:
        uow.traffic.add(open_ended)
        uow.traffic.add(closure)
        uow.commit()
    with uow:
        assert uow.traffic.active(T0 - timedelta(microseconds=1)) == []
        assert uow.traffic.active(T0.astimezone(UTC)) == [closure]
        assert uow.traffic.active(T0 + timedelta(minutes=30)) == [closure, open_ended]
        assert uow.traffic.active(T0 + timedelta(hours=1)) == [open_ended]
        assert uow.traffic.active(T0 + timedelta(days=400)) == [open_ended]
        assert uow.traffic.get("nope") is None


def test_incident_update_keeps_its_creation_time(uow: SqlUnitOfWork, clock: FixedClock) -> None:
    """Ending an incident early is stored; when it was reported stays; a ghost is NotFound."""
    square = Area(
        polygon=(Location(47.0, 9.0), Location(47.0, 9.1), Location(47.1, 9.1), Location(47.1, 9.0))
    )
    closure = TrafficIncident("i1", IncidentKind.CLOSURE, square, T0, note="landslide")
    with uow:
        uow.traffic.add(closure)
        uow.commit()
    reported = clock.now()
    clock.advance(timedelta(hours=1))
    ended = dataclasses.replace(closure, ends_at=T0 + timedelta(minutes=45), note="cleared")
    with uow:
        uow.traffic.update(ended)
        uow.commit()
    with uow:
        assert uow.traffic.get("i1") == ended
        assert uow.traffic.active(T0 + timedelta(hours=1)) == []
        created = uow.session.execute(sa.select(t.traffic_incidents.c.created_at)).scalar_one()
        assert created == reported
        with pytest.raises(NotFound):
            uow.traffic.update(dataclasses.replace(closure, id="ghost"))
        with pytest.raises(Conflict):
            uow.traffic.add(closure)


impacts = st.builds(
    Impact,
    late_orders=st.integers(0, 10_000),
    priority_weighted_lateness=st.floats(0, 1e9),
    extra_distance_m=st.integers(-(10**7), 10**7),
    overtime_s=st.integers(0, 10**6),
    cost=st.floats(-1e9, 1e9),
    unserved_orders=st.integers(0, 10_000),
    clients_to_notify=st.integers(0, 10_000),
)
options = st.builds(
    ExceptionOption,
    id=st.text(min_size=1, max_size=20),
    kind=st.sampled_from(["reassign", "postpone", "split", "wait"]),
    summary=st.text(max_size=60),
    impact=impacts,
    rank=st.integers(1, 10),
    changes=st.dictionaries(st.text(max_size=10), json_values, max_size=4),
)
affected_orders = st.builds(
    AffectedOrder,
    order_id=st.text(min_size=1, max_size=20),
    client_id=st.text(min_size=1, max_size=20),
    client_name=st.text(max_size=40),
    priority=st.integers(1, 5),
    eta=st.none() | moments,
    window_end=st.none() | moments,
    risk=st.none() | st.sampled_from(Risk),
)
optional_ids = st.none() | st.text(min_size=1, max_size=20).map(lambda s: s.replace("\x00", "_"))


@st.composite
def exceptions(draw: st.DrawFn) -> OperationalException:
    """Exceptions in any status, with affected orders and options whose changes are any JSON."""
    return OperationalException(
        id=uuid.uuid4().hex,
        kind=draw(st.sampled_from(ExceptionKind)),
        status=draw(st.sampled_from(ExceptionStatus)),
        opened_at=draw(moments),
        date=draw(st.dates(date(2024, 1, 1), date(2030, 12, 31))),
        summary=draw(texts),
        vehicle_id=draw(optional_ids),
        order_id=draw(optional_ids),
        affected=tuple(draw(st.lists(affected_orders, max_size=4))),
        options=tuple(draw(st.lists(options, max_size=4))),
        options_ready_at=draw(st.none() | moments),
        resolved_at=draw(st.none() | moments),
        chosen_option_id=draw(optional_ids),
        resolved_by=draw(st.none() | texts),
        plan_id=draw(optional_ids),
    )


@HYPOTHESIS
@given(drawn=st.lists(exceptions(), min_size=1, max_size=3))
def test_exceptions_round_trip_exactly(
    uow_factory: Callable[..., SqlUnitOfWork], drawn: list[OperationalException]
) -> None:
    """Any exception, with its affected orders and options (impacts, changes), comes back equal."""
    uow = uow_factory()
    with uow:
        for exception in drawn:
            uow.exceptions.add(exception)
        uow.commit()
    with uow:
        for exception in drawn:
            assert uow.exceptions.get(exception.id) == exception


def breakdown(exception_id: str, opened_at: datetime, day: date = DAY) -> OperationalException:
    summary = "Truck v1 broke down near Vaduz"
    kind, status = ExceptionKind.BREAKDOWN, ExceptionStatus.OPEN
    return OperationalException(exception_id, kind, status, opened_at, day, summary, "v1")


def test_exceptions_list_newest_first_and_update(uow: SqlUnitOfWork) -> None:
    """The inbox shows the newest first, by day and status; resolving one is stored."""
    first = breakdown("x1", T0)
    second = breakdown("x2", T0 + timedelta(minutes=5))
    other_day = breakdown("x3", T0 + timedelta(days=1), day=DAY + timedelta(days=1))
    with uow:
        for exception in (first, other_day, second):
            uow.exceptions.add(exception)
        uow.commit()
    resolved = dataclasses.replace(
        first,
        status=ExceptionStatus.RESOLVED,
        resolved_at=T0 + timedelta(minutes=9),
        chosen_option_id="opt-2",
        resolved_by="dispatcher:anna",
        plan_id="p7",
    )
    with uow:
        uow.exceptions.update(resolved)
        uow.commit()
    with uow:
        assert uow.exceptions.list() == [other_day, second, resolved]
        assert uow.exceptions.list(day=DAY) == [second, resolved]
        assert uow.exceptions.list(day=DAY, status=ExceptionStatus.OPEN) == [second]
        assert uow.exceptions.list(status=ExceptionStatus.DISMISSED) == []
        assert uow.exceptions.get("nope") is None
        with pytest.raises(NotFound):
            uow.exceptions.update(breakdown("ghost", T0))
        with pytest.raises(Conflict):
            uow.exceptions.add(first)


def test_replan_policies_upsert(uow: SqlUnitOfWork) -> None:
    """Setting a trigger's policy twice keeps the last one; unset triggers have none."""
    with uow:
        assert uow.replan_policies.get(ReplanTrigger.BREAKDOWN) is None
        assert uow.replan_policies.all() == {}
        uow.replan_policies.put(ReplanTrigger.BREAKDOWN, ReplanMode.APPROVE, None)
        uow.replan_policies.put(ReplanTrigger.VEHICLE_LATE, ReplanMode.AUTO, 900)
        uow.commit()
    with uow:
        uow.replan_policies.put(ReplanTrigger.BREAKDOWN, ReplanMode.AUTO, 600)
        uow.commit()
    with uow:
        assert uow.replan_policies.get(ReplanTrigger.BREAKDOWN) == (ReplanMode.AUTO, 600)
        assert uow.replan_policies.all() == {
            ReplanTrigger.BREAKDOWN: (ReplanMode.AUTO, 600),
            ReplanTrigger.VEHICLE_LATE: (ReplanMode.AUTO, 900),
        }


def test_eta_predictions_in_bulk(uow: SqlUnitOfWork) -> None:
    """Thousands of predictions go in with one call and come back per order, oldest first."""
    seed_master_data(uow)
    seed_orders(uow, *(f"o{i:03d}" for i in range(200)))
    predictions = [
        (f"o{i:03d}", "v1", T0 + timedelta(minutes=k), T0 + timedelta(hours=2, seconds=i + k))
        for k in range(10, 0, -1)
        for i in range(200)
    ]
    with uow:
        uow.eta_predictions.add_many(predictions)
        uow.eta_predictions.add_many([])
        uow.commit()
    with uow:
        found = uow.eta_predictions.for_orders(["o007", "o150", "ghost"])
        expected = sorted((o, at, eta) for o, _, at, eta in predictions if o in {"o007", "o150"})
        assert found == expected
        assert len(uow.eta_predictions.for_orders(f"o{i:03d}" for i in range(200))) == 2000
        with pytest.raises(NotFound):
            uow.eta_predictions.add_many([("ghost", "v1", T0, T0)])
