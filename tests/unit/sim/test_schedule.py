"""The day's disruptions, the dispatcher's timing and the parameters of a replay."""

from __future__ import annotations

from datetime import datetime, timedelta

from fleetline.sim.company import LIECHTENSTEIN
from fleetline.sim.config import DisruptionRates, SimConfig
from fleetline.sim.disruptions import Dispatcher, incident_body, moved_windows, schedule

START = datetime.fromisoformat("2026-11-26T07:00:00+01:00")
REFS = [f"PO-{n:03d}" for n in range(200)]


def _config(**rates: float) -> SimConfig:
    return SimConfig(trucks=20, orders=200, seed=11, rates=DisruptionRates(**rates))


def test_the_same_seed_draws_the_same_disruptions() -> None:
    """Same seed and rates: the same disruptions at the same moments, in time order."""
    config = _config(breakdowns=0.2, window_changes=0.1, incidents=0.3)
    first = schedule(config, 20, REFS, START, LIECHTENSTEIN)
    assert first == schedule(config, 20, REFS, START, LIECHTENSTEIN)
    assert [d.at for d in first] == sorted(d.at for d in first)
    assert {d.kind for d in first} == {"breakdown", "window_change", "incident"}
    assert all(d.at.microsecond == 0 for d in first)
    other = SimConfig(trucks=20, orders=200, seed=12, rates=config.rates)
    assert schedule(other, 20, REFS, START, LIECHTENSTEIN) != first


def test_no_rates_draw_nothing_but_the_forced_breakdowns() -> None:
    """A quiet day has no disruptions except those asked for by name and time."""
    quiet = SimConfig(trucks=5, orders=50, forced_breakdowns=((2, "09:30"), (-1, "11:00")))
    drawn = schedule(quiet, 5, REFS[:50], START, LIECHTENSTEIN)
    assert [(d.kind, d.truck, d.at.strftime("%H:%M")) for d in drawn] == [
        ("breakdown", 2, "09:30"),
        ("breakdown", None, "11:00"),
    ]


def test_incidents_become_valid_api_bodies() -> None:
    """A slowdown carries its factor, a closure none, and both end after they start."""
    drawn = schedule(_config(incidents=1.0), 20, REFS, START, LIECHTENSTEIN)
    for disruption in drawn:
        body = incident_body(disruption)
        assert ("factor" in body) == (body["kind"] == "slowdown")
        assert body["ends_at"] > body["starts_at"]


def test_the_dispatcher_decides_after_its_delay_once_options_exist() -> None:
    """Not before the decision delay, not without options; then once."""
    dispatcher = Dispatcher(timedelta(minutes=3))
    exception = {
        "id": "exc_1",
        "kind": "breakdown",
        "opened_at": START.isoformat(),
        "summary": "Truck 01 broke down",
        "options": [],
        "options_ready_at": None,
    }
    assert dispatcher.due([exception], START + timedelta(minutes=5)) == []
    offered = {**exception, "options": [{"id": "o1", "rank": 1, "summary": "rescue"}]}
    assert dispatcher.due([offered], START + timedelta(minutes=2)) == []
    assert dispatcher.pending == 1
    assert dispatcher.due([offered], START + timedelta(minutes=3)) == [offered]
    dispatcher.decided(offered, START + timedelta(minutes=3), "rescue")
    assert dispatcher.pending == 0
    assert dispatcher.decisions["exc_1"].response_s == 180


def test_a_window_change_moves_every_window() -> None:
    """A client's change moves each window later by the same minutes."""
    windows = ((START, START + timedelta(hours=2)),)
    assert moved_windows(windows, 30) == (
        (START + timedelta(minutes=30), START + timedelta(hours=2, minutes=30)),
    )


def test_the_parameters_round_trip_for_a_replay() -> None:
    """The report's parameters make the same configuration again."""
    config = SimConfig(
        trucks=3,
        orders=9,
        seed=4,
        rates=DisruptionRates(failures=0.1),
        forced_breakdowns=((1, "10:00"),),
    )
    assert SimConfig.from_dict(config.as_dict()) == config
