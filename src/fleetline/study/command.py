"""``fleetline study``: its options, the study from them, and the replay of one day."""

from __future__ import annotations

import argparse
import dataclasses
import json
import time as walltime
from datetime import time
from pathlib import Path

from fleetline.sim.config import DisruptionRates
from fleetline.sim.inquiries import InquiryModel
from fleetline.sim.modes import OperatorModel
from fleetline.study.config import QUICK, Fleet, StudyConfig, UnitCosts
from fleetline.study.processes import exit_on_sigterm
from fleetline.study.runner import load_day_config, load_runs, run_days

FULL = {
    "fleets": (Fleet(30, 5), Fleet(100, 5)),
    "sensitivity_seeds": 3,
    "tick_s": 15,
    "batch_s": 60,
    "poll_s": 60,
}
"""What ``--full`` changes: 5 seeds a fleet (3 a sensitivity run), and the clock of the
product's own simulator (a GPS fix every 15 s, sent every minute, the plan read every
minute); it takes some hours where the default takes minutes."""


def add_study_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``fleetline study`` and its options to the command line."""
    study = sub.add_parser(
        "study", help="play disrupted days siloed and unified, and write the report"
    )
    study.add_argument("--out", type=Path, default=Path("study-report"), help="report folder")
    size = study.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="a tiny study (3 trucks, 2 seeds)")
    size.add_argument(
        "--full", action="store_true", help="5 seeds a fleet, fixes every 15 s (hours)"
    )
    study.add_argument("--fleets", default=None, metavar="T:S,...", help="trucks:seeds, e.g. 30:3")
    study.add_argument("--first-seed", type=int, default=None)
    study.add_argument("--orders-per-truck", type=int, default=None)
    study.add_argument(
        "--until", default=None, metavar="HH:MM", help="stop each day then ('none': whole day)"
    )
    for rate in ("breakdowns", "failures", "window-changes", "incidents"):
        study.add_argument(f"--{rate}", type=float, default=None, metavar="R")
    study.add_argument("--scales", default=None, metavar="X,...", help="sensitivity rate factors")
    study.add_argument("--processes", type=int, default=None, help="days played side by side")
    study.add_argument(
        "--seeds", type=int, default=None, help="seeds of every fleet and sensitivity run"
    )
    study.add_argument(
        "--time-limit", type=float, default=None, help="seconds of the morning plan's solve"
    )
    study.add_argument(
        "--option-iterations",
        default=None,
        metavar="N",
        help="iterations of each what-if solve ('none': the time limit alone)",
    )
    for clock in ("tick", "batch", "poll", "look"):
        study.add_argument(f"--{clock}-s", type=int, default=None, metavar="S")
    study.add_argument("--unified-delay", default=None, metavar="MIN-MAX", help="minutes")
    study.add_argument("--siloed-delay", default=None, metavar="MIN-MAX", help="minutes")
    study.add_argument("--phone-min", type=float, default=None, help="per driver phoned")
    for name in ("p-late-untold", "p-late-told", "p-uncertain-untold", "p-uncertain-told"):
        study.add_argument(f"--{name}", type=float, default=None, metavar="P")
    study.add_argument("--grace-min", type=int, default=None, help="minutes before a late call")
    study.add_argument("--wide-window-h", type=float, default=None)
    for name in ("driver-hour", "overtime-hour", "km", "agent-hour", "redelivery"):
        study.add_argument(f"--{name}", type=float, default=None, metavar="EUR")
    study.add_argument("--inquiry-min", type=float, default=None, help="an inquiry's handling")
    study.add_argument("--working-days", type=int, default=None)
    study.add_argument("--value-trucks", type=int, default=None, help="company of the annual value")
    study.add_argument(
        "--report-only",
        action="store_true",
        help="write the report from the days in --out (give the options of the run)",
    )
    study.add_argument("--replay", type=Path, default=None, help="play one day's config again")
    study.add_argument("--report", type=Path, default=None, help="with --replay: JSON report")
    study.add_argument("--quiet", action="store_true", help=argparse.SUPPRESS)


def _minutes_range(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    return round(float(low) * 60), round(float(high or low) * 60)


def _set(values: dict[str, object], name: str, value: object) -> None:
    if value is not None:
        values[name] = value


def config_from_args(args: argparse.Namespace) -> StudyConfig:
    """The study that ``fleetline study``'s options describe."""
    base = QUICK if args.quick else StudyConfig()
    values: dict[str, object] = dict(FULL) if args.full else {}
    if args.fleets:
        fleets = []
        for item in args.fleets.split(","):
            trucks, _, seeds = item.partition(":")
            fleets.append(Fleet(int(trucks), int(seeds or 1)))
        values["fleets"] = tuple(fleets)
    if args.seeds is not None:
        sizes = values.get("fleets", base.fleets)
        assert isinstance(sizes, tuple)
        values["fleets"] = tuple(Fleet(f.trucks, args.seeds) for f in sizes)
        values["sensitivity_seeds"] = args.seeds
    if args.option_iterations is not None:
        text = str(args.option_iterations)
        values["option_iterations"] = None if text == "none" else int(text)
    for clock in ("tick_s", "batch_s", "poll_s", "look_s"):
        _set(values, clock, getattr(args, clock))
    _set(values, "first_seed", args.first_seed)
    _set(values, "orders_per_truck", args.orders_per_truck)
    _set(values, "processes", args.processes)
    _set(values, "time_limit_s", args.time_limit)
    _set(values, "value_trucks", args.value_trucks)
    if args.until:
        values["until"] = None if args.until == "none" else time.fromisoformat(args.until)
    if args.scales is not None:
        values["sensitivity_scales"] = tuple(float(s) for s in args.scales.split(",") if s)
    rates = {
        "breakdowns": args.breakdowns,
        "failures": args.failures,
        "window_changes": args.window_changes,
        "incidents": args.incidents,
    }
    if any(v is not None for v in rates.values()):
        given = {k: v for k, v in rates.items() if v is not None}
        values["rates"] = dataclasses.replace(base.rates, **given)
    if args.unified_delay:
        values["unified"] = dataclasses.replace(
            base.unified, delay_s=_minutes_range(args.unified_delay)
        )
    siloed = base.siloed
    if args.siloed_delay:
        siloed = dataclasses.replace(siloed, delay_s=_minutes_range(args.siloed_delay))
    if args.phone_min is not None:
        siloed = dataclasses.replace(siloed, phone_s=round(args.phone_min * 60))
    values["siloed"] = siloed
    inquiry = {
        "p_late_untold": args.p_late_untold,
        "p_late_told": args.p_late_told,
        "p_uncertain_untold": args.p_uncertain_untold,
        "p_uncertain_told": args.p_uncertain_told,
        "grace_min": args.grace_min,
        "wide_window_h": args.wide_window_h,
    }
    values["inquiries"] = dataclasses.replace(
        base.inquiries, **{k: v for k, v in inquiry.items() if v is not None}
    )
    costs = {
        "driver_hour": args.driver_hour,
        "overtime_hour": args.overtime_hour,
        "km": args.km,
        "inquiry_min": args.inquiry_min,
        "agent_hour": args.agent_hour,
        "redelivery": args.redelivery,
        "working_days": args.working_days,
    }
    values["costs"] = dataclasses.replace(
        base.costs, **{k: v for k, v in costs.items() if v is not None}
    )
    return dataclasses.replace(base, **values)  # type: ignore[arg-type]


def replay(config_file: Path, report_file: Path | None, quiet: bool = False) -> None:
    """Play one day of a study again from its config file; print it, write its report."""
    from fleetline.sim.local import run_in_process

    day = load_day_config(config_file)
    written = json.loads(config_file.read_text(encoding="utf-8")).get("config", {})
    report = run_in_process(day)
    report.parameters["plan_from"] = written.get("plan_from")
    if not quiet:
        print(report.summary())
        calls = sum(1 for c in report.inquiries if c["called"])
        print(f"  mode {report.mode}; {calls} clients called of {len(report.inquiries)} asked")
    if report_file is not None:
        report.write(report_file)
        if not quiet:
            print(f"report written to {report_file}")


def run_study(args: argparse.Namespace) -> None:
    """``fleetline study``: play the days (unless ``--report-only``) and write the report.

    SIGTERM stops it like Ctrl-C: the days still playing are stopped with it.
    """
    with exit_on_sigterm():
        if args.replay is not None:
            replay(args.replay, args.report, args.quiet)
        else:
            _study(args)


def _study(args: argparse.Namespace) -> None:
    from fleetline.study.report import write_report

    config = config_from_args(args)
    folder: Path = args.out
    began = walltime.monotonic()
    if args.report_only:
        runs = load_runs(folder)
    else:
        total = (
            sum(f.seeds for f in config.fleets)
            + len([s for s in config.sensitivity_scales if s != 1.0]) * config.sensitivity_seeds
        )
        print(
            f"Playing {2 * total} simulated days ({total} seeds x 2 modes), "
            f"{config.processes} at a time, into {folder}",
            flush=True,
        )
        runs = run_days(config, folder, lambda line: print(line, flush=True))
    elapsed = walltime.monotonic() - began
    path = write_report(config, runs, folder, None if args.report_only else elapsed)
    print(f"report written to {path}")


__all__ = ["DisruptionRates", "InquiryModel", "OperatorModel", "UnitCosts", "add_study_parser"]
