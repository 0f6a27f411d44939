"""Which straight legs cross a traffic area, and how much of each leg lies inside it.

Every area is handled in a local metric frame centred on it (an equirectangular
projection: east and north in metres), in which a leg between two stops is the straight
segment between their projections. The frame is exact enough for areas of a city or a
valley; legs hundreds of kilometres long are bent slightly by it.

Whole matrices are computed with numpy, a band of rows at a time, so that a
4,000 × 4,000 matrix needs a few megabytes of temporaries, not gigabytes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fleetline.domain.live import Area
from fleetline.domain.model import Location
from fleetline.network.crowflies import EARTH_RADIUS_M

FloatArray = npt.NDArray[np.float64]
IndexArray = npt.NDArray[np.intp]
CHUNK = 65_536
"""Candidate legs checked at once (a few megabytes per temporary)."""


@dataclass(frozen=True, slots=True)
class Crossings:
    """Legs that cross an area: row ``rows[k]``, column ``cols[k]``, share ``fractions[k]``.

    ``fractions`` is the part of the straight leg's length inside the area, in ``(0, 1]``.
    """

    rows: IndexArray
    cols: IndexArray
    fractions: FloatArray

    @property
    def count(self) -> int:
        """Number of crossing legs."""
        return int(self.rows.size)


@dataclass(frozen=True, slots=True)
class LocalArea:
    """An area in its own metric frame: the origin, a bounding radius, and its outline.

    Attributes
    ----------
    lat0, lon0
        The frame's origin (a circle's centre; the mean corner of a polygon).
    radius_m
        The circle's radius, or the radius of a circle around the origin that holds
        the whole polygon.
    polygon
        ``(m, 2)`` corners in metres east and north of the origin, or ``None``.
    """

    lat0: float
    lon0: float
    radius_m: float
    polygon: FloatArray | None


def project(lats: npt.ArrayLike, lons: npt.ArrayLike, lat0: float, lon0: float) -> FloatArray:
    """Return ``(n, 2)`` metres east and north of ``(lat0, lon0)``.

    Parameters
    ----------
    lats, lons
        Points in degrees.
    lat0, lon0
        The frame's origin in degrees.

    Returns
    -------
    numpy.ndarray
        Equirectangular coordinates in metres.
    """
    scale = np.pi / 180.0 * EARTH_RADIUS_M
    lat = np.asarray(lats, dtype=np.float64)
    lon = np.asarray(lons, dtype=np.float64)
    east = (lon - lon0) * scale * np.cos(np.radians(lat0))
    north = (lat - lat0) * scale
    return np.column_stack((east, north))


def local_area(area: Area) -> LocalArea:
    """Put ``area`` in its own metric frame.

    Parameters
    ----------
    area
        A circle or a polygon.

    Returns
    -------
    LocalArea
        The frame and the outline in it.
    """
    if area.polygon:
        lat0 = float(np.mean([p.lat for p in area.polygon]))
        lon0 = float(np.mean([p.lon for p in area.polygon]))
        corners = project([p.lat for p in area.polygon], [p.lon for p in area.polygon], lat0, lon0)
        radius = float(np.sqrt((corners**2).sum(axis=1)).max())
        return LocalArea(lat0, lon0, radius, corners)
    if area.center is None or area.radius_m is None:  # Area refuses this; for the types
        raise ValueError("an area needs a polygon or a centre and a radius")
    return LocalArea(area.center.lat, area.center.lon, float(area.radius_m), None)


def points_in_polygon(points: FloatArray, polygon: FloatArray) -> npt.NDArray[np.bool_]:
    """Return whether each point is inside ``polygon`` (even-odd rule).

    Parameters
    ----------
    points
        ``(n, 2)`` coordinates.
    polygon
        ``(m, 2)`` corners in order; the last joins the first.

    Returns
    -------
    numpy.ndarray
        One boolean per point.
    """
    x, y = points[:, 0], points[:, 1]
    inside = np.zeros(len(points), dtype=bool)
    ax, ay = polygon[:, 0], polygon[:, 1]
    bx, by = np.roll(ax, -1), np.roll(ay, -1)
    for x1, y1, x2, y2 in zip(ax, ay, bx, by, strict=True):
        straddles = (y1 > y) != (y2 > y)
        if not straddles.any():
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            x_cross = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        inside ^= straddles & (x < x_cross)
    return inside


def circle_crossings(xy: FloatArray, radius_m: float) -> Crossings:
    """Find every leg ``i -> j`` that crosses the circle of ``radius_m`` around the origin.

    The leg's points are ``p_i + t (p_j - p_i)``, ``0 <= t <= 1``; those inside the circle
    form one interval of ``t`` (the roots of a quadratic), whose length is the share
    returned.

    Parameters
    ----------
    xy
        ``(n, 2)`` stops in the circle's metric frame.
    radius_m
        The circle's radius.

    Returns
    -------
    Crossings
        The legs with a positive share inside.

    Notes
    -----
    Checking all ``n²`` legs is avoided with a necessary condition. Seen from the
    centre, a stop at distance ``ρ > r`` has half-angle ``a = arccos(r / ρ)``; a leg
    between two stops outside the circle whose closest point to the centre (at
    distance ``d <= r``) lies on the leg spans an angle
    ``arccos(d / ρ_i) + arccos(d / ρ_j) >= a_i + a_j``. The stops are grouped by ``a``
    and sorted by angle, so each stop's candidate partners in a group form one arc,
    found by binary search. Only candidates, and legs touching a stop inside the
    circle, get the exact test.
    """
    return _gather(_circle_chunks(xy, radius_m))


def _circle_candidates(xy: FloatArray, radius_m: float) -> tuple[IndexArray, IndexArray]:
    """Return legs that may cross the circle (a superset of those that do)."""
    n = len(xy)
    rho = np.hypot(xy[:, 0], xy[:, 1])
    phi = np.arctan2(xy[:, 1], xy[:, 0])
    margin = radius_m * 1.000001 + 1e-6  # never lose a leg to rounding
    inside = rho <= margin
    every = np.arange(n, dtype=np.intp)
    found_rows: list[IndexArray] = []
    found_cols: list[IndexArray] = []
    outside = np.nonzero(~inside)[0]
    for i in np.nonzero(inside)[0]:  # legs from or to a stop inside: all candidates, once
        found_rows += [np.full(n, i, dtype=np.intp), outside]
        found_cols += [every, np.full(outside.size, i, dtype=np.intp)]
    half = np.arccos(np.clip(margin / np.maximum(rho[outside], margin), 0.0, 1.0))
    by_half = outside[np.argsort(half, kind="stable")]
    groups = max(1, min(64, len(by_half) // 64))
    for group in np.array_split(by_half, groups):
        if group.size == 0:
            continue
        members = group[np.argsort(phi[group], kind="stable")]
        angles = phi[members]
        size = members.size
        doubled = np.concatenate((angles, angles + 2.0 * np.pi))
        least_half = float(np.arccos(min(1.0, margin / max(float(rho[members].min()), margin))))
        width = np.pi - half - least_half  # half-width of each row's arc of partners
        keep = width > 0
        if not keep.any():
            continue
        rows = outside[keep]
        width = width[keep]
        low = np.mod(phi[rows] + np.pi - width + np.pi, 2.0 * np.pi) - np.pi
        first = np.searchsorted(doubled, low, side="left")
        last = np.searchsorted(doubled, low + 2.0 * width, side="right")
        counts = np.minimum(last - first, size)
        total = int(counts.sum())
        if total == 0:
            continue
        offsets = np.arange(total, dtype=np.intp) - np.repeat(np.cumsum(counts) - counts, counts)
        found_rows.append(np.repeat(rows, counts))
        found_cols.append(members[(np.repeat(first, counts) + offsets) % size])
    if not found_rows:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty.copy()
    return np.concatenate(found_rows), np.concatenate(found_cols)


def _circle_chunks(xy: FloatArray, radius_m: float) -> Iterator[Crossings]:
    """Exact share of each candidate leg inside the circle, a chunk of legs at a time."""
    rows, cols = _circle_candidates(xy, radius_m)
    x, y = xy[:, 0], xy[:, 1]
    r2 = radius_m * radius_m
    for lo in range(0, rows.size, CHUNK):
        ri, cj = rows[lo : lo + CHUNK], cols[lo : lo + CHUNK]
        px, py = x[ri], y[ri]
        dx, dy = x[cj] - px, y[cj] - py
        aa = dx * dx + dy * dy
        bb = px * dx + py * dy
        cc = px * px + py * py - r2
        disc = bb * bb - aa * cc
        ok = (aa > 0) & (disc > 0)
        root = np.sqrt(np.where(ok, disc, 0.0))
        safe = np.where(ok, aa, 1.0)
        share = np.minimum((root - bb) / safe, 1.0) - np.maximum((-bb - root) / safe, 0.0)
        keep = ok & (share > 0)
        yield Crossings(ri[keep], cj[keep], share[keep])


def polygon_crossings(xy: FloatArray, polygon: FloatArray, radius_m: float) -> Crossings:
    """Find every leg ``i -> j`` that crosses ``polygon`` and the share inside it.

    Candidates are the legs crossing the polygon's bounding circle (``radius_m`` around
    the origin). Each candidate is cut at its crossings with the polygon's edges; the
    pieces alternate between inside and outside, starting from whether ``p_i`` is inside.

    Parameters
    ----------
    xy
        ``(n, 2)`` stops in the polygon's metric frame.
    polygon
        ``(m, 2)`` corners.
    radius_m
        Radius around the origin that holds the polygon.

    Returns
    -------
    Crossings
        The legs with a positive share inside.
    """
    return _gather(_polygon_chunks(xy, polygon, radius_m))


def _polygon_chunks(xy: FloatArray, polygon: FloatArray, radius_m: float) -> Iterator[Crossings]:
    """Share of each leg inside ``polygon``, a chunk of candidate legs at a time."""
    starts_inside = points_in_polygon(xy, polygon)
    ax, ay = polygon[:, 0], polygon[:, 1]
    ex, ey = np.roll(ax, -1) - ax, np.roll(ay, -1) - ay
    for around in _circle_chunks(xy, radius_m * 1.000001 + 1e-6):
        rows, cols = around.rows, around.cols
        px, py = xy[rows, 0:1], xy[rows, 1:2]
        dx, dy = xy[cols, 0:1] - px, xy[cols, 1:2] - py
        denom = dx * ey - dy * ex  # cross(d, e), one column per edge
        wx, wy = ax - px, ay - py  # corner - p_i
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (wx * ey - wy * ex) / denom
            u = (wx * dy - wy * dx) / denom
        hits = (denom != 0) & (u >= 0) & (u < 1) & (t > 0) & (t < 1)
        cuts = np.sort(np.where(hits, t, 1.0), axis=1)
        bounds = np.concatenate((np.zeros((len(rows), 1)), cuts, np.ones((len(rows), 1))), axis=1)
        pieces = np.diff(bounds, axis=1)
        parity = np.arange(pieces.shape[1]) % 2 == 1
        inside = starts_inside[rows][:, None] ^ parity[None, :]
        share = (pieces * inside).sum(axis=1)
        keep = share > 0
        yield Crossings(rows[keep], cols[keep], share[keep])


def crossings(area: Area, locations: Sequence[Location]) -> Crossings:
    """Return the legs between ``locations`` that cross ``area``, with their share inside.

    Parameters
    ----------
    area
        A circle or polygon.
    locations
        The stops, in matrix order.

    Returns
    -------
    Crossings
        Legs ``i -> j`` (``i != j``, distinct points) whose straight line enters the area.
    """
    return _gather(iter_crossings(area, locations))


def iter_crossings(area: Area, locations: Sequence[Location]) -> Iterator[Crossings]:
    """Yield the legs crossing ``area`` a chunk at a time; see :func:`crossings`."""
    frame = local_area(area)
    xy = project([p.lat for p in locations], [p.lon for p in locations], frame.lat0, frame.lon0)
    if frame.polygon is not None:
        return _polygon_chunks(xy, frame.polygon, frame.radius_m)
    return _circle_chunks(xy, frame.radius_m)


def _gather(chunks: Iterator[Crossings]) -> Crossings:
    parts = list(chunks)
    if not parts:
        empty = np.zeros(0, dtype=np.intp)
        return Crossings(empty, empty.copy(), np.zeros(0, dtype=np.float64))
    return Crossings(
        np.concatenate([p.rows for p in parts]),
        np.concatenate([p.cols for p in parts]),
        np.concatenate([p.fractions for p in parts]),
    )
