"""What a simulated day came to: the system's figures and each truck's day, read at the end."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime

from fleetline.sim.client import FleetApi
from fleetline.sim.disruptions import Dispatcher
from fleetline.sim.inquiries import Clients
from fleetline.sim.report import SimReport, TruckSummary
from fleetline.sim.truck import Fix, Phase, SimTruck


def report_end(report: SimReport) -> datetime:
    """The simulated moment the day's loop stopped."""
    return datetime.fromisoformat(report.ended_at)


def progress_line(trucks: Sequence[SimTruck]) -> str:
    """How many trucks are out, home and broken down."""
    phases = [t.phase for t in trucks]
    return (
        f"{sum(p in (Phase.DRIVING, Phase.SERVING) for p in phases)} trucks out, "
        f"{phases.count(Phase.HOME)} home, {phases.count(Phase.BROKEN)} broken down"
    )


def truck_summary(truck: SimTruck, report: SimReport, fixes: Sequence[Fix]) -> TruckSummary:
    """One truck's day: its stops reported, distance, overtime and positions sent."""
    mine = [e for e in report.journal if e.truck == truck.name]
    return TruckSummary(
        name=truck.name,
        pace=truck.pace,
        status=truck.phase.value,
        distance_km=round(truck.distance_m / 1000, 1),
        completed=sum(e.type == "completed" for e in mine),
        failed=sum(e.type == "failed" for e in mine),
        overtime_s=truck.overtime_until(report_end(report)),
        home_at=truck.home_at.isoformat() if truck.home_at else None,
        positions=sum(f.vehicle_id == truck.vehicle_id for f in fixes),
    )


def complete_report(
    report: SimReport,
    api: FleetApi,
    day: str,
    dispatcher: Dispatcher,
    trucks: Sequence[SimTruck],
    fixes: Sequence[Fix],
    clients: Clients | None,
) -> None:
    """Fill in the report once the day has ended.

    Parameters
    ----------
    report
        The day's report, its journal and end written.
    api
        The system's API (its figures of the day, and what it left unplanned).
    day
        The day, ISO format.
    dispatcher
        The dispatcher's decisions.
    trucks, fixes
        The simulated trucks and every position sent.
    clients
        The simulated clients, when they called in.
    """
    report.kpis = api.need("GET", "/api/v1/kpis", date=day)
    report.unplanned = len(api.need("GET", "/api/v1/live", date=day)["unplanned_orders"])
    report.exceptions = [
        {
            **dataclasses.asdict(d),
            "seen_at": d.seen_at.isoformat(),
            "decided_at": d.decided_at.isoformat() if d.decided_at else None,
            "due_at": d.due_at.isoformat() if d.due_at else None,
        }
        for d in dispatcher.decisions.values()
    ]
    report.trucks = [truck_summary(t, report, fixes) for t in trucks]
    if clients is not None:
        report.inquiries = [dataclasses.asdict(c) for c in clients.calls]
    report.requests = api.requests
    report.refused = list(api.refused)
