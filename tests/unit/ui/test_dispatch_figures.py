"""How the figures page words the day's figures and what its charts draw."""

from __future__ import annotations

import dataclasses
from datetime import date

from fleetline.operations.kpis import DayKpis
from fleetline.operations.plan_adherence import PlanAdherence
from fleetline.ui.dispatch_figures.charts import (
    eta_chart,
    messages_chart,
    on_time_trend,
    response_trend,
)
from fleetline.ui.dispatch_figures.reading import headlines

EMPTY = DayKpis(
    date=date(2026, 11, 26),
    orders=0,
    orders_completed=0,
    orders_failed=0,
    on_time_rate=None,
    late_orders=0,
    exception_response_s_median=None,
    exception_response_s_p90=None,
    exceptions=0,
    inquiries=0,
    notifications_sent=0,
    inquiries_per_100_orders=None,
    messages_by_kind={},
    messages_by_channel={},
    late_orders_warned_share=None,
    message_latency_s_median=None,
    distance_m=0,
    overtime_s=0,
    plan_versions=0,
    eta_mae_s={60: None, 30: None, 15: None},
    eta_samples={60: 0, 30: 0, 15: 0},
)

BUSY = dataclasses.replace(
    EMPTY,
    orders=40,
    orders_completed=20,
    orders_failed=1,
    on_time_rate=0.85,
    late_orders=3,
    exception_response_s_median=420.0,
    exception_response_s_p90=900.0,
    options_ready_s_median=25.0,
    options_ready_s_p90=40.0,
    exceptions=2,
    exceptions_resolved=2,
    inquiries=2,
    notifications_sent=45,
    inquiries_per_100_orders=5.0,
    messages_by_kind={"promised_window": 40, "delay": 5},
    distance_m=312_400,
    overtime_s=3900,
    plan_versions=3,
    eta_mae_s={60: 480.0, 30: 300.0, 15: None},
    adherence=PlanAdherence(
        plan_id="pln_1",
        plan_version=1,
        stops_compared=20,
        stops_added=1,
        sequence_pairs=18,
        sequence_kept=15,
        sequence_kept_share=0.8333,
        arrival_diff_s_mean=700.0,
        arrival_diff_s_median=540.0,
        arrival_delay_s_mean=300.0,
        on_planned_truck=19,
        on_planned_truck_share=0.95,
    ),
)


def _by_key(kpis: DayKpis) -> dict[str, tuple[str, str]]:
    return {h.key: (h.value, h.detail) for h in headlines(kpis)}


def test_a_busy_day_is_worded_as_a_dispatcher_reads_it() -> None:
    """On time 85%, response 7 min (p90 15 min, options in 25 s), 83% of the sequence
    kept and 95% on the planned truck, 312.4 km and 1 h 05 min overtime."""
    shown = _by_key(BUSY)
    assert shown["on_time"] == ("85%", "3 late of 20 delivered")
    assert shown["completed"][0] == "20 / 1"
    assert shown["response"][0] == "7 min"
    assert "p90 15 min" in shown["response"][1] and "options ready in 25 s" in shown["response"][1]
    assert shown["adherence"][0] == "83%"
    assert "95% on the planned truck" in shown["adherence"][1]
    assert shown["distance"][0] == "312.4 km" and shown["overtime"][0] == "1 h 05 min"
    assert shown["eta"][0] == "±8 min" and "30 min ahead ±5 min" in shown["eta"][1]
    assert shown["inquiries"][0] == "5"


def test_an_empty_day_says_so_in_words() -> None:
    """No orders: every figure says there is nothing yet instead of a misleading 0."""
    shown = _by_key(EMPTY)
    assert shown["on_time"] == ("—", "No delivery judged yet")
    assert shown["response"] == ("—", "No exception on this day")
    assert shown["adherence"] == ("—", "The day was never dispatched")
    assert shown["distance"] == ("—", "No plan on this day")


def test_charts_are_drawn_only_when_there_is_something_to_draw() -> None:
    """An empty day gives no chart (the page writes a sentence); a busy day's charts
    carry its numbers: 40 promise messages, ETA errors of 8 and 5 minutes."""
    assert messages_chart(EMPTY) is None and eta_chart(EMPTY) is None
    assert on_time_trend([EMPTY, EMPTY]) is None and response_trend([EMPTY]) is None
    messages = messages_chart(BUSY)
    assert messages is not None
    assert messages["yAxis"]["data"] == ["Delay", "Promised window"]
    assert messages["series"][0]["data"] == [5, 40]
    eta = eta_chart(BUSY)
    assert eta is not None and eta["series"][0]["data"] == [8.0, 5.0, None]
    trend = on_time_trend([EMPTY, BUSY])
    assert trend is not None and trend["series"][0]["data"] == [None, 85.0]
    response = response_trend([EMPTY, BUSY])
    assert response is not None and response["series"][1]["data"] == [None, 15.0]
