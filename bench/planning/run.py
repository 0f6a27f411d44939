"""Run the planning benchmark and print a markdown summary.

Examples (from the repository root)::

    uv run --group bench python -m bench.planning.run --set solomon --time-limit 10 \
        --out bench/planning/results/solomon-10s.csv
    uv run --group bench python -m bench.planning.run --set gh1000 --time-limit 60 \
        --instances C1_10_1 R1_10_1 --solvers fleetline vroom --out bench/planning/results/x.csv
    uv run --group bench python -m bench.planning.run --summarize bench/planning/results/*.csv

Solvers run one at a time, one instance at a time; each row is written as soon as it is
known, so an interrupted run keeps its results.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import traceback
from pathlib import Path

from bench.planning.instances import SETS, check, gap_pct, load, names
from bench.planning.runners import RUNNERS
from bench.planning.summary import markdown_summary, read_rows

FIELDS = [
    "instance",
    "set",
    "solver",
    "time_limit_s",
    "distance",
    "bks",
    "gap_pct",
    "vehicles",
    "bks_vehicles",
    "feasible",
    "wall_s",
    "load_1m",
    "status",
]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", default="solomon", choices=[*SETS, "all"])
    parser.add_argument("--instances", nargs="+", help="names (space or comma separated)")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per solve")
    parser.add_argument("--solvers", nargs="+", default=list(RUNNERS), help="solvers to run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="CSV to write (default: none)")
    parser.add_argument("--append", action="store_true", help="append to --out")
    parser.add_argument("--summarize", nargs="+", type=Path, help="only summarise these CSVs")
    parser.add_argument("--by-class", action="store_true", help="summary per instance class")
    return parser.parse_args(argv)


def _split(values: list[str]) -> list[str]:
    return [v for item in values for v in item.split(",") if v]


def solve_one(name: str, solver: str, time_limit_s: float, seed: int) -> dict[str, object]:
    """Run one solver on one instance and return its checked CSV row."""
    inst = load(name)
    row: dict[str, object] = {
        "instance": name,
        "set": inst.set_name,
        "solver": solver,
        "time_limit_s": time_limit_s,
        "bks": inst.bks,
        "bks_vehicles": inst.bks_vehicles,
        "load_1m": round(os.getloadavg()[0], 2),
    }
    try:
        run = RUNNERS[solver](inst, time_limit_s, seed)
    except Exception as exc:  # a crashing solver is a result, not the end of the run
        traceback.print_exc()
        return {**row, "feasible": False, "status": f"error: {exc!r}"[:200]}
    result = check(inst, run.routes)
    status = run.status if result.feasible else "; ".join([run.status, *result.errors[:3]])
    return {
        **row,
        "distance": result.distance_units,
        "gap_pct": round(gap_pct(inst, result), 3) if result.feasible else "",
        "vehicles": result.vehicles,
        "feasible": result.feasible,
        "wall_s": round(run.wall_s, 2),
        "status": status,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or only summarise existing CSVs) and print the summary."""
    args = parse_args(argv)
    if args.summarize:
        rows = [r for p in args.summarize for r in read_rows(p)]
        print(markdown_summary(rows, by_class=args.by_class))
        return 0
    solvers = _split(args.solvers)
    unknown = set(solvers) - set(RUNNERS)
    if unknown:
        sys.exit(f"unknown solvers: {sorted(unknown)}")
    instances = _split(args.instances) if args.instances else names(args.set)
    rows: list[dict[str, object]] = []
    out = None
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        fresh = not (args.append and args.out.exists())
        out = args.out.open("a" if not fresh else "w", newline="")
        writer = csv.DictWriter(out, fieldnames=FIELDS)
        if fresh:
            writer.writeheader()
    try:
        for name in instances:
            for solver in solvers:
                row = solve_one(name, solver, args.time_limit, args.seed)
                rows.append(row)
                print(
                    f"{name:10} {solver:10} dist={row.get('distance', '')!s:>9} "
                    f"gap={row.get('gap_pct', '')!s:>7}% veh={row.get('vehicles', '')!s:>3} "
                    f"feasible={row['feasible']} wall={row.get('wall_s', '')}s "
                    f"load={row['load_1m']} {row['status']}",
                    flush=True,
                )
                if out is not None:
                    writer.writerow(row)
                    out.flush()
    finally:
        if out is not None:
            out.close()
    print()
    print(markdown_summary([{k: str(v) for k, v in r.items()} for r in rows]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
