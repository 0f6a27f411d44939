"""Which streets a console's map asks for, and what a damaged road layer leaves."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from fleetline.network.road_layer import RoadLayer, RoadLines, write_roads
from fleetline.ui.road_base import roads_near


def test_the_map_gets_the_streets_around_its_content(tmp_path: Path) -> None:
    """A dispatcher sees the streets where the day happens; a map with nothing yet sees all."""
    lines = RoadLines(
        {"primary": [[[47.00, 9.50], [47.00, 9.51]], [[47.50, 9.90], [47.50, 9.91]]]},
        (9.50, 47.00, 9.91, 47.50),
    )
    write_roads(lines, tmp_path / "roads.json")
    layer = RoadLayer(tmp_path / "roads.json")
    near = roads_near(layer, [(47.0, 9.505)], margin_m=1000, max_points=100)
    assert near is not None and near.classes == {"primary": [[[47.00, 9.50], [47.00, 9.51]]]}
    everything = roads_near(layer, [], margin_m=1000, max_points=100)
    assert everything is not None and everything.points == 4
    assert roads_near(None, [(47.0, 9.5)], margin_m=1000, max_points=100) is None


def test_a_damaged_road_layer_leaves_the_map_without_streets(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A broken roads.json never breaks the console: the map falls back, and the log says why."""
    broken = tmp_path / "roads.json"
    broken.write_text("not json")
    with caplog.at_level(logging.WARNING, logger="fleetline.ui.road_base"):
        assert roads_near(RoadLayer(broken), [(47.0, 9.5)], margin_m=1000, max_points=10) is None
    assert any("unreadable road layer" in r.getMessage() for r in caplog.records)
