"""Preparing a region: what it records about itself, and clear errors for bad input."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path

import pytest

from fleetline.domain.model import Location
from fleetline.network.osrm_engine import OsrmTravelTimes
from fleetline.network.region import RegionError, import_region, read_region
from fleetline.network.road_layer import road_layer_for


@pytest.mark.osrm
def test_a_prepared_region_says_what_it_is(
    liechtenstein_region: Path, liechtenstein_pbf: Path
) -> None:
    """The metadata names the source file, its checksum, the algorithm and the map's extent."""
    info = read_region(liechtenstein_region.parent)
    assert info.base == liechtenstein_region
    assert info.sha256 == hashlib.sha256(liechtenstein_pbf.read_bytes()).hexdigest()
    assert info.source == str(liechtenstein_pbf.resolve())
    assert info.algorithm == "MLD"
    assert info.prepared_at.tzinfo is not None
    assert info.bbox is not None
    min_lon, min_lat, max_lon, max_lat = info.bbox
    assert min_lon < 9.52 < max_lon  # Vaduz is inside
    assert min_lat < 47.14 < max_lat
    assert set(info.timings_s) == {"extract", "partition", "customize", "roads"}
    raw = json.loads((liechtenstein_region.parent / "region.json").read_text())
    assert raw["base"] == "liechtenstein.osrm"
    assert raw["roads"] == "roads.json"
    assert info.roads == liechtenstein_region.parent / "roads.json"
    assert info.roads.is_file()


@pytest.mark.osrm
def test_a_region_prepared_before_road_layers_still_opens(
    liechtenstein_region: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An installation upgraded without re-importing keeps routing; its maps lack streets."""
    old = tmp_path / "old-region"
    shutil.copytree(liechtenstein_region.parent, old, ignore=shutil.ignore_patterns("roads.json"))
    raw = json.loads((old / "region.json").read_text())
    del raw["roads"]
    raw["timings_s"].pop("roads")
    (old / "region.json").write_text(json.dumps(raw))

    info = read_region(old)
    assert info.roads is None
    with caplog.at_level(logging.INFO, logger="fleetline.network.road_layer"):
        assert road_layer_for(old) is None
    assert any("fleetline region import" in r.getMessage() for r in caplog.records)
    vaduz, schaan = Location(lat=47.1410, lon=9.5209), Location(lat=47.1650, lon=9.5095)
    assert OsrmTravelTimes(old).matrix([vaduz, schaan]).durations[0, 1] > 0


@pytest.mark.osrm
def test_outputs_stay_in_the_target_directory(liechtenstein_region: Path) -> None:
    """Nothing is written beside the shared extract: everything lands in the target."""
    produced = sorted(p.name for p in liechtenstein_region.parent.iterdir())
    assert "region.json" in produced
    assert "liechtenstein.osrm.mldgr" in produced
    assert "roads.json" in produced
    assert all(
        p in ("region.json", "roads.json") or p.startswith("liechtenstein.osrm.") for p in produced
    )


def test_a_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    """A typo in the path says which file is missing."""
    with pytest.raises(RegionError, match="no such OpenStreetMap file") as caught:
        import_region(tmp_path / "nowhere.osm.pbf", tmp_path / "out")
    assert "\n" not in str(caught.value)


def test_a_file_that_is_not_pbf_is_refused(tmp_path: Path) -> None:
    """An XML export or a renamed text file is refused before any tool runs."""
    fake = tmp_path / "region.osm.pbf"
    fake.write_text("<osm version='0.6'></osm>\n")
    with pytest.raises(RegionError, match="not an OpenStreetMap PBF file") as caught:
        import_region(fake, tmp_path / "out")
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "out" / "region.json").exists()


def test_an_unprepared_directory_is_not_a_region(tmp_path: Path) -> None:
    """Opening an empty folder as a region fails with the reason."""
    with pytest.raises(RegionError, match=r"missing region\.json"):
        read_region(tmp_path)
