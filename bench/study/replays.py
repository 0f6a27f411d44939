"""Replay days of a study and check they give the figures of its report.

``uv run python bench/study/replays.py [--study docs/study] [--days NAME ...] [--side-by-side]``
plays each day again from its config file (``fleetline study --replay``), in processes of
its own (two at a time with ``--side-by-side``, so that the machine is busy as in the
study), and compares with the day in the report: the stop reports one by one (truck, stop,
kind, moment), the day's measures (on-time, inquiries, overtime, distance, exceptions and
their response), and the simulated clients' calls. Prints one row per day and exits
non-zero when one differs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from fleetline.study.config import UnitCosts
from fleetline.study.measures import day_measures

DEFAULT_DAYS = ("30-trucks-seed-2-unified", "30-trucks-seed-1-rates-x2-unified")


def _replay(study: Path, name: str, out: Path) -> tuple[str, float, dict[str, Any]]:
    started = time.perf_counter()
    config = study / "days" / f"{name}.config.json"
    subprocess.run(
        ["fleetline", "study", "--replay", str(config), "--report", str(out), "--quiet"],
        check=True,
        cwd=study,
    )
    return name, time.perf_counter() - started, json.loads(out.read_text())


def _calls(report: dict[str, Any]) -> list[str]:
    return sorted(json.dumps(call, sort_keys=True) for call in report["inquiries"])


def main() -> None:
    """Replay the days and print how they compare with the report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--study", type=Path, default=Path("docs/study"))
    parser.add_argument("--days", nargs="+", default=list(DEFAULT_DAYS))
    parser.add_argument("--side-by-side", action="store_true")
    args = parser.parse_args()
    study = args.study.resolve()
    settings = json.loads((study / "study.json").read_text())
    costs = UnitCosts(**settings["config"]["costs"])
    folder = Path(tempfile.mkdtemp(prefix="replays-"))
    with ThreadPoolExecutor(max_workers=2 if args.side_by_side else 1) as pool:
        results = list(
            pool.map(lambda name: _replay(study, name, folder / f"{name}.json"), args.days)
        )
    print("| day | wall s | stop reports | same reports | same measures | same calls |")
    print("|---|---|---|---|---|---|")
    differs = False
    for name, seconds, again in results:
        first = json.loads((study / "days" / f"{name}.json").read_text())
        same = (
            again["journal"] == first["journal"],
            day_measures(again, costs) == day_measures(first, costs),
            _calls(again) == _calls(first),
        )
        differs = differs or not all(same)
        marks = " | ".join("yes" if s else "**no**" for s in same)
        print(f"| {name} | {seconds:.0f} | {len(again['journal'])} | {marks} |")
    sys.exit(1 if differs else 0)


if __name__ == "__main__":
    main()
