"""Options computed again after plan changes: once per change that they can still see."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from types import SimpleNamespace

from fleetline.bus import Context
from fleetline.clock import FixedClock
from fleetline.domain import events
from fleetline.domain.live import (
    AffectedOrder,
    ExceptionKind,
    ExceptionOption,
    ExceptionStatus,
    Impact,
    OperationalException,
)
from fleetline.operations.exceptions import ExceptionService, touched_by

from ..memory_store import MemoryStore, MemoryUnitOfWork

DAY = date(2026, 11, 26)


def _stored(store: MemoryStore, exception_id: str) -> OperationalException | None:
    with store.read() as uow:
        return uow.exceptions.get(exception_id)


def test_plan_changes_in_a_row_compute_waiting_options_once_more() -> None:
    """While an exception's options are being computed, five plan changes come in: its
    options are computed once more from the latest plan, not five times over, so the
    dispatcher gets current options sooner."""
    store, clock = MemoryStore(), FixedClock(datetime(2026, 11, 26, 9, 5, tzinfo=UTC))
    with MemoryUnitOfWork(store, clock) as uow:
        uow.exceptions.add(
            OperationalException(
                "exc_1",
                ExceptionKind.BREAKDOWN,
                ExceptionStatus.OPEN,
                datetime(2026, 11, 26, 9, tzinfo=UTC),
                DAY,
                "Truck 01 broke down",
            )
        )
        uow.commit()
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def finder(_snapshot: object, _exception: OperationalException) -> list[ExceptionOption]:
        calls.append(len(calls))
        started.set()
        release.wait(10)
        return []

    live = SimpleNamespace(refresh=lambda _day=None: SimpleNamespace(snapshot=None))
    service = ExceptionService(
        lambda: MemoryUnitOfWork(store, clock),
        Context(clock=clock),
        live,  # type: ignore[arg-type]
        {ExceptionKind.BREAKDOWN: finder},
    )
    try:
        service.recompute("exc_1")
        assert started.wait(10)
        for _ in range(5):
            service.recompute("exc_1")
        release.set()
        service.wait()
    finally:
        service.close()
    assert len(calls) == 2
    ready = _stored(store, "exc_1")
    assert ready is not None and ready.options_ready_at is not None
    assert len(store.events(events.ExceptionOptionsReady)) == 2


def _revision(vehicles: tuple[str, ...] = (), orders: tuple[str, ...] = ()) -> events.PlanRevised:
    return events.PlanRevised(
        occurred_at=datetime(2026, 11, 26, 10, tzinfo=UTC),
        plan_id="pln_2",
        date=DAY,
        version=2,
        previous_plan_id="pln_1",
        trigger="window_change",
        changed_vehicles=vehicles,
        moved_orders=orders,
    )


def test_a_revision_of_other_trucks_leaves_an_exceptions_options_as_they_are() -> None:
    """Truck 1 broke down and its best option moves its stops o1, o2 to truck 2. A re-plan
    of trucks 5 and 6 changes nothing that option relies on: its options stay and are not
    solved again; a re-plan of truck 2, or one that moves o1, makes them be solved again,
    and so does any revision while the options are not computed yet."""
    option = ExceptionOption(
        "opt_1",
        "redistribute",
        "Truck 02 takes o1, o2",
        Impact(0, 0.0, 1000, 0, 10.0),
        1,
        changes={"routes": {"veh_2": ["o9", "o1", "o2"]}},
    )
    affected = tuple(AffectedOrder(o, "cli_1", "Client", 3, None, None, None) for o in ("o1", "o2"))
    broken = OperationalException(
        "exc_1",
        ExceptionKind.BREAKDOWN,
        ExceptionStatus.OPEN,
        datetime(2026, 11, 26, 9, tzinfo=UTC),
        DAY,
        "Truck 01 broke down",
        vehicle_id="veh_1",
        affected=affected,
        options=(option,),
    )
    assert not touched_by(broken, _revision(("veh_5", "veh_6"), ("o7",)))
    assert touched_by(broken, _revision(("veh_2",)))
    assert touched_by(broken, _revision(("veh_5",), ("o1",)))
    assert touched_by(broken, _revision(("veh_5",), ("o9",)))
    waiting = OperationalException(
        "exc_2",
        ExceptionKind.BREAKDOWN,
        ExceptionStatus.OPEN,
        datetime(2026, 11, 26, 9, tzinfo=UTC),
        DAY,
        "Truck 03 broke down",
        vehicle_id="veh_3",
    )
    assert touched_by(waiting, _revision(("veh_5",)))
