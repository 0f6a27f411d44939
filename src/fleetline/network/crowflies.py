"""Travel times without a road network: great-circle distance, a circuity factor, hourly speeds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

import numpy as np
import numpy.typing as npt

from fleetline.domain.model import Location
from fleetline.network.base import Snap, TravelMatrix

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), in metres."""

NIGHT_KMH = 55.0
DAY_KMH = 40.0
RUSH_KMH = 28.0

DEFAULT_SPEED_PROFILE_KMH: tuple[float, ...] = tuple(
    NIGHT_KMH if hour < 6 or hour >= 21 else RUSH_KMH if hour in (7, 8, 16, 17) else DAY_KMH
    for hour in range(24)
)
"""Average door-to-door speed (km/h) by hour of day: faster at night (21:00-06:00),
slower in the morning (07:00-09:00) and evening (16:00-18:00) rush."""

UNTIMED_HOUR = 12
"""The hour whose speed is used when no departure time is given (off-peak daytime)."""


def great_circle_m(
    lats: npt.ArrayLike, lons: npt.ArrayLike, radius_m: float = EARTH_RADIUS_M
) -> npt.NDArray[np.float64]:
    """Return the great-circle distances (metres) between every pair of points.

    Parameters
    ----------
    lats, lons
        Latitudes and longitudes in degrees, one per point.
    radius_m
        Radius of the sphere.

    Returns
    -------
    numpy.ndarray
        A symmetric ``(n, n)`` float64 matrix with a zero diagonal.

    Notes
    -----
    Computed from unit vectors: the chord between two points comes from one matrix
    product, and the arc from the chord (``2 asin(c / 2)``), which is the haversine
    formula written without trigonometry on the ``n × n`` matrix.
    """
    phi = np.radians(np.asarray(lats, dtype=np.float64))
    lam = np.radians(np.asarray(lons, dtype=np.float64))
    cos_phi = np.cos(phi)
    unit = np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))
    out: npt.NDArray[np.float64] = unit @ unit.T  # cosine of the central angle
    # Squared chord = 2 - 2 cos; half-chord = sqrt(chord²) / 2, all in place.
    np.multiply(out, -0.5, out=out)
    np.add(out, 0.5, out=out)
    np.maximum(out, 0.0, out=out)
    np.sqrt(out, out=out)
    np.minimum(out, 1.0, out=out)
    np.arcsin(out, out=out)
    np.multiply(out, 2.0 * radius_m, out=out)
    np.fill_diagonal(out, 0.0)
    return out


def _round_non_negative(values: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Round non-negative floats to the nearest integer without a float temporary."""
    out = np.empty(values.shape, dtype=np.int64)
    np.add(values, 0.5, out=values)
    np.copyto(out, values, casting="unsafe")  # truncation == floor for values >= 0
    np.subtract(values, 0.5, out=values)
    return out


class CrowFliesTravelTimes:
    """Travel times from straight-line distance when no road network is available.

    Distance is the great-circle distance times a circuity factor (roads are not
    straight); duration is that distance at the average speed of the departure's hour
    of day, read in ``timezone``.

    Parameters
    ----------
    circuity
        Road distance over straight-line distance; 1.3 is typical of mixed urban and
        regional networks.
    speed_profile_kmh
        24 average speeds (km/h), one per local hour of day, 0 to 23.
    timezone
        Zone in which a departure's hour of day is read; by default the departure's own
        zone (pass departures in the company's local time).
    """

    name = "crowflies"

    def __init__(
        self,
        circuity: float = 1.3,
        speed_profile_kmh: Sequence[float] = DEFAULT_SPEED_PROFILE_KMH,
        timezone: tzinfo | None = None,
    ) -> None:
        if not circuity >= 1.0:
            raise ValueError(f"circuity must be at least 1.0, got {circuity}")
        speeds = tuple(float(s) for s in speed_profile_kmh)
        if len(speeds) != 24:
            raise ValueError(f"speed profile needs 24 hourly speeds, got {len(speeds)}")
        if not all(s > 0 and np.isfinite(s) for s in speeds):
            raise ValueError("every hourly speed must be a positive number")
        self.circuity = float(circuity)
        self.speed_profile_kmh = speeds
        self.timezone = timezone

    def speed_kmh(self, departure: datetime | None) -> float:
        """Return the average speed (km/h) for a trip leaving at ``departure``.

        Parameters
        ----------
        departure
            A timezone-aware time, or ``None`` for off-peak daytime.

        Raises
        ------
        ValueError
            If ``departure`` carries no UTC offset (its hour would be ambiguous).
        """
        if departure is None:
            return self.speed_profile_kmh[UNTIMED_HOUR]
        if departure.tzinfo is None or departure.utcoffset() is None:
            raise ValueError("departure must carry a UTC offset")
        local = departure if self.timezone is None else departure.astimezone(self.timezone)
        return self.speed_profile_kmh[local.hour]

    def matrix(
        self, locations: Sequence[Location], departure: datetime | None = None
    ) -> TravelMatrix:
        """Return road-like distances and durations between every pair of ``locations``.

        Parameters
        ----------
        locations
            The points, in matrix order.
        departure
            When the trips start; selects the hourly speed.

        Returns
        -------
        TravelMatrix
            Symmetric integer seconds and metres with a zero diagonal.
        """
        n = len(locations)
        if n == 0:
            empty = np.zeros((0, 0), dtype=np.int64)
            return TravelMatrix(durations=empty, distances=empty.copy())
        speed_m_s = self.speed_kmh(departure) / 3.6
        coords = np.array([(loc.lat, loc.lon) for loc in locations], dtype=np.float64)
        metres = great_circle_m(coords[:, 0], coords[:, 1])
        np.multiply(metres, self.circuity, out=metres)
        distances = _round_non_negative(metres)
        np.multiply(metres, 1.0 / speed_m_s, out=metres)
        durations = _round_non_negative(metres)
        return TravelMatrix(durations=durations, distances=distances)

    def snap(self, locations: Sequence[Location]) -> list[Snap]:
        """Return every location as its own snap: there is no network to miss.

        Parameters
        ----------
        locations
            The points to report on.

        Returns
        -------
        list of Snap
            One per location, at distance zero and on the network.
        """
        return [
            Snap(location=loc, snapped=loc, distance_m=0.0, on_network=True) for loc in locations
        ]
