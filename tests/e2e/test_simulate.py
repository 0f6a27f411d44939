"""A simulated day against the system: trucks, drivers and a dispatcher through the API."""

from __future__ import annotations

import json
import pickle
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from fleetline.cli import main
from fleetline.sim.config import SimConfig
from fleetline.sim.day import SimulatedDay
from fleetline.sim.local import run_in_process
from fleetline.sim.report import SimReport
from fleetline.sim.truck import Fix

from ..conftest import made_once

SMALL = SimConfig(trucks=4, orders=40, seed=3, time_limit_s=10.0, plan_iterations=400)


@dataclass
class Played:
    report: SimReport
    fixes: list[Fix]
    """Every GPS fix the trucks sent."""
    shifts: dict[str, datetime]
    """Each truck's shift start, by vehicle id."""
    path: Path
    """The day's report, written as ``fleetline simulate --report`` writes it."""


def _play_small_day(folder: Path) -> None:
    kept: list[SimulatedDay] = []
    report = run_in_process(SMALL, keep=kept.append)
    report.write(folder / "day.json")
    shifts = {truck.vehicle_id: truck.shift_start for truck in kept[0].trucks}
    with (folder / "played.pickle").open("wb") as out:
        pickle.dump((report, kept[0].fixes, shifts), out)


@pytest.fixture(scope="session")
def small_day(tmp_path_factory: pytest.TempPathFactory) -> Played:
    """The small day of 4 trucks and 40 orders, played once a run for several tests."""
    folder = made_once(tmp_path_factory, "small-day", _play_small_day)
    with (folder / "played.pickle").open("rb") as saved:
        report, fixes, shifts = pickle.load(saved)
    return Played(report, fixes, shifts, folder / "day.json")


def test_a_small_day_runs_to_the_end(small_day: Played) -> None:
    """Every order ends completed or failed, every truck sends positions, and the day's
    figures come back with an on-time rate: a day a dispatcher could look back on."""
    report = small_day.report
    kpis = report.kpis
    assert report.unplanned == 0
    assert kpis["orders"] == 40
    assert kpis["orders_completed"] + kpis["orders_failed"] == 40
    assert 0.0 <= kpis["on_time_rate"] <= 1.0
    assert len(report.trucks) == 4
    assert all(truck.positions > 0 for truck in report.trucks)
    assert all(truck.status == "home" for truck in report.trucks)
    assert report.refused == []
    finals = {e.order for e in report.journal if e.type in ("completed", "failed")}
    assert len(finals) == 40
    assert report.parameters["seed"] == 3 and report.parameters["trucks"] == 4


def test_a_trip_of_positions_never_jumps_back_in_time(small_day: Played) -> None:
    """Each truck's positions go forward in time, and none is sent before its shift."""
    trips: dict[str, list[Any]] = defaultdict(list)
    for fix in small_day.fixes:
        trips[fix.vehicle_id].append(fix)
    shifts = small_day.shifts
    assert set(trips) == set(shifts)
    for vehicle_id, trip in trips.items():
        times = [fix.at for fix in trip]
        assert times == sorted(times) and len(set(times)) == len(times)
        assert times[0] >= shifts[vehicle_id]


def test_each_stop_is_reported_arrived_then_done(small_day: Played) -> None:
    """A stop is reported arrived, then completed or failed, never the other way round."""
    seen: dict[str, list[str]] = defaultdict(list)
    for entry in small_day.report.journal:
        seen[entry.order].append(entry.type)
    assert all(
        types[0] == "arrived" and types[-1] in ("completed", "failed") for types in seen.values()
    )


def test_the_same_seed_and_plan_give_the_same_day(small_day: Played, tmp_path: Path) -> None:
    """Replaying a report's parameters and morning plan (``--plan-from``) gives the same
    stop reports at the same moments, so a day can be replayed and looked into."""
    again = tmp_path / "again.json"
    options = ["--trucks", "4", "--orders", "40", "--seed", "3", "--time-limit", "1"]
    code = main(["simulate", *options, "--plan-from", str(small_day.path), "--report", str(again)])
    assert code == 0
    replay = json.loads(again.read_text())
    first = json.loads(small_day.path.read_text())
    assert replay["plan"]["routes"] == first["plan"]["routes"]
    assert replay["journal"] == first["journal"]
    assert replay["kpis"]["on_time_rate"] == first["kpis"]["on_time_rate"]


def test_a_breakdown_is_resolved_and_its_orders_move(tmp_path: Path) -> None:
    """A truck breaks down mid-morning: an exception opens, the simulated dispatcher picks
    the first-ranked option after its decision delay, and the broken truck's remaining
    orders end on other trucks or are postponed, never on the broken truck."""
    config = SimConfig(
        trucks=4,
        orders=40,
        seed=3,
        time_limit_s=10.0,
        plan_iterations=400,
        option_iterations=100,
        forced_breakdowns=((-1, "09:30"),),
    )
    seen: dict[str, Any] = {}

    def look(client: httpx.Client, report: SimReport) -> None:
        answer = client.get("/api/v1/exceptions", params={"date": config.day.isoformat()})
        seen["exceptions"] = answer.json()
        seen["orders"] = {
            a["order_id"]: client.get(f"/api/v1/orders/{a['order_id']}").json()
            for e in seen["exceptions"]
            for a in e["affected_orders"]
        }

    report = run_in_process(config, after=look)
    [breakdown] = [e for e in seen["exceptions"] if e["kind"] == "breakdown"]
    assert breakdown["status"] == "resolved"
    assert (
        breakdown["chosen_option_id"]
        == sorted(breakdown["options"], key=lambda o: o["rank"])[0]["id"]
    )
    assert breakdown["response_s"] == config.decision_delay_s
    broken = next(t for t in report.trucks if t.status == "broken")
    opened = datetime.fromisoformat(breakdown["opened_at"])
    after = [
        e
        for e in report.journal
        if e.truck == broken.name and datetime.fromisoformat(e.at) > opened
    ]
    assert after == []
    tomorrow = (config.day + timedelta(days=1)).isoformat()
    moved = 0
    for entry in breakdown["affected_orders"]:
        order = seen["orders"][entry["order_id"]]
        done_by = {
            e.truck
            for e in report.journal
            if e.order == order["reference"] and e.type == "completed"
        }
        assert broken.name not in done_by
        moved += bool(done_by) or order["date"] == tomorrow
    assert moved >= 1
    assert report.kpis["plan_versions"] >= 2
    assert "breakdown" in [e["kind"] for e in report.exceptions]
    assert all(e["decided_at"] is not None for e in report.exceptions)
    assert date.fromisoformat(report.parameters["day"]) == config.day
