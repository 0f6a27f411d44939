"""Playing the study's days: each a ``fleetline study --replay`` of its own config file.

A seed's two days (unified, siloed) form a pair: the unified day solves the morning plan,
and the siloed day imports that plan as it is, so both start from the same routes and see
the same disruptions; the only difference is how the day is run. Pairs run side by side
in ``processes`` worker processes. Every day is played by the very command that replays it,
so the report's numbers come from days anyone can play again.
"""

from __future__ import annotations

import json
import sys
import threading
import time as walltime
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fleetline.sim.config import SimConfig
from fleetline.sim.modes import SILOED, UNIFIED
from fleetline.study.config import StudyConfig
from fleetline.study.processes import DayProcesses

STUDY_COMMAND = (sys.executable, "-m", "fleetline.cli", "study")
DAYS = "days"
"""The folder beside the report that holds each day's config and report."""


class StudyFailed(RuntimeError):
    """A simulated day of the study did not finish."""


@dataclass(frozen=True, slots=True)
class Pair:
    """One seed of one company size at one disruption scale, played in both modes."""

    trucks: int
    seed: int
    scale: float = 1.0

    def name(self, mode: str) -> str:
        """The day's file name stem, e.g. ``30-trucks-seed-2-unified``."""
        scale = "" if self.scale == 1.0 else f"-rates-x{self.scale:g}"
        return f"{self.trucks}-trucks-seed-{self.seed}{scale}-{mode}"


@dataclass(slots=True)
class DayRun:
    """A day played: where its config and report are, and how long it took."""

    name: str
    trucks: int
    seed: int
    scale: float
    mode: str
    config: str
    report: str
    wall_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


def pairs_of(config: StudyConfig) -> list[Pair]:
    """Every pair the study plays: the fleets' seeds, then the sensitivity runs."""
    pairs = [
        Pair(fleet.trucks, config.first_seed + n)
        for fleet in config.fleets
        for n in range(fleet.seeds)
    ]
    for scale in config.sensitivity_scales:
        if scale == 1.0:
            continue
        pairs += [
            Pair(config.sensitivity_trucks, config.first_seed + n, scale)
            for n in range(config.sensitivity_seeds)
        ]
    return pairs


def replay_command(config_file: str) -> str:
    """The command line that plays a day again from the report's folder."""
    return f"uv run fleetline study --replay {config_file} --report replayed.json"


def write_day_config(path: Path, day: SimConfig, plan_from: str | None) -> None:
    """Write a day's configuration file (``plan_from`` relative to its folder)."""
    values = day.as_dict()
    values["plan_from"] = plan_from
    document = {"replay": replay_command(f"{DAYS}/{path.name}"), "config": values}
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def load_day_config(path: Path) -> SimConfig:
    """The day a configuration file describes (``plan_from`` read from its folder)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    values = dict(document.get("config", document))
    if values.get("plan_from"):
        values["plan_from"] = str(path.parent / values["plan_from"])
    return SimConfig.from_dict(values)


def play(config_file: Path, report_file: Path, processes: DayProcesses | None = None) -> float:
    """Play one day in a fresh process with the replay command; the seconds it took.

    Raises
    ------
    StudyFailed
        When the day's process failed or wrote no report.
    StudyStopped
        When the study stopped it (another day failed, or Ctrl-C).
    """
    began = walltime.monotonic()
    command = [
        *STUDY_COMMAND,
        "--replay",
        str(config_file),
        "--report",
        str(report_file),
        "--quiet",
    ]
    code, out, err = (processes or DayProcesses()).run(command)
    if code != 0 or not report_file.exists():
        tail = (err or out).strip().splitlines()[-5:]
        raise StudyFailed(f"the day {config_file.name} failed: " + " / ".join(tail))
    return walltime.monotonic() - began


def play_pair(
    config: StudyConfig,
    pair: Pair,
    folder: Path,
    log: Callable[[str], None],
    processes: DayProcesses | None = None,
) -> list[DayRun]:
    """Play a pair: unified (solving the morning plan), then siloed on the same plan."""
    days = folder / DAYS
    runs = []
    plan_from: str | None = None
    for mode in (UNIFIED, SILOED):
        name = pair.name(mode)
        config_file, report_file = days / f"{name}.config.json", days / f"{name}.json"
        write_day_config(
            config_file, config.day(pair.trucks, pair.seed, mode, pair.scale), plan_from
        )
        seconds = play(config_file, report_file, processes)
        if plan_from is None:  # its replay imports the plan it solved
            plan_from = report_file.name
            write_day_config(
                config_file, config.day(pair.trucks, pair.seed, mode, pair.scale), plan_from
            )
        runs.append(
            DayRun(
                name,
                pair.trucks,
                pair.seed,
                pair.scale,
                mode,
                f"{DAYS}/{config_file.name}",
                f"{DAYS}/{report_file.name}",
                round(seconds, 1),
            )
        )
        log(f"  {name}: {seconds:.0f} s")
    return runs


def run_days(config: StudyConfig, folder: Path, log: Callable[[str], None] = print) -> list[DayRun]:
    """Play every day of the study into ``folder/days``; the runs, in study order.

    Days run side by side in ``config.processes`` processes. When one fails, or on Ctrl-C,
    the days still running are stopped with their solvers, no further day starts, and
    the error is raised.
    """
    (folder / DAYS).mkdir(parents=True, exist_ok=True)
    pairs = pairs_of(config)
    done: dict[Pair, list[DayRun]] = {}
    lock = threading.Lock()
    processes = DayProcesses()

    def play_and_note(pair: Pair) -> None:
        runs = play_pair(config, pair, folder, log, processes)
        with lock:  # the days played so far, in study order, after each pair
            done[pair] = runs
            played = [run for p in pairs if p in done for run in done[p]]
            (folder / DAYS / "runs.json").write_text(
                json.dumps([run_as_dict(r) for r in played], indent=2) + "\n", encoding="utf-8"
            )

    # the longest pairs first (more trucks, then more disruptions), the short ones fill in
    order = sorted(pairs, key=lambda p: (-p.trucks, -p.scale))
    workers = ThreadPoolExecutor(max_workers=config.processes, thread_name_prefix="study-day")
    futures = [workers.submit(play_and_note, pair) for pair in order]
    try:
        for future in as_completed(futures):
            future.result()
    except BaseException:
        for future in futures:
            future.cancel()
        stopped = processes.stop_all()
        workers.shutdown(wait=True, cancel_futures=True)
        if stopped:
            log(f"  stopped the {stopped} days still playing")
        raise
    workers.shutdown(wait=True)
    return [run for pair in pairs for run in done[pair]]


def run_as_dict(run: DayRun) -> dict[str, Any]:
    """A run as JSON-ready values."""
    return {
        "name": run.name,
        "trucks": run.trucks,
        "seed": run.seed,
        "scale": run.scale,
        "mode": run.mode,
        "config": run.config,
        "report": run.report,
        "wall_s": run.wall_s,
    }


def load_runs(folder: Path) -> list[DayRun]:
    """The runs a study wrote into ``folder/days`` (to write its report again)."""
    listed = json.loads((folder / DAYS / "runs.json").read_text(encoding="utf-8"))
    return [DayRun(**item) for item in listed]
