"""The report's prose: what was run, every assumption, and each day with its replay."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from fleetline.sim.config import DisruptionRates
from fleetline.sim.modes import DRIVERS_CALLED
from fleetline.study.config import StudyConfig
from fleetline.study.runner import DayRun, replay_command
from fleetline.study.stats import seeds


def _minutes(seconds: tuple[int, int]) -> str:
    return f"{seconds[0] / 60:g}-{seconds[1] / 60:g} min"


def method(
    config: StudyConfig, days: Sequence[dict[str, Any]], elapsed_s: float | None
) -> list[str]:
    """What was run, read from the days' own parameters: the days, their size, the time."""
    runs: list[DayRun] = [d["run"] for d in days]
    base = next(d["report"]["parameters"] for d in days if d["run"].scale == 1.0)
    played: dict[tuple[int, float], set[int]] = {}
    for run in runs:
        played.setdefault((run.trucks, run.scale), set()).add(run.seed)
    fleets = ", ".join(
        f"{trucks} trucks x {seeds(len(found))}"
        for (trucks, scale), found in played.items()
        if scale == 1.0
    )
    scales = sorted({scale for _, scale in played if scale != 1.0})
    sensitivity = (
        f"; sensitivity: disruption rates x{', x'.join(f'{s:g}' for s in scales)} on "
        + ", ".join(
            f"{trucks} trucks x {seeds(len(found))}"
            for (trucks, scale), found in played.items()
            if scale == scales[0]
        )
        if scales
        else ""
    )
    until = (
        f"until {base['until'][:5]} (cut short)"
        if base.get("until")
        else "until every truck is home (the whole day)"
    )
    rates = DisruptionRates(**base["rates"])
    per_truck = round(base["orders"] / base["trucks"])
    took = (
        f" The whole study took {elapsed_s / 60:.1f} minutes of wall time on this machine "
        f"({config.processes} days at a time); the days' own times are in the last table."
        if elapsed_s is not None
        else ""
    )
    return [
        f"{len(runs)} simulated days were played through the real system (the API of an "
        "in-process Fleetline on its own SQLite database, on a simulated clock), each seed "
        "once siloed and once unified: "
        f"{fleets}{sensitivity}. Each day has {per_truck:g} orders per truck (a real "
        f"delivery day has some 12 to 20 stops a truck) and runs from the first shift's "
        f"start {until}. Disruptions per day: breakdowns "
        f"{rates.breakdowns:g} per truck, failed deliveries {rates.failures:.0%} of stops, "
        f"window changes {rates.window_changes:.0%} of orders, traffic incidents "
        f"{rates.incidents:g} per truck.{took}",
        "",
        *settings(config),
        "",
        "**Siloed**: the 6 AM plan is never re-optimized (every re-planning policy set to "
        "approve, and what waits for approval is dismissed); no message reaches a client "
        "(the message hold is on all day); a dispatcher learns of a breakdown or a failed "
        f"delivery and acts after {_minutes(config.siloed.delay_s)} (uniform), plus "
        f"{config.siloed.phone_s / 60:g} min of phone per driver concerned, with the "
        "simplest manual remedy: a breakdown's load goes to one other truck (rescue), else "
        "the neighbours reload, else it waits for tomorrow; a failed delivery comes back and "
        "goes out tomorrow.",
        "",
        "**Unified**: Fleetline as built: the product's re-planning policies, client "
        "messages as the rules send them, and a dispatcher who applies each exception's "
        f"first-ranked option after {_minutes(config.unified.delay_s)} (uniform).",
        "",
        "Both modes play the same company, the same morning plan (solved in the unified "
        "day, imported as it is into the siloed one), the same drivers' paces, and the same "
        "disruptions at the same moments: breakdowns, window changes and incidents are drawn "
        "from the seed before the day, and each stop's service time and failure from the "
        "seed and the order, whichever truck comes. Clients call per the same inquiry "
        "model, judged from what happened on that day. Replay any day with the command in "
        "the last table, from this folder.",
        "",
    ]


def settings(config: StudyConfig) -> list[str]:
    """The settings that make the study affordable, each stated with its effect."""
    iterations = (
        f"{config.option_iterations} iterations (at most {config.time_limit_s:g} s)"
        if config.option_iterations is not None
        else f"{config.time_limit_s:g} s"
    )
    return [
        "**Settings that keep the study to minutes** (each a flag of `fleetline study`): "
        f"a simulated truck sends a GPS fix every {config.tick_s} s, in batches every "
        f"{config.batch_s} s (`--tick-s`, `--batch-s`); the drivers read the live plan "
        f"every {config.poll_s} s and at once after a decision (`--poll-s`); the "
        f"dispatcher looks at open exceptions every {config.look_s or config.poll_s} s "
        f"(`--look-s`); the morning plan is searched for {config.time_limit_s:g} s "
        "(`--time-limit`), once per seed, and the siloed day imports it; each what-if "
        "solve (an exception's options, a neighbourhood re-plan) searches "
        f"{iterations} (`--option-iterations`), so that a replay takes the same decisions "
        "on another machine; the simulated clock moves on only once the system's "
        "background work of the moment is done: its solves read the day once the "
        "moment's reports are in and take no simulated time, and a client message "
        "leaves at the moment it was queued, so a busy machine plays the same day; "
        f"{config.processes} days play side by side (`--processes`); "
        f"{_seeds(config)} (`--seeds N` or `--fleets 30:5,100:5` for more, `--full` for "
        "5 seeds a fleet on the product's own clock of a fix every 15 s, which takes hours).",
    ]


def _seeds(config: StudyConfig) -> str:
    fleets = ", ".join(f"{seeds(f.seeds)} on {f.trucks} trucks" for f in config.fleets)
    if not config.sensitivity_scales:
        return fleets
    return f"{fleets}, {config.sensitivity_seeds} per sensitivity run"


def assumptions(config: StudyConfig) -> list[str]:
    """Every assumption in words, then all parameters as JSON."""
    inquiry = config.inquiries
    costs = config.costs
    phone = ", ".join(f"{kind} {n}" for kind, n in DRIVERS_CALLED.items())
    return [
        f"- **Clients' inquiries** (both modes): a client whose delivery has not arrived "
        f"{inquiry.grace_min} min after the promised window ended calls with probability "
        f"{inquiry.p_late_untold:g} if nobody told it, {inquiry.p_late_told:g} if a delay, a "
        "new window or the failed attempt reached it before the promised window ended. A "
        f"client with a window of {inquiry.wide_window_h:g} h or more whose delivery has not "
        f"come by the window's middle calls with probability {inquiry.p_uncertain_untold:g} "
        f"without a time told, {inquiry.p_uncertain_told:g} with one (its window, a narrowed "
        "window, out for delivery, a delay). At most one call per order; each order's draw "
        "is the same in both modes. Calls are logged through `POST /api/v1/orders/{id}/"
        "inquiries`, so the inquiries are the system's own count (`GET /api/v1/kpis`).",
        "- **Promised window**: the window the morning plan serves the order in (as the "
        "live picture shows it at the day's start); a client who moved its window expects "
        "the moved one.",
        f"- **Dispatcher's phone calls**: drivers phoned per remedy: {phone}.",
        "- **Exception response** is the system's own figure: from an exception's opening "
        "to its resolution. Both delays are inputs of the model, so this row checks the "
        "model rather than measures the product; what the product adds is that the options "
        "exist when the exception opens.",
        "- **Overtime** is what the simulated drivers worked past their shift's end: each "
        "truck's return home after it, a truck still out when the day stops counted until "
        "then, a broken-down truck none. Beside it, the system's own count "
        "(`overtime_actual_s` of `GET /api/v1/kpis`: from each truck's last stop report to "
        "its first position back at the depot). **Emergency cost** is the orders not "
        f"delivered today (failed, postponed, left out) at EUR {costs.redelivery:g} each.",
        "- **Driver hours worked**: from each truck's first to its last stop report.",
        f"- **Unit costs**: driver hour EUR {costs.driver_hour:g}, overtime hour EUR "
        f"{costs.overtime_hour:g}, km EUR {costs.km:g}, inquiry {costs.inquiry_min:g} min "
        f"at EUR {costs.agent_hour:g}/h, redelivery EUR {costs.redelivery:g}, "
        f"{costs.working_days} working days a year.",
        "- **Intervals**: 95 % Student's t over seeds, kept within what is possible (a rate "
        "within 0 to 100 %, a count from 0, a reduction at most 100 %); differences paired "
        "by seed; a relative change is the paired difference over the siloed mean, and "
        "undefined when the siloed days had about none of it (on average less than one "
        "inquiry, late order, order not delivered or exception a day, or 6 minutes of "
        "overtime), since one event more or less would swing it by 100 % or more.",
        "- **Verdicts** take the whole 95 % interval: *exceeded* when it lies above the "
        "promised range, *met* when it lies at or above the range's low end, *not met* when "
        "it lies below it; an interval across the low end, or a single seed (no interval), "
        "is *not settled*, with the measured value; a reduction from about zero is "
        "*undefined*.",
        "- **Limits**: the region is the synthetic Rhine valley company on crow-flies travel "
        "times; what-if solves stop after a number of iterations, so a replay takes the same "
        "decisions on another machine unless its time cap is reached first; the morning "
        "plan stops on its time limit, and the siloed day and every replay import it as it "
        "is.",
        "",
        "Every parameter (each is a flag of `fleetline study`):",
        "",
        "```json",
        json.dumps(config.as_dict(), indent=2),
        "```",
        "",
    ]


def day_table(days: Sequence[dict[str, Any]]) -> list[str]:
    """One line per simulated day: its figures and the command that replays it."""
    lines = [
        "| day | on-time % | inquiries | overtime + emergency EUR | response min | "
        "disruptions applied | wall s | replay |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def cell(value: Any, digits: int = 1) -> str:
        return "n/a" if value is None else f"{value:.{digits}f}"

    for day in days:
        run: DayRun = day["run"]
        m = day["measures"]
        drawn = day["report"].get("disruptions", [])
        applied = sum(1 for d in drawn if d.get("applied"))
        lines.append(
            f"| [{run.name}]({run.report}) | {cell(m['on_time_pct'])} | "
            f"{cell(m['inquiries'], 0)} | {cell(m['overtime_emergency_eur'], 0)} | "
            f"{cell(m['response_min'])} | {applied} of {len(drawn)} | {run.wall_s:.0f} | "
            f"`{replay_command(run.config)}` |"
        )
    return [*lines, ""]
