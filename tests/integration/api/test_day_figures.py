"""The day's figures from a constructed day in the store, on SQLite and PostgreSQL:
plan adherence against the morning plan, options-ready and response times from the
event log, and the same figures day by day over a range."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from fleetline.domain import events
from fleetline.domain.access import Role
from fleetline.domain.live import Position, StopEvent, VehicleState, VehicleStatus
from fleetline.domain.model import Location, Order, OrderState, TimeWindow
from fleetline.operations.kpi_days import kpis_of_days
from tests.unit.operations.figure_days import DAY, at, exception, plan, report

from ..api_client import Api, Company


def _order(order_id: str, client_id: str, state: OrderState) -> Order:
    return Order(
        order_id,
        client_id,
        DAY,
        Location(47.14, 9.52),
        (TimeWindow(at("07:00"), at("12:00")),),
        {"weight_kg": 100},
        300,
        reference=f"R-{order_id}",
        state=state,
    )


@pytest.fixture
def built_day(api: Api, company: Company) -> dict[str, Any]:
    """Two trucks; the morning plan (v1, 06:00) and a re-plan (v2, 09:00) that moved
    p2 to the first truck; the stops as served; one exception decided after 10 minutes
    whose options were first ready after 20 s and computed again at 09:05."""
    v1, v2 = company.vehicle_ids
    client = company.client_ids[0]
    served = ["o1", "o2", "o3", "o4", "p1", "p2"]
    morning = plan(
        {v1: ["o1", "o2", "o3", "o4"], v2: ["p1", "p2"]},
        plan_id="pln_morning",
        version=1,
        dispatched_at=at("06:00"),
    )
    replanned = plan(
        {v1: ["o1", "o3", "o2", "o4", "p2"], v2: ["p1"]},
        plan_id="pln_replan",
        version=2,
        dispatched_at=at("09:00"),
    )
    reports: list[StopEvent] = [
        report("o1", v1, "completed", "08:30"),
        report("o3", v1, "completed", "09:00"),
        report("o2", v1, "completed", "09:30"),
        report("o4", v1, "completed", "10:00"),
        report("p2", v1, "completed", "10:30"),
        report("p1", v2, "arrived", "08:30"),
        report("p1", v2, "completed", "08:40"),
        report("f1", v2, "failed", "09:15"),
    ]
    opened = exception("exc_1", "09:00", ready="09:05", resolved="09:10")
    with api.services.uow_factory() as uow:
        uow.orders.add_many(
            [_order(o, client, OrderState.COMPLETED) for o in served]
            + [_order("f1", client, OrderState.FAILED)]
        )
        uow.plans.add(morning)
        uow.plans.add(replanned)
        uow.plans.set_live(DAY, replanned.id)
        for stop_report in reports:
            uow.stop_events.add(stop_report)
        uow.exceptions.add(opened)
        for when, seconds in (("09:00:20", 20.0), ("09:05", 300.0)):
            uow.record(
                events.ExceptionOptionsReady(
                    occurred_at=at(when),
                    exception_id="exc_1",
                    options=2,
                    seconds_after_event=seconds,
                )
            )
        uow.commit()
    return {"v1": v1, "v2": v2}


def _kpis(api: Api, **params: Any) -> Any:
    return api.get("/api/v1/kpis", **params)


def test_plan_adherence_is_measured_against_the_morning_plan(
    api: Api, built_day: dict[str, Any]
) -> None:
    """The first truck drove o1, o3, o2, o4 (planned 1-2-3-4) and took p2 from the
    second truck: a dispatcher reads 2 of 3 pairs kept, 5 of 6 stops on their planned
    truck and arrivals 25 minutes off the plan on average, against the morning plan even
    though a re-plan is live."""
    response = _kpis(api, date=DAY.isoformat())
    assert response.status_code == 200, response.text
    figures = response.json()
    adherence = figures["plan_adherence"]
    assert adherence["plan_id"] == "pln_morning" and adherence["plan_version"] == 1
    assert adherence["stops_compared"] == 6 and adherence["stops_added"] == 0
    assert (adherence["sequence_pairs"], adherence["sequence_kept"]) == (3, 2)
    assert adherence["sequence_kept_share"] == 0.6667
    assert adherence["on_planned_truck"] == 5
    assert adherence["on_planned_truck_share"] == 0.8333
    assert adherence["arrival_diff_s_mean"] == 1500.0
    assert adherence["arrival_diff_s_median"] == 900.0
    assert adherence["arrival_delay_s_mean"] == 900.0
    assert figures["orders_completed"] == 6 and figures["orders_failed"] == 1
    assert figures["on_time_rate"] == 0.8333 and figures["late_orders"] == 1
    assert figures["distance_m"] == 60_000 and figures["plan_versions"] == 2


def test_overtime_is_what_the_trucks_worked_past_their_shift_once_they_report(
    api: Api, built_day: dict[str, Any]
) -> None:
    """Shifts end at 16:00 in Vaduz (15:00 UTC) and the live plan plans no overtime. The
    first truck is back at the depot at 15:40 UTC after its last stop (a later ping there
    does not count), the second is last seen away from it at 15:20 UTC: 40 + 20 minutes
    worked past the shift, which the dispatcher reads as the day's overtime, the plan's
    figure kept apart; a day nobody worked has no actual figure; a truck broken down
    before its shift's end worked none after it."""
    depot, away = Location(47.1701, 9.5001), Location(47.14, 9.52)
    seen = [
        (built_day["v1"], away, "10:45"),
        (built_day["v1"], depot, "15:40"),
        (built_day["v1"], depot, "16:30"),
        (built_day["v2"], away, "15:20"),
    ]
    with api.services.uow_factory() as uow:
        uow.positions.ingest([Position(v, where, at(when), at(when)) for v, where, when in seen])
        uow.commit()
    figures = _kpis(api, date=DAY.isoformat()).json()
    assert figures["overtime_actual_s"] == 60 * 60
    assert figures["overtime_planned_s"] == 0
    assert figures["overtime_s"] == 60 * 60
    quiet = _kpis(api, date=(DAY + timedelta(days=1)).isoformat()).json()
    assert quiet["overtime_actual_s"] is None and quiet["overtime_s"] == 0
    with api.services.uow_factory() as uow:  # the second truck broke down at 15:00 local
        uow.vehicle_states.put(
            VehicleState(built_day["v2"], VehicleStatus.BROKEN_DOWN, at("14:00"))
        )
        uow.commit()
    assert api.services.figures is not None
    api.services.figures.forget()  # written to the store directly, not through a command
    assert _kpis(api, date=DAY.isoformat()).json()["overtime_actual_s"] == 40 * 60


def test_time_to_options_is_the_first_computation_from_the_event_log(
    api: Api, built_day: dict[str, Any]
) -> None:
    """Options were first ready 20 s after the breakdown and computed again at 09:05:
    the day shows 20 s to options (what the dispatcher waited), 10 minutes to decide."""
    figures = _kpis(api, date=DAY.isoformat()).json()
    assert figures["options_ready_s_median"] == 20.0
    assert figures["options_ready_s_p90"] == 20.0
    assert figures["exception_response_s_median"] == 600.0
    assert figures["exception_response_s_p90"] == 600.0
    assert figures["exceptions"] == 1 and figures["exceptions_resolved"] == 1


def test_a_range_of_days_has_one_figure_per_day_equal_to_the_single_day(
    api: Api, built_day: dict[str, Any]
) -> None:
    """Three days around the built one: three objects oldest first, the middle one the
    same as ``/kpis?date=``, the empty days saying zero orders and no rate."""
    single = _kpis(api, date=DAY.isoformat()).json()
    first, last = DAY - timedelta(days=1), DAY + timedelta(days=1)
    response = api.get("/api/v1/kpis/days", **{"from": first.isoformat(), "to": last.isoformat()})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from"], body["to"]) == (first.isoformat(), last.isoformat())
    assert [d["date"] for d in body["days"]] == [
        (first + timedelta(days=n)).isoformat() for n in range(3)
    ]
    assert body["days"][1] == single
    for empty in (body["days"][0], body["days"][2]):
        assert empty["orders"] == 0 and empty["on_time_rate"] is None
        assert empty["plan_adherence"]["sequence_kept_share"] is None
    with api.services.uow_factory() as uow:
        days = kpis_of_days(uow, first, last)
    assert [d.orders for d in days] == [0, 7, 0]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-11-27", "to": "2026-11-26"}, "from"),
        ({"from": "2026-01-01", "to": "2026-11-26"}, "to"),
        ({"from": "26.11.2026", "to": "2026-11-26"}, "from"),
        ({"to": "tomorrow"}, "to"),
    ],
)
def test_a_bad_range_is_refused_naming_the_field(
    api: Api, params: dict[str, str], field: str
) -> None:
    """A range backwards, longer than 92 days or with an unreadable day is a 422 that
    names ``from`` or ``to``, so an integrator knows which one to fix."""
    response = api.get("/api/v1/kpis/days", **params)
    assert response.status_code == 422, response.text
    fields = [d["field"] for d in response.json()["error"]["details"]]
    assert any(f.endswith(field) for f in fields), fields


def test_the_range_is_for_staff_only(api: Api) -> None:
    """A driver's token cannot read the company's figures."""
    response = api.get("/api/v1/kpis/days", role=Role.DRIVER)
    assert response.status_code == 403
