"""The streets the consoles draw, from a real OpenStreetMap extract and its prepared region."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fleetline.network.road_extract import extract_roads, road_class
from fleetline.network.road_layer import ROAD_CLASSES, write_roads


@pytest.mark.osrm
def test_liechtenstein_roads_are_the_car_network_small_and_inside_the_region(
    liechtenstein_pbf: Path, liechtenstein_region: Path, tmp_path: Path
) -> None:
    """The base layer of a real region has its streets, few enough points to stay fluid."""
    import osmium

    car_ways = other_ways = car_nodes = 0
    for way in osmium.FileProcessor(str(liechtenstein_pbf), osmium.osm.WAY):
        highway = way.tags.get("highway")
        if highway is None:
            continue
        if road_class(highway, way.tags.get("area")) is not None:
            car_ways += 1
            car_nodes += len(way.nodes)
        else:
            other_ways += 1
    assert other_ways > 3000  # tracks, paths and footways are a large share of this extract

    lines = extract_roads(liechtenstein_pbf)
    assert set(lines.classes) == set(ROAD_CLASSES)
    drawn = {name for name, polylines in lines.classes.items() if polylines}
    assert {"primary", "secondary", "tertiary", "residential", "service"} <= drawn
    count = sum(len(polylines) for polylines in lines.classes.values())
    assert 0.97 * car_ways <= count <= 1.05 * car_ways
    assert lines.points < 0.5 * car_nodes  # simplified
    assert 5_000 < lines.segments < 40_000
    size = write_roads(lines, tmp_path / "roads.json")
    assert size < 600_000

    region = json.loads((liechtenstein_region.parent / "region.json").read_text())
    min_lon, min_lat, max_lon, max_lat = region["bbox"]
    for polylines in lines.classes.values():
        for line in polylines:
            for lat, lon in line:
                assert min_lat - 0.01 <= lat <= max_lat + 0.01
                assert min_lon - 0.01 <= lon <= max_lon + 0.01
                assert round(lat, 5) == lat and round(lon, 5) == lon
