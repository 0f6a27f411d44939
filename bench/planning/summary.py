"""Summarise benchmark rows: gap to best-known per set and solver, as markdown."""

from __future__ import annotations

import csv
import statistics
from collections import defaultdict
from pathlib import Path

SET_ORDER = ["Solomon", "GH200", "GH1000"]


def read_rows(path: Path) -> list[dict[str, str]]:
    """Read the rows of a results CSV."""
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def _feasible(row: dict[str, str]) -> bool:
    return row.get("feasible") == "True"


def instance_class(name: str) -> str:
    """The class of an instance: ``C1``, ``C2``, ``R1``, ``R2``, ``RC1`` or ``RC2``."""
    return name.split("_")[0] if "_" in name else name[:-2]


def _group(row: dict[str, str], by_class: bool) -> str:
    return f"{row['set']} {instance_class(row['instance'])}" if by_class else row["set"]


def markdown_summary(rows: list[dict[str, str]], *, by_class: bool = False) -> str:
    """Mean/median gap over feasible solutions, feasible counts, wall time and wins.

    "best" counts the instances of the set on which the solver's checked distance is the
    lowest of the solvers present for that instance (ties count for each tied solver);
    an infeasible result never wins. With ``by_class`` rows are per set and class.
    """
    groups: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    by_instance: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        groups[(_group(row, by_class), row["solver"])].append(row)
        by_instance[row["instance"]].append(row)
    wins: dict[tuple[str, str], int] = defaultdict(int)
    for inst_rows in by_instance.values():
        ok = [r for r in inst_rows if _feasible(r)]
        if ok:
            best = min(float(r["distance"]) for r in ok)
            for r in ok:
                if float(r["distance"]) <= best + 1e-9:
                    wins[(_group(r, by_class), r["solver"])] += 1
    lines = [
        "| set | solver | limit (s) | instances | feasible | mean gap % | median gap % "
        "| best | mean wall (s) | max wall (s) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    order = {s: i for i, s in enumerate(SET_ORDER)}
    for (set_name, solver), grp in sorted(
        groups.items(), key=lambda kv: (order.get(kv[0][0].split()[0], 9), kv[0])
    ):
        gaps = [float(r["gap_pct"]) for r in grp if _feasible(r)]
        walls = [float(r["wall_s"]) for r in grp if r.get("wall_s")]
        limits = sorted({r["time_limit_s"] for r in grp})
        lines.append(
            f"| {set_name} | {solver} | {'/'.join(limits)} | {len(grp)} | {len(gaps)} "
            f"| {statistics.mean(gaps) if gaps else float('nan'):.2f} "
            f"| {statistics.median(gaps) if gaps else float('nan'):.2f} "
            f"| {wins[(set_name, solver)]} "
            f"| {statistics.mean(walls) if walls else float('nan'):.1f} "
            f"| {max(walls) if walls else float('nan'):.1f} |"
        )
    return "\n".join(lines)
