"""What the dispatcher console shows, from hand-made live days: map, fleet rows, timeline."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from fleetline.domain.live import Risk, StopForecast, VehicleStatus
from fleetline.domain.model import Location, OrderState
from fleetline.network.base import RoadPath
from fleetline.ui.dispatch.fleet_list import fleet_row, load_share
from fleetline.ui.dispatch.map_state import (
    RISK_COLOURS,
    STATUS_COLOURS,
    MapState,
    first_name,
    map_delta,
    map_state,
    moved_trucks,
    short_label,
)
from fleetline.ui.dispatch.planning_panel import check_time_limit
from fleetline.ui.dispatch.route_shapes import RouteShapes, thin
from fleetline.ui.dispatch.timeline import TimelineStop, layout
from tests.unit.planning.live_factories import NOW, ZONE, at, place, run, snapshot, stop


def forecast(oid: str, vid: str, eta: float, risk: Risk, slack_s: int = 600) -> StopForecast:
    """A forecast of ``oid`` on ``vid`` arriving at local hour ``eta``."""
    return StopForecast(
        order_id=oid,
        vehicle_id=vid,
        sequence=1,
        eta=at(eta),
        service_start=at(eta),
        departure=at(eta) + timedelta(minutes=5),
        window_start=at(9),
        window_end=at(12),
        risk=risk,
        slack_s=slack_s,
    )


def day_with_two_trucks() -> tuple[MapState, dict[str, StopForecast]]:
    """Truck A with two stops (one late), truck B broken down with none, one unplanned."""
    trucks = (
        replace(run("A", 1, [stop("o1", 2), stop("o2", 3)]), driver_name="Nina Frick"),
        run("B", 5, status=VehicleStatus.BROKEN_DOWN, completed=("o9",)),
    )
    forecasts = {
        "o1": forecast("o1", "A", 10.2, Risk.ON_TIME),
        "o2": forecast("o2", "A", 12.5, Risk.LATE, slack_s=-1800),
    }
    picture = snapshot(*trucks, unplanned=[stop("o5", 7)])
    shapes = {"A": [(47.01, 9.5), (47.02, 9.5), (47.03, 9.5)]}
    state = map_state(picture, forecasts, shapes, {"o9": (place(6), "done")})
    return state, forecasts


def test_the_map_shows_each_truck_coloured_by_status_and_each_stop_by_risk() -> None:
    """Trucks carry their status colour; stops their risk, finished and unplanned ones too."""
    state, _ = day_with_two_trucks()
    assert state.trucks["B"].colour == STATUS_COLOURS["broken_down"]
    assert state.trucks["A"].label == "TA" or state.trucks["A"].label.startswith("T")
    assert {k: v.risk for k, v in state.stops.items()} == {
        "o1": "on_time",
        "o2": "late",
        "o9": "done",
        "o5": "unplanned",
    }
    assert state.stops["o2"].colour == RISK_COLOURS["late"]
    assert list(state.routes) == ["A"], "a truck with no stops left draws no route"


def test_an_update_sends_only_what_moved_and_nothing_when_nothing_did() -> None:
    """One truck moving gives one truck in the delta; the same picture gives no message."""
    state, _ = day_with_two_trucks()
    assert map_delta(state, state) is None
    moved = replace(state.trucks["A"], lat=47.5)
    after = MapState({**state.trucks, "A": moved}, state.stops, state.routes)
    delta = map_delta(state, after)
    assert delta is not None
    assert [t["id"] for t in delta["trucks"]] == ["A"]
    assert delta["stops"] == [] and delta["routes"] == []
    served = MapState(state.trucks, {k: v for k, v in state.stops.items() if k != "o1"}, {})
    gone = map_delta(state, served)
    assert gone is not None and gone["gone"] == {"trucks": [], "stops": ["o1"], "routes": ["A"]}


def test_a_truck_that_sent_a_position_moves_ahead_of_its_etas() -> None:
    """Truck A's new position moves its marker only: its status, its stops, its route and
    truck B stay as the last picture drew them; a position of a truck not on the map is
    ignored."""
    state, _ = day_with_two_trucks()
    ahead = moved_trucks(state, {"A": Location(47.2, 9.6), "Z": Location(47.0, 9.0)})
    delta = map_delta(state, ahead)
    assert delta is not None
    assert [(t["id"], t["lat"], t["lon"]) for t in delta["trucks"]] == [("A", 47.2, 9.6)]
    assert delta["stops"] == [] and delta["routes"] == []
    assert ahead.trucks["A"].status == state.trucks["A"].status
    assert ahead.trucks["B"] == state.trucks["B"]
    assert moved_trucks(state, {"Z": Location(47.0, 9.0)}) is state


def test_a_fleet_row_reads_progress_load_lateness_and_next_arrival() -> None:
    """Driver's first name, stops left, fullest load, worst lateness, next ETA local time."""
    truck = replace(run("A", 1, [stop("o1", 2), stop("o2", 3)]), driver_name="Nina Frick")
    _, forecasts = day_with_two_trucks()
    row = fleet_row(truck, forecasts)
    assert row["driver"] == "Nina"
    assert row["remaining"] == 2 and row["done"] == 0
    assert row["load_pct"] == 20 and row["load_text"] == "2 / 10 pallets"
    assert row["lateness_min"] == 30 and row["late_stops"] == 1
    assert row["next_eta"] == "10:12"
    assert row["status"] == "On duty"
    at_stop = replace(truck, remaining=(replace(truck.remaining[0], state=OrderState.ARRIVED),))
    assert fleet_row(at_stop, forecasts)["next_eta"] == "at a stop since 10:12"


def test_load_share_takes_the_fullest_dimension() -> None:
    """Weight at 25% and pallets at 50%: the truck is half full, by its pallets."""
    share, text = load_share({"weight_kg": 2000, "pallets": 9}, {"weight_kg": 8000, "pallets": 18})
    assert share == 0.5 and text == "9 / 18 pallets"
    assert load_share({}, {"pallets": 18}) == (0.0, "0 / 18 pallets")


def test_labels_and_names_are_short_and_never_empty() -> None:
    """Markers read ``T07``; a truck without a driver shows a dash."""
    assert short_label("Truck 07") == "T07"
    assert short_label("Van 03") == "V03"
    assert first_name(None) == "—"
    assert first_name("Eva Marxer") == "Eva"


def test_the_timeline_places_windows_and_etas_on_whole_hours() -> None:
    """A 9–12 window and an ETA at 10:30 on an 09:00–13:00 axis; now marked at 10:00."""
    stops = [TimelineStop("o1", 1, "Städtle 1", at(9), at(12), at(10.5), "on_time")]
    stops.append(TimelineStop("o2", 2, "Städtle 2", at(11), at(12), at(12.5), "late"))
    axis, bars = layout(stops, NOW, ZONE)
    assert [label for _, label in axis.ticks] == ["09:00", "10:00", "11:00", "12:00", "13:00"]
    assert axis.now_left == 25.0
    assert (bars[0].window_left, bars[0].window_width, bars[0].eta_left) == (0.0, 75.0, 37.5)
    assert bars[1].eta_left == 87.5
    assert "Late" in bars[1].text and "11:00–12:00" in bars[1].text


def test_the_time_limit_is_checked_before_a_plan_is_asked_for() -> None:
    """Words, zero and more than an hour are refused with a reason; 2.5 s is fine."""
    assert check_time_limit("2.5") == (2.5, None)
    assert check_time_limit("soon")[1] == "Enter a number of seconds."
    assert check_time_limit("0")[1] == "The time limit must be more than 0 seconds."
    assert check_time_limit("nan")[1] is not None
    assert check_time_limit("5000")[1] == "The time limit can be at most 3600 seconds."


def test_routes_follow_the_roads_when_a_router_is_given_and_are_straight_otherwise() -> None:
    """Without a road network: position then stops. With one: the road points, cached."""
    here, a, b = Location(47.0, 9.5), Location(47.01, 9.5), Location(47.02, 9.5)
    assert RouteShapes(None).shape(here, [a, b]) == [(47.0, 9.5), (47.01, 9.5), (47.02, 9.5)]
    asked: list[int] = []

    def router(locations: list[Location]) -> RoadPath:
        asked.append(len(locations))
        bend = Location(locations[0].lat, 9.51)
        return RoadPath((locations[0], bend, *locations[1:]), (), 60.0, 1000.0)

    shapes = RouteShapes(router)
    line = shapes.shape(here, [a, b])
    assert line[0] == (47.0, 9.5) and line[-1] == (47.02, 9.5)
    assert (47.01, 9.51) in line, "the line bends along the road"
    shapes.shape(here, [a, b])
    assert asked == [2, 2], "a second look reuses the cached road paths"
    assert shapes.shape(here, []) == []


def test_thin_keeps_the_ends_and_drops_points_closer_than_the_spacing() -> None:
    """Points a metre apart are dropped; the first and last stay."""
    points = [(47.0, 9.5), (47.00001, 9.5), (47.001, 9.5), (47.00101, 9.5)]
    assert thin(points) == [(47.0, 9.5), (47.001, 9.5), (47.00101, 9.5)]
