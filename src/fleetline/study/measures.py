"""What the study reads from a simulated day's report: the system's figures and the world's.

Most measures are the system's own (``GET /api/v1/kpis`` at the end of the day, kept in the
day's report); overtime and kilometres driven are the simulated drivers' own (each truck's
return home against its shift's end, a truck still out when the day stops counted until
then, and the distance it drove), with the system's count of the overtime worked (from
the trucks' reports and positions) beside it as a check. Every KPI field that is a number
is kept, so figures the KPIs gain later appear in the day's measures without a change here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fleetline.study.config import UnitCosts


@dataclass(frozen=True, slots=True)
class Measure:
    """One measure of a day: its key, words, unit, which way is better, what is possible.

    Attributes
    ----------
    low, high
        The values the measure can take (a share 0 to 100 %, a count from 0; ``None``:
        open); intervals are kept within them.
    least_base
        The smallest siloed mean, in ``base_key``'s unit, that a relative change is taken
        from: below it (e.g. fewer than one inquiry a day) one event more or less swings
        the change by 100 % or more, so the change is reported as undefined.
    base_key
        The measure whose siloed mean is checked against ``least_base`` (default: this
        one); the inquiries per 100 orders are judged by the calls behind them.
    """

    key: str
    label: str
    unit: str
    better: str = "lower"
    """``higher`` or ``lower``."""
    low: float | None = 0.0
    high: float | None = None
    least_base: float = 0.0
    base_key: str | None = None


MEASURES = (
    Measure("on_time_pct", "On-time deliveries", "%", "higher", high=100.0),
    Measure(
        "inquiries_per_100",
        "Client inquiries per 100 orders",
        "per 100",
        least_base=1.0,
        base_key="inquiries",
    ),
    Measure("inquiries", "Client inquiries", "calls", least_base=1.0),
    Measure("overtime_emergency_eur", "Overtime and emergency cost", "EUR/day", least_base=1.0),
    Measure("overtime_h", "Overtime worked past shift end (drivers)", "h/day", least_base=0.1),
    Measure("overtime_system_h", "Overtime worked, the system's count (KPIs)", "h/day"),
    Measure("not_delivered", "Orders not delivered today", "orders", least_base=1.0),
    Measure("response_min", "Exception response, median", "min"),
    Measure("response_p90_min", "Exception response, 90th percentile", "min"),
    Measure("late_orders", "Late orders", "orders", least_base=1.0),
    Measure("km_driven", "Kilometres driven (drivers)", "km"),
    Measure("driver_hours", "Driver hours worked (drivers)", "h"),
    Measure("notifications_sent", "Messages that reached clients", "messages", "higher"),
    Measure(
        "late_warned_pct", "Late orders warned before the window ended", "%", "higher", high=100.0
    ),
    Measure("exceptions", "Exceptions opened", "exceptions", least_base=1.0),
    Measure("plan_versions", "Plan versions", "versions"),
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
    system_overtime = _number(kpis.get("overtime_actual_s"))
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
        "overtime_system_h": None if system_overtime is None else round(system_overtime / 3600, 3),
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
