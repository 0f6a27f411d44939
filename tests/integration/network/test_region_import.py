"""Preparing a region: what it records about itself, and clear errors for bad input."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from fleetline.network.region import RegionError, import_region, read_region


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
    assert set(info.timings_s) == {"extract", "partition", "customize"}
    raw = json.loads((liechtenstein_region.parent / "region.json").read_text())
    assert raw["base"] == "liechtenstein.osrm"


@pytest.mark.osrm
def test_outputs_stay_in_the_target_directory(liechtenstein_region: Path) -> None:
    """Nothing is written beside the shared extract: everything lands in the target."""
    produced = sorted(p.name for p in liechtenstein_region.parent.iterdir())
    assert "region.json" in produced
    assert "liechtenstein.osrm.mldgr" in produced
    assert all(p == "region.json" or p.startswith("liechtenstein.osrm.") for p in produced)


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
