"""Crow-flies travel times: plausible distances, hourly speeds, and a fast 4,000-stop matrix."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from fleetline.domain.model import Location
from fleetline.network.crowflies import (
    DEFAULT_SPEED_PROFILE_KMH,
    CrowFliesTravelTimes,
    great_circle_m,
)

VADUZ = Location(lat=47.1410, lon=9.5209)
SCHAAN = Location(lat=47.1650, lon=9.5095)
PARIS = Location(lat=48.8566, lon=2.3522)
LONDON = Location(lat=51.5074, lon=-0.1278)
VADUZ_TZ = ZoneInfo("Europe/Vaduz")


def test_paris_london_great_circle_matches_the_known_distance() -> None:
    """Paris to London is about 343.5 km as the crow flies."""
    metres = great_circle_m([PARIS.lat, LONDON.lat], [PARIS.lon, LONDON.lon])
    assert metres[0, 1] == pytest.approx(343_560, rel=0.002)


def test_vaduz_schaan_is_the_straight_line_times_circuity() -> None:
    """A 2.8 km straight line becomes about 3.6 km of road at the default circuity 1.3."""
    m = CrowFliesTravelTimes().matrix([VADUZ, SCHAAN])
    assert 3_550 <= m.distances[0, 1] <= 3_750
    assert m.distances[0, 1] == m.distances[1, 0]
    assert 3 * 60 <= m.durations[0, 1] <= 8 * 60


def test_rush_hour_trip_is_slower_than_the_same_trip_at_night() -> None:
    """Leaving Vaduz at 07:30 local time takes longer than leaving at 02:00."""
    provider = CrowFliesTravelTimes(timezone=VADUZ_TZ)
    rush = provider.matrix([VADUZ, SCHAAN], datetime(2026, 3, 2, 7, 30, tzinfo=VADUZ_TZ))
    night = provider.matrix([VADUZ, SCHAAN], datetime(2026, 3, 2, 2, 0, tzinfo=VADUZ_TZ))
    evening = provider.matrix([VADUZ, SCHAAN], datetime(2026, 3, 2, 16, 45, tzinfo=VADUZ_TZ))
    assert rush.durations[0, 1] > night.durations[0, 1]
    assert evening.durations[0, 1] > night.durations[0, 1]
    assert np.array_equal(rush.distances, night.distances)


def test_the_hour_is_read_in_the_departures_own_zone() -> None:
    """07:30 in Vaduz is rush hour there: by default a departure's hour is read in its own
    zone; a provider told to read hours in UTC sees 06:30, not rush hour."""
    departure = datetime(2026, 1, 12, 7, 30, tzinfo=VADUZ_TZ)
    local = CrowFliesTravelTimes().speed_kmh(departure)
    utc = CrowFliesTravelTimes(timezone=UTC).speed_kmh(departure)
    assert local == DEFAULT_SPEED_PROFILE_KMH[7]
    assert utc == DEFAULT_SPEED_PROFILE_KMH[6]
    assert local < utc


def test_a_custom_speed_profile_sets_the_duration() -> None:
    """At a flat 36 km/h (10 m/s) the duration in seconds is a tenth of the metres."""
    provider = CrowFliesTravelTimes(speed_profile_kmh=[36.0] * 24)
    m = provider.matrix([VADUZ, SCHAAN], datetime(2026, 1, 1, 12, tzinfo=UTC))
    assert m.durations[0, 1] == pytest.approx(m.distances[0, 1] / 10, abs=1)


def test_a_departure_without_offset_is_rejected() -> None:
    """A naive time has no hour of day we could trust."""
    with pytest.raises(ValueError, match="UTC offset"):
        CrowFliesTravelTimes().matrix([VADUZ, SCHAAN], datetime(2026, 1, 1, 8))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"circuity": 0.9}, "circuity"), ({"speed_profile_kmh": [40.0] * 23}, "24 hourly")],
)
def test_an_impossible_configuration_is_rejected(kwargs: dict[str, object], message: str) -> None:
    """Roads shorter than a straight line or a day of 23 hours are configuration mistakes."""
    with pytest.raises(ValueError, match=message):
        CrowFliesTravelTimes(**kwargs)  # type: ignore[arg-type]


def test_every_location_is_on_the_network() -> None:
    """Without a road network, nothing is ever reported off it."""
    snaps = CrowFliesTravelTimes().snap([VADUZ, SCHAAN])
    assert [s.on_network for s in snaps] == [True, True]
    assert [s.snapped for s in snaps] == [VADUZ, SCHAAN]
    assert all(s.distance_m == 0 for s in snaps)


def test_empty_and_single_location_matrices() -> None:
    """A plan with no or one stop still gets a well-formed matrix."""
    provider = CrowFliesTravelTimes()
    assert provider.matrix([]).size == 0
    assert provider.matrix([VADUZ]).durations.tolist() == [[0]]


def test_a_day_of_4000_stops_gets_a_complete_matrix() -> None:
    """A large day's matrix covers every pair: zero on the diagonal, positive elsewhere."""
    rng = np.random.default_rng(7)
    locations = [
        Location(lat=float(a), lon=float(b))
        for a, b in zip(rng.uniform(46.0, 48.0, 4000), rng.uniform(8.0, 11.0, 4000), strict=True)
    ]
    m = CrowFliesTravelTimes().matrix(locations)
    assert m.size == 4000
    assert m.durations.dtype == np.int64
    assert not np.diagonal(m.durations).any()
    off_diagonal = ~np.eye(4000, dtype=bool)
    assert (m.distances[off_diagonal] > 0).all()


points = st.builds(
    Location,
    lat=st.floats(min_value=-80, max_value=80, allow_nan=False),
    lon=st.floats(min_value=-179.9, max_value=179.9, allow_nan=False),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(points, min_size=3, max_size=12))
def test_distances_behave_like_distances(locations: list[Location]) -> None:
    """Zero to itself, same both ways, never negative, and no detour beats the direct leg."""
    m = CrowFliesTravelTimes().matrix(locations)
    d = m.distances
    assert np.all(np.diag(d) == 0)
    assert np.array_equal(d, d.T)
    assert np.all(d >= 0)
    assert np.all(m.durations >= 0)
    via = d[:, :, None] + d[None, :, :]  # via[i, j, k] = d[i, j] + d[j, k]
    direct = d[:, None, :]
    assert np.all(direct <= via + 2)  # each leg is rounded to the metre
