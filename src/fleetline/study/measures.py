"""What the study reads from a simulated day's report: the system's figures and the world's.

Most measures are the system's own (``GET /api/v1/kpis`` at the end of the day, kept in the
day's report); overtime and kilometres driven are the simulated world's (each truck's
return home against its shift's end, and the distance it drove), since the live plan only
knows what was planned. Every KPI field that is a number is kept, so figures the KPIs gain
later appear in the day's measures without a change here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fleetline.study.config import UnitCosts


@dataclass(frozen=True, slots=True)
class Measure:
    """One measure of a day: its key, words, unit, and which way is better."""

    key: str
    label: str
    unit: str
    better: str = "lower"
    """``higher`` or ``lower``."""


MEASURES = (
    Measure("on_time_pct", "On-time deliveries", "%", "higher"),
    Measure("inquiries_per_100", "Client inquiries per 100 orders", "per 100", "lower"),
    Measure("inquiries", "Client inquiries", "calls", "lower"),
    Measure("overtime_emergency_eur", "Overtime and emergency cost", "EUR/day", "lower"),
    Measure("overtime_h", "Overtime (world)", "h/day", "lower"),
    Measure("not_delivered", "Orders not delivered today", "orders", "lower"),
    Measure("response_min", "Exception response, median", "min", "lower"),
    Measure("response_p90_min", "Exception response, 90th percentile", "min", "lower"),
    Measure("late_orders", "Late orders", "orders", "lower"),
    Measure("km_driven", "Kilometres driven (world)", "km", "lower"),
    Measure("driver_hours", "Driver hours worked (world)", "h", "lower"),
    Measure("notifications_sent", "Messages that reached clients", "messages", "higher"),
    Measure("late_warned_pct", "Late orders warned before the window ended", "%", "higher"),
    Measure("exceptions", "Exceptions opened", "exceptions", "lower"),
    Measure("plan_versions", "Plan versions", "versions", "lower"),
)
"""The measures the report tables show, in order."""
BY_KEY = {m.key: m for m in MEASURES}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _hours_between(start: str | None, end: str | None) -> float:
    if not start or not end:
        return 0.0
    return max(0.0, (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds())


def driver_hours(report: Mapping[str, Any]) -> float:
    """Hours the drivers worked: from the first to the last stop report, per truck, summed.

    A truck that never reported a stop worked none; the drive out and back is taken as
    part of the first and last stops' hours (a stated simplification).
    """
    first: dict[str, str] = {}
    last: dict[str, str] = {}
    for entry in report.get("journal", ()):
        truck, at = entry["truck"], entry["at"]
        first.setdefault(truck, at)
        last[truck] = at
    seconds = sum(_hours_between(first[t], last[t]) for t in first)
    return round(seconds / 3600, 3)


def day_measures(report: Mapping[str, Any], costs: UnitCosts) -> dict[str, float | None]:
    """The study's measures of one day, from its report (``SimReport.as_dict()``).

    Orders not delivered today are those failed, postponed to another day or left off
    the plan; orders still on their way when a shortened day stops are not counted.

    Returns
    -------
    dict
        The keys of :data:`MEASURES` (``None`` where a day has no such figure, e.g. a
        response time without exceptions), then ``kpi.<field>`` for every numeric field
        of the day's KPIs.
    """
    kpis = report.get("kpis", {})
    trucks = report.get("trucks", [])
    orders = _number(kpis.get("orders")) or 0.0
    ordered = _number(report.get("parameters", {}).get("orders")) or orders
    failed = _number(kpis.get("orders_failed")) or 0.0
    rate = _number(kpis.get("on_time_rate"))
    overtime_h = sum(t.get("overtime_s", 0) for t in trucks) / 3600
    postponed = max(0.0, ordered - orders)  # moved to another day
    not_delivered = failed + postponed + float(report.get("unplanned", 0) or 0)
    median = _number(kpis.get("exception_response_s_median"))
    p90 = _number(kpis.get("exception_response_s_p90"))
    warned = _number(kpis.get("late_orders_warned_share"))
    per_100 = _number(kpis.get("inquiries_per_100_orders"))
    out: dict[str, float | None] = {
        "on_time_pct": None if rate is None else round(100 * rate, 2),
        "inquiries_per_100": per_100,
        "inquiries": _number(kpis.get("inquiries")),
        "overtime_h": round(overtime_h, 3),
        "not_delivered": not_delivered,
        "overtime_emergency_eur": round(
            overtime_h * costs.overtime_hour + not_delivered * costs.redelivery, 2
        ),
        "response_min": None if median is None else round(median / 60, 2),
        "response_p90_min": None if p90 is None else round(p90 / 60, 2),
        "late_orders": _number(kpis.get("late_orders")),
        "km_driven": round(sum(t.get("distance_km", 0.0) for t in trucks), 1),
        "driver_hours": driver_hours(report),
        "notifications_sent": _number(kpis.get("notifications_sent")),
        "late_warned_pct": None if warned is None else round(100 * warned, 2),
        "exceptions": _number(kpis.get("exceptions")),
        "plan_versions": _number(kpis.get("plan_versions")),
    }
    for name, value in kpis.items():
        number = _number(value)
        if number is not None:
            out[f"kpi.{name}"] = number
    return out


def day_cost(measures: Mapping[str, float | None], costs: UnitCosts) -> dict[str, float]:
    """A day's costs that the two modes can change, per line (EUR).

    Driver hours worked, overtime, kilometres, inquiries handled and redeliveries.
    """

    def value(key: str) -> float:
        return float(measures.get(key) or 0.0)

    return {
        "driver hours": value("driver_hours") * costs.driver_hour,
        "overtime": value("overtime_h") * costs.overtime_hour,
        "kilometres": value("km_driven") * costs.km,
        "inquiries": value("inquiries") * costs.inquiry_min / 60 * costs.agent_hour,
        "redeliveries": value("not_delivered") * costs.redelivery,
    }
