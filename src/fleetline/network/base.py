"""The travel-time seam: everything outside ``network/`` asks a :class:`TravelTimes`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import numpy as np
import numpy.typing as npt

from fleetline.domain.model import Location

IntMatrix = npt.NDArray[np.int64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class TravelMatrix:
    """Durations (seconds) and distances (metres) between every pair of locations.

    Row ``i``, column ``j`` is the trip from location ``i`` to location ``j``.
    """

    durations: IntMatrix
    distances: IntMatrix

    def __post_init__(self) -> None:
        if self.durations.shape != self.distances.shape:
            raise ValueError("durations and distances differ in shape")
        if self.durations.ndim != 2 or self.durations.shape[0] != self.durations.shape[1]:
            raise ValueError("a travel matrix must be square")

    @property
    def size(self) -> int:
        """Number of locations."""
        return int(self.durations.shape[0])


@dataclass(frozen=True, slots=True)
class Snap:
    """Where a location meets the road network, and how far off it was."""

    location: Location
    snapped: Location
    distance_m: float
    on_network: bool


class TravelTimes(Protocol):
    """A provider of travel durations and distances at a given departure time."""

    name: str

    def matrix(
        self, locations: Sequence[Location], departure: datetime | None = None
    ) -> TravelMatrix:
        """Return the travel matrix between ``locations`` when leaving at ``departure``."""
        ...

    def snap(self, locations: Sequence[Location]) -> list[Snap]:
        """Report where each location meets the road network."""
        ...


class PairedLegs(Protocol):
    """A provider that answers single trips without a whole matrix (e.g. OSRM)."""

    def leg_durations(
        self, pairs: Sequence[tuple[Location, Location]], departure: datetime | None = None
    ) -> IntArray:
        """Return the seconds of each trip ``(origin, destination)``, in order."""
        ...


def leg_durations(
    provider: TravelTimes,
    pairs: Sequence[tuple[Location, Location]],
    departure: datetime | None = None,
) -> IntArray:
    """Return the seconds of each trip ``(origin, destination)`` in ``pairs``.

    A provider with its own ``leg_durations`` answers the trips one by one (for a road
    network, N trips cost far less than the N x N matrix over their ends); any other is
    asked one matrix over the distinct ends.

    Parameters
    ----------
    provider
        The travel-time provider.
    pairs
        The trips, as (origin, destination).
    departure
        When the trips start.

    Returns
    -------
    numpy.ndarray
        ``int64`` seconds, one per trip; :data:`UNREACHABLE` for a trip with no route.
    """
    paired = getattr(provider, "leg_durations", None)
    if paired is not None:
        answered: IntArray = paired(pairs, departure)
        return answered
    return legs_from_matrix(provider, pairs, departure)


def legs_from_matrix(
    provider: TravelTimes,
    pairs: Sequence[tuple[Location, Location]],
    departure: datetime | None = None,
) -> IntArray:
    """Answer trips from one matrix over their distinct ends (see :func:`leg_durations`)."""
    if not pairs:
        return np.zeros(0, dtype=np.int64)
    index: dict[Location, int] = {}
    for origin, destination in pairs:
        index.setdefault(origin, len(index))
        index.setdefault(destination, len(index))
    durations = provider.matrix(list(index), departure).durations
    rows = np.fromiter((index[o] for o, _ in pairs), dtype=np.int64, count=len(pairs))
    cols = np.fromiter((index[d] for _, d in pairs), dtype=np.int64, count=len(pairs))
    return np.asarray(durations[rows, cols], dtype=np.int64)


UNREACHABLE = 1_000_000_000
"""Sentinel for a trip the road network cannot make, in both seconds and metres.

Large enough that no plan uses such a leg (about 31 years, or a million kilometres), yet
finite, so that sums of a few hundred legs stay far inside ``int64`` and solvers that
need integers accept it. Test for it with ``matrix.durations >= UNREACHABLE``.
"""


@dataclass(frozen=True, slots=True)
class RoadPath:
    """A trip along the roads: its polyline, the OSM nodes it passes, its cost."""

    geometry: tuple[Location, ...]
    osm_node_ids: tuple[int, ...]
    duration_s: float
    distance_m: float
