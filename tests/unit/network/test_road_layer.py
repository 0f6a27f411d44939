"""The streets the consoles draw without a tile server: which roads, how simplified, how cut."""

from __future__ import annotations

from pathlib import Path

import pytest

from fleetline.network.road_extract import road_class, simplify
from fleetline.network.road_layer import (
    RoadLayer,
    RoadLayerError,
    RoadLines,
    around,
    write_roads,
)

CAR = {"motorway", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential"}
NOT_CAR = ("footway", "path", "track", "cycleway", "steps", "pedestrian", "bridleway")


def test_car_roads_are_drawn_and_paths_are_not() -> None:
    """A dispatcher sees the streets a truck can take, not hiking paths or cycle tracks."""
    for highway in (*CAR, "living_street", "service"):
        assert road_class(highway) == highway
    assert road_class("primary_link") == "primary"
    assert road_class("motorway_link") == "motorway"
    for highway in NOT_CAR:
        assert road_class(highway) is None
    assert road_class(None) is None
    assert road_class("service", "yes") is None  # a car park drawn as an area


def test_a_nearly_straight_street_becomes_one_segment_and_a_corner_stays() -> None:
    """Simplifying never cuts a corner a dispatcher would see, only wiggles of a few metres."""
    # 1 km east along a parallel, with a 2 m wiggle (0.000018 degrees of latitude).
    straight = [(47.0 + (0.000018 if i % 2 else 0.0), 9.5 + i * 0.001) for i in range(14)]
    assert simplify(straight, 5.0) == [0, 13]
    corner = [(47.0, 9.50), (47.0, 9.51), (47.01, 9.51)]  # 760 m east, then 1.1 km north
    assert simplify(corner, 5.0) == [0, 1, 2]
    assert simplify([(47.0, 9.5)], 5.0) == [0]


def _layer(tmp_path: Path) -> RoadLayer:
    lines = RoadLines(
        {
            "primary": [[[47.00, 9.50], [47.00, 9.60]]],
            "residential": [[[47.01, 9.51], [47.01, 9.52], [47.02, 9.52]]],
            "service": [[[47.05, 9.55], [47.06, 9.55]], [[47.011, 9.511], [47.012, 9.511]]],
        },
        (9.50, 47.00, 9.60, 47.06),
    )
    path = tmp_path / "roads.json"
    write_roads(lines, path)
    return RoadLayer(path)


def test_a_box_gets_only_its_roads_and_a_budget_leaves_out_the_minor_ones(tmp_path: Path) -> None:
    """The client's small map gets the streets near the delivery, main roads first."""
    layer = _layer(tmp_path)
    assert layer.bbox == (9.50, 47.00, 9.60, 47.06)
    everything = layer.lines()
    assert everything.points == 9
    box = (9.505, 46.99, 9.515, 47.015)
    near = layer.lines(box)
    assert set(near.classes) == {"primary", "residential", "service"}
    assert near.classes["service"] == [[[47.011, 9.511], [47.012, 9.511]]]
    assert near.classes["residential"] == [[[47.01, 9.51], [47.01, 9.52]]]  # cut to the box
    tight = layer.lines(box, max_points=4)
    assert set(tight.classes) == {"primary", "residential"}
    assert tight.left_out == ("service",)
    assert layer.lines(box, max_points=1).classes == {}


def test_a_box_around_points_has_the_margin_on_every_side() -> None:
    """3 km around the truck and the stop is 3 km in every direction, also east-west."""
    box = around([(47.0, 9.5), (47.1, 9.6)], 3000)
    assert box is not None
    min_lon, min_lat, max_lon, max_lat = box
    assert min_lat == pytest.approx(47.0 - 0.02698, abs=1e-4)
    assert max_lat == pytest.approx(47.1 + 0.02698, abs=1e-4)
    assert min_lon == pytest.approx(9.5 - 0.03959, abs=1e-3)
    assert max_lon == pytest.approx(9.6 + 0.03959, abs=1e-3)
    assert around([], 3000) is None


def test_a_damaged_road_layer_file_is_a_one_line_error(tmp_path: Path) -> None:
    """A truncated roads.json says which file is wrong instead of a stack of JSON errors."""
    broken = tmp_path / "roads.json"
    broken.write_text('{"format": "fleetline-roads/1", "classes": {"primary": [[47.0,')
    with pytest.raises(RoadLayerError, match="unreadable road layer") as caught:
        RoadLayer(broken).lines()
    assert "\n" not in str(caught.value)
