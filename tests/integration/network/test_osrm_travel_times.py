"""Road travel times on real OpenStreetMap extracts of Liechtenstein and Monaco."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from fleetline.domain.model import Location
from fleetline.network.base import UNREACHABLE, leg_durations
from fleetline.network.crowflies import great_circle_m
from fleetline.network.factory import travel_times_for
from fleetline.network.osrm_engine import OsrmTravelTimes, table_to_int64
from fleetline.network.region import apply_segment_speeds, import_region

VADUZ = Location(lat=47.1410, lon=9.5209)
SCHAAN = Location(lat=47.1650, lon=9.5095)
TRIESEN = Location(lat=47.1070, lon=9.5270)
NAAFKOPF = Location(lat=47.0586, lon=9.6070)  # alpine summit, kilometres from any road
MONACO_STOPS = [
    Location(lat=43.7396, lon=7.4277),  # Casino
    Location(lat=43.7347, lon=7.4206),  # Port Hercule
    Location(lat=43.7314, lon=7.4197),  # Palace
    Location(lat=43.7287, lon=7.4160),  # Fontvieille
    Location(lat=43.7384, lon=7.4246),
    Location(lat=43.7418, lon=7.4290),
]


def crow_metres(a: Location, b: Location) -> float:
    return float(great_circle_m([a.lat, b.lat], [a.lon, b.lon])[0, 1])


def test_unreachable_pairs_become_the_finite_sentinel() -> None:
    """A null from OSRM never becomes zero or NaN, and rounding is to the nearest unit."""
    m = table_to_int64([[0.0, None], [12.6, 0.4]], (2, 2))
    assert m.tolist() == [[0, UNREACHABLE], [13, 0]]
    assert m.dtype == np.int64


@pytest.mark.osrm
def test_vaduz_to_schaan_by_road_is_longer_than_the_crow_flies(
    liechtenstein: OsrmTravelTimes,
) -> None:
    """The road trip is longer than the straight line and takes a few minutes."""
    m = liechtenstein.matrix([VADUZ, SCHAAN])
    assert m.distances[0, 1] > crow_metres(VADUZ, SCHAAN)
    assert 2_800 < m.distances[0, 1] < 5_000
    assert 3 * 60 <= m.durations[0, 1] <= 10 * 60


@pytest.mark.osrm
def test_a_summit_far_from_roads_is_reported_off_network(
    liechtenstein: OsrmTravelTimes,
) -> None:
    """A stop kilometres from any road is flagged, while a town centre snaps close by."""
    summit, town = liechtenstein.snap([NAAFKOPF, VADUZ])
    assert not summit.on_network
    assert summit.distance_m > 1_000
    assert town.on_network
    assert town.distance_m < 100
    assert crow_metres(town.snapped, VADUZ) < 100


@pytest.mark.osrm
def test_the_off_network_threshold_is_configurable(liechtenstein_region: Path) -> None:
    """A company delivering to mountain huts can accept stops farther from the road."""
    lenient = OsrmTravelTimes(liechtenstein_region, snap_threshold_m=10_000)
    assert lenient.snap([NAAFKOPF])[0].on_network


@pytest.mark.osrm
def test_one_way_streets_make_the_monaco_matrix_asymmetric(monaco: OsrmTravelTimes) -> None:
    """Diagonal is zero, every leg is routable, and there and back differ."""
    m = monaco.matrix(MONACO_STOPS)
    assert np.all(np.diag(m.durations) == 0)
    assert np.all(np.diag(m.distances) == 0)
    off_diagonal = ~np.eye(len(MONACO_STOPS), dtype=bool)
    assert np.all(m.durations[off_diagonal] > 0)
    assert np.all(m.durations < UNREACHABLE)
    assert not np.array_equal(m.durations, m.durations.T)
    assert not np.array_equal(m.distances, m.distances.T)


@pytest.mark.osrm
def test_large_matrices_computed_in_bands_equal_one_table(
    liechtenstein_region: Path, liechtenstein: OsrmTravelTimes
) -> None:
    """Splitting a big table into bands of rows changes nothing in the answer."""
    rng = np.random.default_rng(3)
    stops = [
        Location(lat=float(a), lon=float(b))
        for a, b in zip(rng.uniform(47.06, 47.24, 150), rng.uniform(9.48, 9.62, 150), strict=True)
    ]
    banded = OsrmTravelTimes(liechtenstein_region, max_table_cells=1_000)
    whole = liechtenstein.matrix(stops)
    parts = banded.matrix(stops)
    assert np.array_equal(whole.durations, parts.durations)
    assert np.array_equal(whole.distances, parts.distances)
    assert np.all(whole.durations < UNREACHABLE)


@pytest.mark.osrm
def test_a_route_gives_a_polyline_and_osm_nodes_for_maps_and_traffic(
    liechtenstein: OsrmTravelTimes,
) -> None:
    """The polyline runs from Vaduz to Schaan and its length matches the trip's distance."""
    path = liechtenstein.route_geometry(VADUZ, SCHAAN)
    assert crow_metres(path.geometry[0], VADUZ) < 100
    assert crow_metres(path.geometry[-1], SCHAAN) < 100
    length = sum(crow_metres(a, b) for a, b in zip(path.geometry, path.geometry[1:], strict=False))
    assert length == pytest.approx(path.distance_m, rel=0.05)
    assert len(path.osm_node_ids) > 10
    assert all(isinstance(node, int) and node > 0 for node in path.osm_node_ids)
    assert path.duration_s == pytest.approx(
        liechtenstein.matrix([VADUZ, SCHAAN]).durations[0, 1], abs=1
    )


@pytest.mark.osrm
def test_a_multi_stop_route_lists_each_node_once_at_the_stops(
    liechtenstein: OsrmTravelTimes,
) -> None:
    """Through Triesen, Vaduz and Schaan: legs join without repeating the shared segment."""
    path = liechtenstein.route([TRIESEN, VADUZ, SCHAAN])
    nodes = path.osm_node_ids
    assert all(a != b for a, b in itertools.pairwise(nodes))
    direct = liechtenstein.route([TRIESEN, SCHAAN])
    assert path.distance_m >= direct.distance_m - 1


@pytest.mark.osrm
def test_slowed_segments_lengthen_the_trip_after_reload(monaco_pbf: Path, tmp_path: Path) -> None:
    """Traffic written as segment speeds reaches the next answer once the region reloads."""
    region = import_region(monaco_pbf, tmp_path)
    engine = OsrmTravelTimes(region)
    before = engine.route([MONACO_STOPS[0], MONACO_STOPS[3]])
    nodes = before.osm_node_ids
    speeds = tmp_path / "speeds.csv"
    speeds.write_text("".join(f"{a},{b},5\n" for a, b in itertools.pairwise(nodes)))
    apply_segment_speeds(region, speeds)
    engine.reload()
    after = engine.route([MONACO_STOPS[0], MONACO_STOPS[3]])
    assert after.duration_s > before.duration_s * 1.2


@pytest.mark.osrm
def test_with_a_region_the_factory_gives_cached_road_times(liechtenstein_region: Path) -> None:
    """A prepared region means road distances, not straight lines, behind the cache."""
    provider = travel_times_for(liechtenstein_region)
    assert isinstance(provider.provider, OsrmTravelTimes)
    first = provider.matrix([VADUZ, SCHAAN])
    again = provider.matrix([VADUZ, SCHAAN])
    assert provider.stats.hits == 1
    assert np.array_equal(first.durations, again.durations)
    assert first.distances[0, 1] > crow_metres(VADUZ, SCHAAN)
    assert not math.isinf(provider.snap([VADUZ])[0].distance_m)


def test_single_trips_take_what_the_matrix_says(
    liechtenstein: OsrmTravelTimes, liechtenstein_region: Path
) -> None:
    """Trucks' trips to their next stops, asked one by one, agree with the full table,
    including a trip to itself (0) and one towards a point off the network."""
    places = [VADUZ, SCHAAN, TRIESEN, NAAFKOPF]
    pairs = [(VADUZ, SCHAAN), (SCHAAN, TRIESEN), (TRIESEN, VADUZ), (VADUZ, VADUZ)]
    pairs.append((SCHAAN, NAAFKOPF))
    table = liechtenstein.matrix(places).durations
    where = {place: i for i, place in enumerate(places)}
    expected = [table[where[a], where[b]] for a, b in pairs]
    assert liechtenstein.leg_durations(pairs).tolist() == expected
    deployed = travel_times_for(liechtenstein_region)
    assert leg_durations(deployed, pairs).tolist() == expected
    crow_flies = travel_times_for(None)
    crow = crow_flies.matrix(places).durations
    assert leg_durations(crow_flies, pairs).tolist() == [crow[where[a], where[b]] for a, b in pairs]
