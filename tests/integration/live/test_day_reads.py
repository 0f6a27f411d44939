"""The live picture keeps the day's orders and plan between refreshes: after every kind of
change a dispatcher, a client or a driver makes, it shows exactly what reading everything
again from the store shows."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from fleetline.domain.access import Role
from fleetline.domain.model import OrderState
from fleetline.domain.snapshot import DaySnapshot
from fleetline.operations.day_reads import DayReads
from fleetline.operations.snapshot import build_snapshot

from ..api_client import DAY, Company, order_body, window
from .conftest import MORNING, Day, report


def _both(day: Day, reads: DayReads) -> tuple[DaySnapshot, DaySnapshot]:
    with day.api.services.uow_factory() as uow:
        kept = build_snapshot(uow, date.fromisoformat(DAY), MORNING, None, reads)
    with day.api.services.uow_factory() as uow:
        fresh = build_snapshot(uow, date.fromisoformat(DAY), MORNING)
    return kept, fresh


def _stop(snapshot: DaySnapshot, order_id: str) -> object:
    return next(
        stop
        for run in snapshot.vehicles
        for stop in (*run.remaining, *snapshot.unplanned)
        if stop.order_id == order_id
    )


def test_kept_reads_follow_every_change_of_the_day(day: Day, company: Company) -> None:
    """A changed window, a completed and a failed stop, a new order, a client's new
    priority and a manual edit (a new live version) each show at the next refresh, the
    same as a full read."""
    reads = DayReads()
    kept, fresh = _both(day, reads)
    assert kept == fresh and kept.plan_version == 1

    changed = day.stop_of(0, 1)
    patched = day.api.patch(
        f"/api/v1/orders/{changed}", {"time_windows": [window("09:00", "10:00")]}
    )
    assert patched.status_code == 200
    kept, fresh = _both(day, reads)
    assert kept == fresh
    assert _stop(kept, changed).time_windows[0].start.hour == 9  # type: ignore[attr-defined]

    first = day.stop_of(0, 0)
    assert report(day, first, "arrived", "08:10").status_code == 200
    assert report(day, first, "completed", "08:20").status_code == 200
    failed = day.stop_of(1, 0)
    assert report(day, failed, "arrived", "08:15").status_code == 200
    answer = report(day, failed, "failed", "08:25", reason="client_absent")
    assert answer.status_code == 200
    kept, fresh = _both(day, reads)
    assert kept == fresh
    run = next(r for r in kept.vehicles if first in r.completed)
    assert first not in [s.order_id for s in run.remaining]
    assert any(failed in r.failed for r in kept.vehicles)

    added = day.api.post(
        "/api/v1/orders",
        order_body(company.client_ids[0], time_windows=[window("13:00", "15:00")], reference="N-1"),
    ).json()
    kept, fresh = _both(day, reads)
    assert kept == fresh
    [new_id] = [o["id"] for o in (added if isinstance(added, list) else [added])]
    assert _stop(kept, new_id).state is OrderState.OPEN  # type: ignore[attr-defined]

    client_id = company.client_ids[1]
    moved = day.api.patch(f"/api/v1/clients/{client_id}", {"priority": 1}, role=Role.ADMIN)
    assert moved.status_code == 200
    kept, fresh = _both(day, reads)
    assert kept == fresh
    assert all(
        stop.priority == 1
        for run in kept.vehicles
        for stop in run.remaining
        if stop.client_id == client_id
    )

    first_truck, second_truck = sorted(day.routes)
    edit = day.api.post(
        f"/api/v1/plans/{day.plan['id']}/edits",
        {"moves": [{"order_id": day.stop_of(0, 2), "vehicle_id": second_truck, "position": 1}]},
    )
    assert edit.status_code in (200, 201), edit.text
    kept, fresh = _both(day, reads)
    assert kept == fresh and kept.plan_version == 2
    on_second = next(r for r in kept.vehicles if r.vehicle_id == second_truck)
    assert on_second.remaining[0].order_id == day.stop_of(0, 2)
    assert first_truck != second_truck


def test_an_order_moved_to_another_day_leaves_the_day(day: Day) -> None:
    """An order of the day that a full read no longer finds is gone from the kept reads
    too: nothing stays behind from an earlier refresh."""
    reads = DayReads()
    _both(day, reads)
    order_id = day.stop_of(1, 1)
    with day.api.services.uow_factory() as uow:
        stored = uow.orders.get(order_id)
        assert stored is not None
        uow.orders.update(replace(stored, date=date(2026, 11, 27)))
        uow.commit()
    kept, fresh = _both(day, reads)
    assert kept == fresh
    assert order_id not in [stop.order_id for run in kept.vehicles for stop in run.remaining]
