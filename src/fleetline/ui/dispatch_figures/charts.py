"""The figures page's charts as ECharts options, or the words to show instead.

Each builder returns ``None`` when there is nothing to draw, so the page shows a sentence
and never an empty chart. Animations are off: the figures are read, not watched.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fleetline.operations.kpis import DayKpis

Options = dict[str, Any]

KIND_LABELS = {
    "promised_window": "Promised window",
    "out_for_delivery": "Out for delivery",
    "narrowed_window": "Narrowed window",
    "delay": "Delay",
    "delivered": "Delivered",
    "failed": "Failed",
    "rescheduled": "Rescheduled",
    "message": "Agent's message",
}
"""How each kind of message is named on the chart."""

_BASE: Options = {"animation": False, "tooltip": {"trigger": "axis"}}


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def messages_chart(kpis: DayKpis) -> Options | None:
    """Messages that left by kind, as horizontal bars (``None``: no message left)."""
    counts = sorted(kpis.messages_by_kind.items(), key=lambda item: (item[1], item[0]))
    if not counts:
        return None
    return {
        **_BASE,
        "grid": {"left": 8, "right": 40, "top": 8, "bottom": 24, "containLabel": True},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": [KIND_LABELS.get(k, k) for k, _ in counts]},
        "series": [
            {
                "type": "bar",
                "name": "Messages",
                "data": [n for _, n in counts],
                "label": {"show": True, "position": "right"},
                "itemStyle": {"color": "#1976d2"},
            }
        ],
    }


def eta_chart(kpis: DayKpis) -> Options | None:
    """Mean absolute ETA error (minutes) per horizon (``None``: nothing measured)."""
    horizons = list(kpis.eta_mae_s)
    errors = [_minutes(kpis.eta_mae_s[h]) for h in horizons]
    if all(e is None for e in errors):
        return None
    return {
        **_BASE,
        "grid": {"left": 8, "right": 16, "top": 24, "bottom": 8, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": [f"{h} min ahead" for h in horizons],
            "axisLabel": {"interval": 0},
        },
        "yAxis": {"type": "value", "min": 0, "axisLabel": {"formatter": "{value} min"}},
        "series": [
            {
                "type": "bar",
                "name": "Mean error (min)",
                "data": errors,
                "label": {"show": True, "position": "top", "formatter": "{c} min"},
                "itemStyle": {"color": "#00897b"},
            }
        ],
    }


def _day_labels(history: Sequence[DayKpis]) -> list[str]:
    return [d.date.strftime("%d %b") for d in history]


def on_time_trend(history: Sequence[DayKpis]) -> Options | None:
    """On-time rate (%) day by day (``None``: no day had a delivery judged)."""
    rates = [None if d.on_time_rate is None else round(100 * d.on_time_rate, 1) for d in history]
    if all(r is None for r in rates):
        return None
    return {
        **_BASE,
        "grid": {"left": 8, "right": 16, "top": 24, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": _day_labels(history)},
        "yAxis": {
            "type": "value",
            "min": 0,
            "max": 100,
            "axisLabel": {"formatter": "{value}%"},
        },
        "series": [
            {
                "type": "line",
                "name": "On time (%)",
                "data": rates,
                "connectNulls": False,
                "symbolSize": 8,
                "label": {"show": True, "position": "top", "formatter": "{c}%"},
                "itemStyle": {"color": "#2e7d32"},
            }
        ],
    }


def response_trend(history: Sequence[DayKpis]) -> Options | None:
    """Exception response (minutes, median and p90) day by day (``None``: none decided)."""
    medians = [_minutes(d.exception_response_s_median) for d in history]
    p90s = [_minutes(d.exception_response_s_p90) for d in history]
    if all(m is None for m in medians):
        return None
    return {
        **_BASE,
        "legend": {"top": 0, "right": 0},
        "grid": {"left": 8, "right": 16, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": _day_labels(history)},
        "yAxis": {"type": "value", "min": 0, "axisLabel": {"formatter": "{value} min"}},
        "series": [
            {
                "type": "bar",
                "name": "Median",
                "data": medians,
                "itemStyle": {"color": "#5c6bc0"},
            },
            {
                "type": "line",
                "name": "90th percentile",
                "data": p90s,
                "connectNulls": False,
                "symbolSize": 8,
                "itemStyle": {"color": "#c62828"},
            },
        ],
    }
