"""Small builders and a Euclidean fake travel-time provider for planning tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np

from fleetline.domain.model import Location
from fleetline.network.base import Snap, TravelMatrix
from fleetline.planning.problem import JobSpec, RoutingProblem, VehicleSpec


class EuclideanTravelTimes:
    """Straight lines on a flat plane: 1 degree = 100 km, driven at 10 m/s."""

    name = "euclidean"

    def matrix(
        self, locations: Sequence[Location], departure: datetime | None = None
    ) -> TravelMatrix:
        points = np.array([[p.lat, p.lon] for p in locations], dtype=float).reshape(-1, 2)
        metres = np.rint(
            np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(-1)) * 100_000
        ).astype(np.int64)
        return TravelMatrix(durations=metres // 10, distances=metres)

    def snap(self, locations: Sequence[Location]) -> list[Snap]:
        return [Snap(p, p, 0.0, True) for p in locations]


def line_matrix(positions: Sequence[int]) -> np.ndarray:
    """Durations = distances = |a - b| between points on a line."""
    xs = np.asarray(positions, dtype=np.int64)
    return np.abs(xs[:, None] - xs[None, :])


def vehicle(vid: str = "v1", **overrides: object) -> VehicleSpec:
    values: dict[str, object] = {
        "id": vid,
        "start": 0,
        "end": 0,
        "capacity": (10,),
        "shift_start_s": 0,
        "shift_end_s": 10_000,
    }
    values.update(overrides)
    return VehicleSpec(**values)  # type: ignore[arg-type]


def job(jid: str, location: int, **overrides: object) -> JobSpec:
    values: dict[str, object] = {
        "id": jid,
        "location": location,
        "demand": (1,),
        "service_s": 10,
        "time_windows": ((0, 10_000),),
    }
    values.update(overrides)
    return JobSpec(**values)  # type: ignore[arg-type]


def problem(
    positions: Sequence[int],
    vehicles: list[VehicleSpec],
    jobs: list[JobSpec],
    dimensions: tuple[str, ...] = ("pallets",),
) -> RoutingProblem:
    matrix = line_matrix(positions)
    return RoutingProblem(dimensions, matrix, matrix.copy(), vehicles, jobs)
