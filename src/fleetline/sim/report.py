"""What a simulated day came to: the system's own figures, and how to play it again."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One stop report sent, named by truck and order reference (stable between runs)."""

    at: str
    truck: str
    order: str
    type: str
    reason: str | None = None


@dataclass(slots=True)
class TruckSummary:
    """One truck's day in the simulated world."""

    name: str
    pace: float
    status: str
    distance_km: float
    completed: int
    failed: int
    positions: int
    overtime_s: int = 0
    """Seconds the truck came home after its shift's end, in the simulated world."""
    home_at: str | None = None


@dataclass(slots=True)
class SimReport:
    """The simulated day's outcome.

    Attributes
    ----------
    parameters
        Every parameter of the run, the seed among them (see
        :meth:`~fleetline.sim.config.SimConfig.from_dict`).
    kpis
        ``GET /api/v1/kpis`` at the end of the day: the system's own figures.
    plan
        The morning plan: its id and, per truck name, the order references in sequence
        (``--plan-from`` imports these to replay the day without solving).
    trucks
        Each truck's day.
    exceptions
        Each exception and the dispatcher's decision, with its response time.
    disruptions
        What was injected, and whether it took effect.
    journal
        Every stop report, in the order sent.
    mode, setup
        How the company was run (``unified`` or ``siloed``) and what was set through the
        API for it (policies, message hold).
    inquiries
        Each simulated client's decision when an inquiry rule fired (called or not).
    """

    parameters: dict[str, Any]
    started_at: str = ""
    ended_at: str = ""
    kpis: dict[str, Any] = field(default_factory=dict)
    plan: dict[str, Any] = field(default_factory=dict)
    trucks: list[TruckSummary] = field(default_factory=list)
    exceptions: list[dict[str, Any]] = field(default_factory=list)
    disruptions: list[dict[str, Any]] = field(default_factory=list)
    journal: list[JournalEntry] = field(default_factory=list)
    positions_sent: int = 0
    requests: int = 0
    refused: list[str] = field(default_factory=list)
    unplanned: int = 0
    mode: str = "unified"
    setup: dict[str, Any] = field(default_factory=dict)
    inquiries: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready values."""
        return asdict(self)

    def write(self, path: Path) -> None:
        """Write the report as JSON."""
        path.write_text(json.dumps(self.as_dict(), indent=2, ensure_ascii=False) + "\n", "utf-8")

    def summary(self) -> str:
        """A few lines for a person."""
        k = self.kpis
        rate = k.get("on_time_rate")
        median = k.get("exception_response_s_median")
        decided = [e for e in self.exceptions if e.get("response_s") is not None]
        lines = [
            f"Simulated day {self.parameters.get('day')} (seed {self.parameters.get('seed')}): "
            f"{len(self.trucks)} trucks, {k.get('orders', '?')} orders, "
            f"{self.started_at[11:16]}-{self.ended_at[11:16]} simulated",
            f"  orders completed {k.get('orders_completed', 0)}, failed "
            f"{k.get('orders_failed', 0)}, late {k.get('late_orders', 0)}, "
            f"not planned {self.unplanned}",
            "  on-time rate "
            + (f"{rate:.1%}" if isinstance(rate, int | float) else "n/a")
            + f", distance {(k.get('distance_m') or 0) / 1000:.0f} km, overtime "
            f"{(k.get('overtime_s') or 0) / 60:.0f} min, plan versions {k.get('plan_versions', 1)}",
            f"  exceptions {len(self.exceptions)} ({len(decided)} resolved), median response "
            + (f"{median:.0f} s" if isinstance(median, int | float) else "n/a"),
            f"  disruptions injected {sum(1 for d in self.disruptions if d.get('applied'))} of "
            f"{len(self.disruptions)} drawn; {len(self.journal)} stop reports, "
            f"{self.positions_sent} positions, {len(self.refused)} refused",
        ]
        return "\n".join(lines)
