"""``fleetline study``: the same disrupted days played siloed and unified, and the report."""

from __future__ import annotations

import json
from datetime import datetime, time
from pathlib import Path
from typing import Any

import httpx
import pytest

from fleetline.cli import main
from fleetline.sim.config import DisruptionRates, SimConfig
from fleetline.sim.inquiries import InquiryModel
from fleetline.sim.local import run_in_process
from fleetline.sim.modes import OperatorModel
from fleetline.sim.report import SimReport
from fleetline.study.config import QUICK
from fleetline.study.measures import day_measures
from fleetline.study.stats import t_interval

from ..conftest import made_once


def _play_quick_study(folder: Path) -> None:
    assert main(["study", "--quick", "--out", str(folder)]) == 0


@pytest.fixture(scope="session")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The quick study (3 trucks, 2 seeds, both modes, until 09:45), played once a run."""
    return made_once(tmp_path_factory, "quick-study", _play_quick_study)


def _days(folder: Path) -> dict[str, dict[str, Any]]:
    runs = json.loads((folder / "days" / "runs.json").read_text())
    return {run["name"]: json.loads((folder / run["report"]).read_text()) for run in runs}


@pytest.mark.timeout(1200)
def test_the_report_is_made_from_the_days_it_lists(study: Path) -> None:
    """Every figure of the report comes from the day reports beside it: the measures in
    study.json are those of each day's report, the KPI table shows their means and
    intervals, each day has its config and replay command, and the charts exist. A
    reader could otherwise not trace a number back to a day."""
    figures = json.loads((study / "study.json").read_text())
    days = _days(study)
    assert len(figures["days"]) == 4 == len(days)
    for day in figures["days"]:
        report = days[day["name"]]
        assert day["measures"] == day_measures(report, QUICK.costs)
        assert report["mode"] == day["mode"]
        assert (study / day["config"]).exists()
    text = (study / "report.md").read_text()
    for mode in ("siloed", "unified"):
        on_time = [d["measures"]["on_time_pct"] for d in figures["days"] if d["mode"] == mode]
        assert t_interval(on_time).clip(0, 100).text(1) in text
    for day in figures["days"]:
        assert f"uv run fleetline study --replay {day['config']}" in text
    assert "Against the figures distributors are promised" in text
    assert "+8 to +15 points" in text and "What the differences are worth a year" in text
    assert (study / "charts" / "kpis.png").stat().st_size > 1000


@pytest.mark.timeout(1200)
def test_a_day_of_the_report_replays_to_the_same_figures(study: Path, tmp_path: Path) -> None:
    """The replay command the report gives plays the day again to the figures it shows:
    every number can be traced to a day anyone can play again."""
    runs = json.loads((study / "days" / "runs.json").read_text())
    unified = next(run for run in runs if run["name"].endswith("unified"))
    again = tmp_path / "again.json"
    config = study / unified["config"]
    assert main(["study", "--replay", str(config), "--report", str(again), "--quiet"]) == 0
    first = json.loads((study / unified["report"]).read_text())
    replayed = json.loads(again.read_text())
    assert day_measures(replayed, QUICK.costs) == day_measures(first, QUICK.costs)


def test_both_modes_of_a_seed_see_the_same_disruptions_and_plan(study: Path) -> None:
    """A seed's siloed and unified days start from the same morning routes and draw the
    same breakdowns, window changes and incidents at the same moments, so the difference
    between them is the way the day is run, not luck."""
    days = _days(study)
    for seed in (1, 2):
        unified, siloed = (
            days[f"3-trucks-seed-{seed}-unified"],
            days[f"3-trucks-seed-{seed}-siloed"],
        )
        drawn = [{k: v for k, v in d.items() if k != "applied"} for d in unified["disruptions"]]
        assert drawn == [
            {k: v for k, v in d.items() if k != "applied"} for d in siloed["disruptions"]
        ]
        assert unified["plan"]["routes"] == siloed["plan"]["routes"]
        assert [t["pace"] for t in unified["trucks"]] == [t["pace"] for t in siloed["trucks"]]
        assert siloed["parameters"]["plan_from"] == f"3-trucks-seed-{seed}-unified.json"


def test_each_mode_is_set_up_through_the_api(study: Path) -> None:
    """Siloed days run with every re-planning policy on approve and the message hold on,
    so no client hears anything; unified days keep the product's policies and send
    messages. The inquiries the system counts are the calls the clients made."""
    for name, day in _days(study).items():
        called = sum(1 for c in day["inquiries"] if c["called"])
        assert day["kpis"]["inquiries"] == called, name
        if day["mode"] == "siloed":
            assert {p["mode"] for p in day["setup"]["policies"]} == {"approve"}
            assert day["setup"]["hold"]["held"] is True
            assert day["kpis"]["notifications_sent"] == 0
        else:
            assert day["setup"]["hold"] is None
            assert day["kpis"]["notifications_sent"] > 0


@pytest.mark.timeout(900)
def test_a_late_client_nobody_told_calls_and_the_kpis_count_it() -> None:
    """On a siloed day with a breakdown at 08:00 nobody tells a client anything: each
    client whose delivery has not come by the middle of its window, or is late, calls
    (probability 1 when not told), each call is a real inquiry on its order, and
    GET /kpis counts exactly those calls."""
    sure = InquiryModel(p_late_untold=1.0, p_uncertain_untold=1.0, wide_window_h=0.5)
    config = SimConfig(
        trucks=3,
        orders=24,
        seed=1,
        time_limit_s=10.0,
        plan_iterations=400,
        option_iterations=100,
        rates=DisruptionRates(),
        forced_breakdowns=((-1, "08:00"),),
        until=time(10, 45),
        operator=OperatorModel.siloed(),
        inquiries=sure,
        tick_s=60,
        batch_s=120,
        poll_s=240,
        look_s=60,
    )
    seen: dict[str, Any] = {}

    def look(client: httpx.Client, report: SimReport) -> None:
        seen["kpis"] = client.get("/api/v1/kpis", params={"date": config.day.isoformat()}).json()
        page = client.get("/api/v1/orders", params={"date": config.day.isoformat()}).json()
        ids = {order["reference"]: order["id"] for order in page["orders"]}
        seen["logged"] = {
            call["order"]: client.get(f"/api/v1/orders/{ids[call['order']]}/inquiries").json()
            for call in report.inquiries
            if call["called"]
        }

    report = run_in_process(config, after=look)
    calls = [c for c in report.inquiries if c["called"]]
    assert calls, "a breakdown at 08:00 leaves some clients without their delivery"
    assert all(not c["told"] for c in calls)
    assert all(c["called"] for c in report.inquiries), "probability 1: every client calls"
    assert seen["kpis"]["inquiries"] == len(calls)
    for reference, logged in seen["logged"].items():
        assert [i["channel"] for i in logged] == ["phone"], reference
    breakdown = next(e for e in report.exceptions if e["kind"] == "breakdown")
    assert 15 * 60 <= breakdown["response_s"] <= 45 * 60 + 2 * 180 + 300
    for call in calls:
        assert datetime.fromisoformat(call["at"]) <= datetime.fromisoformat(report.ended_at)
