"""Straight-line travel times with incidents applied: the part of each leg inside an area.

Used for providers without a road graph (crow-flies) or whose graph cannot take new
speeds quickly (OSRM with CH). The crossings come from
:mod:`fleetline.network.traffic_geometry`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from fleetline.domain.live import IncidentKind, TrafficIncident
from fleetline.domain.model import Location
from fleetline.network.base import UNREACHABLE, TravelMatrix
from fleetline.network.traffic_geometry import CHUNK, iter_crossings


def slow_legs(
    matrix: TravelMatrix,
    locations: Sequence[Location],
    incidents: Sequence[TrafficIncident],
    closure_factor: float,
) -> TravelMatrix:
    """Slow the legs of ``matrix`` whose straight line crosses an incident's area.

    Only the part inside the area is slowed: ``duration × (1 + (f - 1) × share)``, with
    ``f`` a slowdown's factor or ``closure_factor`` for a closure, which also lengthens
    the distance the same way (a detour). Overlapping incidents add their extra time.

    Parameters
    ----------
    matrix
        Travel times without the incidents, between ``locations`` in order.
    locations
        The stops.
    incidents
        The incidents to apply.
    closure_factor
        Detour factor of a closed area.

    Returns
    -------
    TravelMatrix
        The stretched durations (and distances, with a closure); writeable arrays of
        ``matrix`` are reused in place, read-only ones copied. Unreachable legs stay
        :data:`~fleetline.network.base.UNREACHABLE`.
    """
    n = matrix.size
    slower = np.zeros(n * n, dtype=np.float32)  # extra time, as a share of the leg's time
    longer: npt.NDArray[np.float32] | None = None  # extra distance (closures only)
    for incident in incidents:
        closed = incident.kind is IncidentKind.CLOSURE or incident.factor is None
        extra = (closure_factor if closed else float(incident.factor or 1.0)) - 1.0
        if closed and longer is None:
            longer = np.zeros(n * n, dtype=np.float32)
        for crossed in iter_crossings(incident.area, locations):
            flat = crossed.rows * n + crossed.cols  # each leg once per incident
            slower[flat] += (extra * crossed.fractions).astype(np.float32)
            if longer is not None and closed:
                longer[flat] += (extra * crossed.fractions).astype(np.float32)
    return TravelMatrix(
        durations=_stretch(matrix.durations, slower),
        distances=matrix.distances if longer is None else _stretch(matrix.distances, longer),
    )


def _stretch(
    values: npt.NDArray[np.int64], extra: npt.NDArray[np.float32]
) -> npt.NDArray[np.int64]:
    """Return ``values × (1 + extra)`` rounded; unreachable values stay unreachable.

    Computed in slices of ``CHUNK`` cells. A writeable ``values`` is the caller's own
    (cached matrices are read-only) and is overwritten rather than copied: on a
    4,000-stop matrix that saves allocating 128 MB.
    """
    flat_values = values.reshape(-1)
    touched = np.flatnonzero(extra)
    if touched.size < flat_values.size // 4:  # few legs slowed: only those are touched
        out = flat_values if values.flags.writeable else flat_values.copy()
        touched = touched[out[touched] < UNREACHABLE]
        stretched = np.rint(out[touched] * (1.0 + extra[touched].astype(np.float64)))
        out[touched] = np.minimum(stretched, UNREACHABLE)
        return out.reshape(values.shape)
    out = flat_values if values.flags.writeable else np.empty_like(flat_values)
    for lo in range(0, flat_values.size, CHUNK):
        part = flat_values[lo : lo + CHUNK]
        stretched = part * (1.0 + extra[lo : lo + CHUNK].astype(np.float64))
        np.rint(stretched, out=stretched)
        np.minimum(stretched, UNREACHABLE, out=stretched)
        out[lo : lo + CHUNK] = np.where(part < UNREACHABLE, stretched, part)  # part read first
    return out.reshape(values.shape)
