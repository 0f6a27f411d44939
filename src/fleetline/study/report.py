"""The study's report: Markdown with PNG charts, and ``study.json`` with every figure.

Every number in the report is computed from the days' own reports in ``days/`` (each
written by the command that replays it), through :func:`~fleetline.study.measures.day_measures`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fleetline.study.charts import kpi_chart, sensitivity_chart
from fleetline.study.config import StudyConfig
from fleetline.study.measures import BY_KEY, MEASURES, day_measures
from fleetline.study.runner import DayRun, run_as_dict
from fleetline.study.stats import Interval, seeds
from fleetline.study.summary import (
    PARTIAL_DAY_LINES,
    PROMISES,
    Group,
    annual_value,
    gains,
    groups_of,
    row,
    verdict,
)
from fleetline.study.words import assumptions, day_table, method


def _text(interval: Interval | None, digits: int = 1) -> str:
    return "n/a" if interval is None else interval.text(digits)


def _signed(interval: Interval | None, digits: int = 1) -> str:
    if interval is None:
        return "n/a"
    text = interval.text(digits)
    return text if interval.mean < 0 else "+" + text


def load_days(folder: Path, runs: list[DayRun], config: StudyConfig) -> list[dict[str, Any]]:
    """Each day's report and measures, in the order of ``runs``."""
    days = []
    for run in runs:
        report = json.loads((folder / run.report).read_text(encoding="utf-8"))
        days.append({"run": run, "report": report, "measures": day_measures(report, config.costs)})
    return days


def _kpi_table(group: Group) -> list[str]:
    lines = [
        f"### {group.trucks} trucks, {seeds(len(group.seeds))} "
        f"({', '.join(map(str, group.seeds))})",
        "",
        "| measure | siloed | unified | unified - siloed | change |",
        "|---|---|---|---|---|",
    ]
    for measure in MEASURES:
        figures = row(group, measure.key)
        if figures.siloed is None and figures.unified is None:
            continue
        if figures.baseline_zero:
            change = "undefined (siloed about 0)"
        else:
            change = "n/a" if figures.relative is None else f"{figures.relative.mean:+.0f} %"
        lines.append(
            f"| {measure.label} ({measure.unit}) | {_text(figures.siloed)} | "
            f"{_text(figures.unified)} | {_signed(figures.difference)} | {change} |"
        )
    return [*lines, ""]


def _promises(groups: list[Group]) -> list[str]:
    lines = [
        "| promised to distributors | fleet | siloed | unified | measured | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for promise in PROMISES:
        for group in groups:
            figures = row(group, promise.key)
            found = verdict(promise, group)
            unit = BY_KEY[promise.key].unit
            measured = "n/a" if found.measured is None else found.measured.text(1)
            lines.append(
                f"| {promise.label}: {promise.words} | {group.trucks} trucks | "
                f"{_text(figures.siloed)} {unit} | {_text(figures.unified)} {unit} | "
                f"{measured} | {found.words} |"
            )
    return [*lines, ""]


def _headline(config: StudyConfig, groups: list[Group], value: dict[str, Any]) -> list[str]:
    lines = []
    for group in groups:
        words = "; ".join(f"{p.label.lower()} {verdict(p, group).words}" for p in PROMISES)
        lines.append(f"- **{group.trucks} trucks** ({seeds(len(group.seeds))}): {words}.")
    total = value["per_year"]["total"]
    interval = "" if total[1] is None else f" (95 % interval {total[1]:,.0f} to {total[2]:,.0f})"
    lines.append(
        f"- **A year for a {value['trucks']}-truck company** at the stated unit costs: "
        f"EUR {total[0]:,.0f}{interval} saved by running unified."
    )
    return [*lines, ""]


def _value(config: StudyConfig, groups: list[Group]) -> tuple[list[str], dict[str, Any]]:
    basis = next((g for g in groups if g.trucks == config.value_trucks), groups[0])
    value = annual_value(config, basis)
    costs = config.costs
    scaled = (
        ""
        if basis.trucks == value.trucks
        else f" (measured on {basis.trucks} trucks, scaled by trucks)"
    )
    lines = [
        f"For a {value.trucks}-truck company{scaled}, {costs.working_days} delivery days a "
        f"year, at EUR {costs.driver_hour:g} a driver hour, EUR {costs.overtime_hour:g} an "
        f"overtime hour, EUR {costs.km:g} a km, {costs.inquiry_min:g} minutes of an agent at "
        f"EUR {costs.agent_hour:g}/h per inquiry and EUR {costs.redelivery:g} per order "
        "delivered another day. Saving = siloed minus unified, mean over seeds [95 % interval].",
        "",
        *(
            [
                f"The days stop at {config.until:%H:%M}: driver hours and kilometres are those "
                "worked by then (a mode that delivers more by then shows more of both), so they "
                "are shown but left out of the total. Run `--until none` (or `--full`) for "
                "whole days, where they count.",
                "",
            ]
            if config.until is not None
            else []
        ),
        "| cost line | siloed per day | unified per day | saving per day | saving per year |",
        "|---|---|---|---|---|",
    ]
    for name, per_day in value.per_day.items():
        before, after = value.lines[name]
        left_out = config.until is not None and name in PARTIAL_DAY_LINES
        label = f"{name} (not in the total)" if left_out else name
        lines.append(
            f"| {label} | {before:,.0f} | {after:,.0f} | {per_day.text(0)} | "
            f"{value.per_year[name].text(0)} |"
        )
    data = {
        "trucks": value.trucks,
        "basis_trucks": value.basis_trucks,
        "per_day": {k: v.mean for k, v in value.per_day.items()},
        "per_year": {k: [v.mean, v.low, v.high] for k, v in value.per_year.items()},
    }
    return [*lines, ""], data


def _sensitivity(
    config: StudyConfig, all_groups: list[Group], folder: Path
) -> tuple[list[str], dict[str, Any]]:
    by_scale = sorted(
        (g for g in all_groups if g.trucks == config.sensitivity_trucks),
        key=lambda g: g.scale,
    )
    by_size = sorted((g for g in all_groups if g.scale == 1.0), key=lambda g: g.trucks)
    lines = [
        "Gains of unified over siloed (means over seeds), varying the disruption rates on "
        f"{config.sensitivity_trucks} trucks, and the fleet size at the base rates.",
        "",
        "| runs | varied | seeds | on-time, + points | inquiries, - % | "
        "overtime and emergency, - % |",
        "|---|---|---|---|---|---|",
    ]
    data: dict[str, Any] = {"by_scale": [], "by_size": []}
    for label, groups, key in (
        ("disruption rate", by_scale, "by_scale"),
        ("fleet size", by_size, "by_size"),
    ):
        for group in groups:
            found = gains(group)
            data[key].append({"trucks": group.trucks, "scale": group.scale, **found})
            name = f"{group.trucks} trucks, rates x{group.scale:g}"
            cells = [
                "n/a" if found[k] is None else f"{found[k]:.1f}"
                for k in ("on_time_points", "inquiry_reduction_pct", "cost_reduction_pct")
            ]
            lines.append(f"| {name} | {label} | {len(group.seeds)} | " + " | ".join(cells) + " |")
    charts = folder / "charts"
    if len(by_scale) > 1 or len(by_size) > 1:
        sensitivity_chart(by_scale, by_size, charts / "sensitivity.png")
        lines += ["", "![Sensitivity of the gains](charts/sensitivity.png)"]
    return [*lines, ""], data


def write_report(
    config: StudyConfig, runs: list[DayRun], folder: Path, elapsed_s: float | None
) -> Path:
    """Write ``report.md``, ``charts/`` and ``study.json`` into ``folder``; the report's path."""
    days = load_days(folder, runs, config)
    groups = groups_of(
        [
            (d["run"].trucks, d["run"].seed, d["run"].scale, d["run"].mode, d["measures"])
            for d in days
        ]
    )
    main = [g for g in groups if g.scale == 1.0 and g.seeds]
    if not main:
        raise ValueError("no pair of days at the base disruption rates to report on")
    (folder / "charts").mkdir(parents=True, exist_ok=True)
    kpi_chart(main, folder / "charts" / "kpis.png")
    value_lines, value_data = _value(config, main)
    sensitivity_lines, sensitivity_data = _sensitivity(config, groups, folder)
    lines = [
        "# Siloed against unified: the study",
        "",
        *method(config, days, elapsed_s),
        "## Headline",
        "",
        *_headline(config, main, value_data),
        "## Against the figures distributors are promised",
        "",
        *_promises(main),
        "## The KPIs per mode",
        "",
        "Mean over seeds with its 95 % t-interval in brackets; the difference is paired by "
        "seed (both modes play the same company, plan and disruptions).",
        "",
        *[line for group in main for line in _kpi_table(group)],
        "![KPIs per mode](charts/kpis.png)",
        "",
        "## What the differences are worth a year",
        "",
        *value_lines,
        "## Sensitivity",
        "",
        *sensitivity_lines,
        "## Assumptions",
        "",
        *assumptions(config),
        "## Every simulated day",
        "",
        *day_table(days),
    ]
    path = folder / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    figures = {
        "config": config.as_dict(),
        "elapsed_s": elapsed_s,
        "days": [{**run_as_dict(d["run"]), "measures": d["measures"]} for d in days],
        "promises": {f"{p.key}@{g.trucks}": verdict(p, g).words for p in PROMISES for g in main},
        "annual_value": value_data,
        "sensitivity": sensitivity_data,
    }
    (folder / "study.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return path
