"""The study's charts (PNG, matplotlib without a display)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fleetline.study.summary import Group, gains, row

GAIN_LINES = (
    ("on_time_points", "On-time rate, + points"),
    ("inquiry_reduction_pct", "Inquiries, - %"),
    ("cost_reduction_pct", "Overtime and emergency cost, - %"),
)
KPI_PANELS = (
    ("on_time_pct", "On-time deliveries (%)"),
    ("inquiries_per_100", "Inquiries per 100 orders"),
    ("overtime_emergency_eur", "Overtime and emergency cost (EUR/day)"),
    ("response_min", "Exception response, median (min)"),
)
COLOURS = {"siloed": "#9a6b3f", "unified": "#2f6f9f"}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def kpi_chart(groups: Sequence[Group], path: Path) -> Path:
    """Bars of each mode's mean with its 95 % interval, per company size, four KPIs."""
    plt = _pyplot()
    figure, axes = plt.subplots(1, len(KPI_PANELS), figsize=(14, 3.8))
    for axis, (key, title) in zip(axes, KPI_PANELS, strict=True):
        labels = [f"{g.trucks} trucks" for g in groups]
        for offset, mode in ((-0.2, "siloed"), (0.2, "unified")):
            xs = [n + offset for n in range(len(groups))]
            intervals = [getattr(row(group, key), mode) for group in groups]  # clipped
            means = [i.mean if i else 0.0 for i in intervals]
            axis.bar(xs, means, 0.4, color=COLOURS[mode], label=mode)
            spread = [(x, i) for x, i in zip(xs, intervals, strict=True) if i and i.has_interval]
            if spread:
                axis.errorbar(
                    [x for x, _ in spread],
                    [i.mean for _, i in spread],
                    yerr=[
                        [i.mean - (i.low or 0.0) for _, i in spread],
                        [(i.high or 0.0) - i.mean for _, i in spread],
                    ],
                    fmt="none",
                    ecolor="black",
                    capsize=4,
                )
        axis.set_xticks(range(len(groups)), labels)
        axis.set_title(title, fontsize=10)
        axis.grid(axis="y", alpha=0.3)
    handles, names = axes[0].get_legend_handles_labels()
    figure.legend(handles, names, loc="upper right", ncol=2, fontsize=9, frameon=False)
    figure.suptitle(
        "Siloed against unified: mean over seeds, whiskers are 95 % intervals (none with one seed)"
    )
    figure.tight_layout(rect=(0, 0, 1, 0.93))
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def sensitivity_chart(by_scale: Sequence[Group], by_size: Sequence[Group], path: Path) -> Path:
    """The gains against the disruption rate (left) and the fleet size (right)."""
    plt = _pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2), sharey=True)
    for axis, groups, attribute, title in (
        (left, by_scale, "scale", "Disruption rates (x the base case)"),
        (right, by_size, "trucks", "Fleet size (trucks)"),
    ):
        xs = [getattr(g, attribute) for g in groups]
        found = [gains(g) for g in groups]
        for key, label in GAIN_LINES:
            ys = [f[key] if f[key] is not None else float("nan") for f in found]
            axis.plot(xs, ys, marker="o", label=label)
        axis.axhline(0, color="#888888", linewidth=0.8)
        axis.set_xlabel(title)
        axis.set_xticks(xs)
        axis.grid(alpha=0.3)
    left.set_ylabel("Gain of unified over siloed")
    left.legend(fontsize=9)
    figure.suptitle("Sensitivity: how the gains change with disruption rate and fleet size")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
