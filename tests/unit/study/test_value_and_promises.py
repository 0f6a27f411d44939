"""The annual value of the measured differences, and the promises set against them."""

from __future__ import annotations

import pytest

from fleetline.sim.modes import OperatorModel
from fleetline.study.config import Fleet, StudyConfig, UnitCosts
from fleetline.study.measures import day_cost, day_measures
from fleetline.study.summary import (
    MET,
    NOT_MET,
    NOT_SETTLED,
    PROMISES,
    UNDEFINED,
    Group,
    annual_value,
    row,
    verdict,
)

COSTS = UnitCosts(
    driver_hour=30, overtime_hour=50, km=1.0, inquiry_min=6, agent_hour=40, redelivery=20,
    working_days=250,
)  # fmt: skip


def _measures(**values: float | None) -> dict[str, float | None]:
    base: dict[str, float | None] = {
        "driver_hours": 0.0, "overtime_h": 0.0, "km_driven": 0.0, "inquiries": 0.0,
        "not_delivered": 0.0,
    }  # fmt: skip
    return {**base, **values}


def test_a_day_cost_prices_each_line_at_its_unit_cost() -> None:
    """2 h overtime at 50, 100 km at 1, 10 inquiries of 6 min at 40/h, 3 redeliveries at
    20 and 8 driver hours at 30: each line as stated, so the value can be checked by hand."""
    cost = day_cost(
        _measures(driver_hours=8, overtime_h=2, km_driven=100, inquiries=10, not_delivered=3),
        COSTS,
    )
    assert cost == {
        "driver hours": 240,
        "overtime": 100,
        "kilometres": 100,
        "inquiries": pytest.approx(40),
        "redeliveries": 60,
    }


def test_the_annual_value_is_the_daily_saving_times_the_working_days() -> None:
    """Siloed days with 2 and 4 h overtime, unified with 1 and 1 h: a saving of 2 h a day
    on average, 100 EUR a day at 50/h, 25,000 EUR over 250 days; at 60 trucks measured on
    30, twice that."""
    group = Group(
        30,
        1.0,
        (1, 2),
        (_measures(overtime_h=2), _measures(overtime_h=4)),
        (_measures(overtime_h=1), _measures(overtime_h=1)),
    )
    config = StudyConfig(fleets=(Fleet(30, 2),), costs=COSTS, value_trucks=30)
    value = annual_value(config, group)
    assert value.per_day["overtime"].mean == pytest.approx(100)
    assert value.per_year["overtime"].mean == pytest.approx(25_000)
    assert value.per_year["total"].mean == pytest.approx(25_000)
    assert value.lines["overtime"] == (pytest.approx(150), pytest.approx(50))
    doubled = annual_value(StudyConfig(costs=COSTS, value_trucks=60), group)
    assert doubled.per_year["total"].mean == pytest.approx(50_000)


def _group(
    key: str, siloed: list[float], unified: list[float], calls: list[float] | None = None
) -> Group:
    """Pairs of days with one measure (and, for inquiries, the calls behind them)."""

    def day(value: float, n: int) -> dict[str, float | None]:
        measures: dict[str, float | None] = {key: value}
        if calls is not None:
            measures["inquiries"] = calls[n]
        return measures

    return Group(
        30,
        1.0,
        tuple(range(len(siloed))),
        tuple(day(v, n) for n, v in enumerate(siloed)),
        tuple(day(v, n) for n, v in enumerate(unified)),
    )


def test_promises_read_met_exceeded_or_not_met_only_when_the_interval_says_so() -> None:
    """On-time +10 points on every seed is met, +20 exceeds, +3 is not met; inquiries
    down 50 % on two seeds that disagree (-5 and -10 calls per 100) leave an interval
    from far below to far above the -35 to -55 % promise: not settled, with the measured
    value, never "met"; down 10 % on both seeds is not met."""
    on_time, inquiries, _, response = PROMISES
    assert verdict(on_time, _group("on_time_pct", [80, 82], [90, 92])).words.startswith("met")
    assert verdict(on_time, _group("on_time_pct", [70, 70], [90, 90])).words.startswith("exceeded")
    low = verdict(on_time, _group("on_time_pct", [80, 80], [83, 83]))
    assert low.state == NOT_MET and low.met is False and "3.0 points" in low.words
    half = verdict(inquiries, _group("inquiries_per_100", [10, 20], [5, 10], calls=[45, 90]))
    assert half.state == NOT_SETTLED and half.met is None
    assert half.words.startswith("not settled: reduction of 50.0 %")
    assert "more seeds would settle it" in half.words
    tenth = verdict(inquiries, _group("inquiries_per_100", [10, 10], [9, 9], calls=[45, 45]))
    assert tenth.state == NOT_MET
    quick = verdict(response, _group("response_min", [30, 40], [3, 4]))
    assert quick.state == NOT_SETTLED and "35.0 min siloed" in quick.words
    steady = verdict(response, _group("response_min", [30, 40], [4, 4]))
    assert steady.state == MET


def test_a_single_seed_never_settles_a_promise() -> None:
    """One seed gives a value and no interval: the verdict says so instead of "met"."""
    on_time = PROMISES[0]
    found = verdict(on_time, _group("on_time_pct", [80], [95]))
    assert found.state == NOT_SETTLED
    assert "one seed: no interval" in found.words


def test_intervals_stay_within_what_is_possible() -> None:
    """On-time rates of 98, 100 and 99 % cannot have an interval above 100 %, and a
    reduction cannot exceed 100 %: the table would otherwise print impossible figures."""
    group = _group("on_time_pct", [90, 95, 99], [98, 100, 99])
    figures = row(group, "on_time_pct")
    assert figures.unified is not None and figures.unified.high == 100.0
    assert figures.siloed is not None and figures.siloed.high is not None
    assert figures.siloed.high <= 100.0
    cost = _group("overtime_emergency_eur", [100, 300, 20], [0, 0, 10])
    change = row(cost, "overtime_emergency_eur").relative
    assert change is not None and change.low == -100.0
    cut = verdict(PROMISES[2], cost)
    assert cut.measured is not None and cut.measured.high == 100.0


def test_a_change_from_about_zero_is_undefined() -> None:
    """Siloed days with 0, 1 and 0 inquiries (a third of a call a day) against none
    unified: not "-100 %", but undefined, with the counts themselves."""
    group = _group("inquiries_per_100", [0.0, 0.2, 0.0], [0, 0, 0], calls=[0, 1, 0])
    figures = row(group, "inquiries_per_100")
    assert figures.baseline_zero and figures.relative is None
    found = verdict(PROMISES[1], group)
    assert found.state == UNDEFINED and found.met is None
    assert "-100" not in found.words and "about none" in found.words


def test_the_day_measures_read_every_kpi_field_generically() -> None:
    """A KPI field the system gains later (here ``plan_adherence``) is kept as
    ``kpi.plan_adherence`` without a change to the study; missing figures are None."""
    report = {
        "kpis": {
            "orders": 10, "orders_completed": 9, "orders_failed": 0, "on_time_rate": 0.9,
            "inquiries": 2,
            "inquiries_per_100_orders": 20.0, "exception_response_s_median": None,
            "plan_adherence": 0.75, "messages_by_kind": {"delay": 1},
        },
        "trucks": [{"overtime_s": 1800, "distance_km": 12.5}],
        "journal": [
            {"truck": "T1", "at": "2026-11-26T08:00:00+01:00"},
            {"truck": "T1", "at": "2026-11-26T10:30:00+01:00"},
        ],
        "unplanned": 0,
        "parameters": {"orders": 11},
    }  # fmt: skip
    measures = day_measures(report, COSTS)
    assert measures["kpi.plan_adherence"] == 0.75
    assert measures["on_time_pct"] == 90.0
    assert measures["response_min"] is None
    assert measures["not_delivered"] == 1, "one order postponed to another day"
    assert measures["overtime_emergency_eur"] == pytest.approx(0.5 * 50 + 20)
    assert measures["driver_hours"] == 2.5


def test_the_siloed_dispatcher_applies_the_simple_remedy_or_dismisses() -> None:
    """Siloed: a breakdown takes the rescue even when another option ranks first, a
    failed delivery is postponed, a re-plan waiting for approval is dismissed; unified
    takes the first-ranked option of each."""
    options = [
        {"id": "a", "kind": "redistribute", "rank": 1},
        {"id": "b", "kind": "rescue", "rank": 2},
    ]
    siloed, unified = OperatorModel.siloed(), OperatorModel.unified()
    breakdown = {"kind": "breakdown", "options": options}
    assert [o["id"] for o in siloed.options_to_try(breakdown)] == ["b", "a"]
    assert [o["id"] for o in unified.options_to_try(breakdown)] == ["a", "b"]
    retry = {"id": "r", "kind": "retry_today", "rank": 1}
    failed = {
        "kind": "failed_delivery",
        "options": [retry, {"id": "p", "kind": "postpone", "rank": 2}],
    }
    assert [o["id"] for o in siloed.options_to_try(failed)] == ["p"]
    replan = {"kind": "window_unmet", "options": [{"id": "x", "kind": "replan", "rank": 1}]}
    assert siloed.options_to_try(replan) == []
    assert unified.options_to_try(replan)[0]["id"] == "x"
    delay = siloed.delay(breakdown, seed=1, number=0)
    assert 15 * 60 + 2 * 180 <= delay.total_seconds() <= 45 * 60 + 2 * 180
    assert delay == siloed.delay(breakdown, seed=1, number=0)
