"""Prepare an OpenStreetMap extract for routing, once, with the tools shipped in the osrm wheel.

A prepared region is a directory holding OSRM's ``<name>.osrm.*`` files, the streets
the consoles' maps draw (``roads.json``, see :mod:`fleetline.network.road_layer`) and a
``region.json`` that says what it is: the source file and its SHA-256, when and with
which algorithm it was prepared, the bounding box of its road network and the road
layer file. ``region.json`` is written last, so a directory with one is complete.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import numpy as np

from fleetline.network.road_extract import extract_roads
from fleetline.network.road_layer import ROADS_FILE, RoadLayerError, write_roads

METADATA_FILE = "region.json"
Algorithm = Literal["MLD", "CH"]


class RegionError(Exception):
    """A region cannot be prepared or opened; the message says why in one line."""


@dataclass(frozen=True, slots=True)
class RegionInfo:
    """What a prepared region is, as recorded in its ``region.json``.

    Attributes
    ----------
    base
        OSRM base path (``<dir>/<name>.osrm``), the value an engine is opened with.
    source
        The OpenStreetMap file it was prepared from.
    sha256
        Hex digest of that file.
    prepared_at
        When preparation finished (UTC).
    algorithm
        ``"MLD"`` or ``"CH"``.
    bbox
        ``(min_lon, min_lat, max_lon, max_lat)`` of the road network, if it was readable.
    timings_s
        Seconds spent in each preparation step.
    roads
        The road layer file for the maps; ``None`` for a region prepared without one.
    """

    base: Path
    source: str
    sha256: str
    prepared_at: datetime
    algorithm: Algorithm
    bbox: tuple[float, float, float, float] | None
    timings_s: dict[str, float]
    roads: Path | None = None


def _osrm_package_dir() -> Path:
    spec = importlib.util.find_spec("osrm")
    if spec is None or spec.origin is None:
        raise RegionError("the osrm-bindings package is not installed")
    return Path(spec.origin).parent


def _tool(name: str) -> Path:
    exe = _osrm_package_dir() / "bin" / (name + (".exe" if os.name == "nt" else ""))
    if not exe.is_file():
        raise RegionError(f"{exe.name} is missing from the osrm-bindings package")
    return exe


def default_profile() -> Path:
    """Return the car profile bundled with osrm-bindings.

    Returns
    -------
    pathlib.Path
        Path of ``car.lua``.
    """
    return _osrm_package_dir() / "share" / "profiles" / "car.lua"


def _check_pbf(pbf: Path) -> None:
    if not pbf.is_file():
        raise RegionError(f"no such OpenStreetMap file: {pbf}")
    with pbf.open("rb") as handle:
        head = handle.read(64)
    # A PBF file opens with a length-prefixed BlobHeader whose type is "OSMHeader".
    if not pbf.name.endswith(".pbf") or b"OSMHeader" not in head:
        raise RegionError(f"not an OpenStreetMap PBF file: {pbf}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _run(step: str, args: list[str | Path], timings: dict[str, float]) -> None:
    started = time.perf_counter()
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, check=False)
    timings[step] = round(time.perf_counter() - started, 3)
    if done.returncode != 0:
        lines = [ln for ln in (done.stderr + done.stdout).splitlines() if ln.strip()]
        errors = [ln for ln in lines if "error" in ln.lower()] or lines or ["no output"]
        raise RegionError(f"osrm-{step} failed ({done.returncode}): {errors[-1].strip()}")


def _network_bbox(base: Path) -> tuple[float, float, float, float] | None:
    """Read the road network's extent from the node file, if its layout is the known one."""
    try:
        with tarfile.open(f"{base}.nbg_nodes") as archive:
            member = archive.extractfile("/common/nbn_data/coordinates")
            if member is None:
                return None
            raw = member.read()
        fixed = np.frombuffer(raw, dtype="<i4").reshape(-1, 2)  # lon, lat × 1e6
        if fixed.size == 0:
            return None
        low, high = fixed.min(axis=0) / 1e6, fixed.max(axis=0) / 1e6
        return (float(low[0]), float(low[1]), float(high[0]), float(high[1]))
    except (OSError, KeyError, ValueError, tarfile.TarError):
        return None


def _region_name(pbf: Path) -> str:
    name = pbf.name
    for suffix in (".osm.pbf", ".pbf"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def import_region(
    pbf_path: Path | str,
    target_dir: Path | str,
    *,
    algorithm: Algorithm = "MLD",
    profile: Path | str | None = None,
    threads: int | None = None,
) -> Path:
    """Prepare an OpenStreetMap extract for routing and return the OSRM base path.

    Runs ``osrm-extract`` then ``osrm-partition`` and ``osrm-customize`` (MLD, which
    later accepts live segment speeds through ``osrm-customize``) or ``osrm-contract``
    (CH: faster large tables, but traffic needs a full re-contraction), then writes the
    region's car roads for the maps (``roads.json``).

    Parameters
    ----------
    pbf_path
        An ``.osm.pbf`` extract.
    target_dir
        Directory to write the region into (created if needed). Existing files of the
        same region name are replaced.
    algorithm
        ``"MLD"`` (default) or ``"CH"``.
    profile
        Lua routing profile; the bundled ``car.lua`` by default.
    threads
        Threads for the OSRM tools (their default when ``None``).

    Returns
    -------
    pathlib.Path
        ``<target_dir>/<name>.osrm``, to open with
        :class:`~fleetline.network.osrm_engine.OsrmTravelTimes`.

    Raises
    ------
    RegionError
        If the file is missing or not a PBF, or a preparation step fails.
    """
    if algorithm not in ("MLD", "CH"):
        raise RegionError(f"unknown algorithm {algorithm!r}: use 'MLD' or 'CH'")
    pbf = Path(pbf_path).resolve()
    _check_pbf(pbf)
    profile_path = Path(profile) if profile is not None else default_profile()
    if not profile_path.is_file():
        raise RegionError(f"no such routing profile: {profile_path}")
    target = Path(target_dir).resolve()
    target.mkdir(parents=True, exist_ok=True)
    name = _region_name(pbf)
    thread_args: list[str | Path] = ["-t", str(threads)] if threads else []
    timings: dict[str, float] = {}

    work = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=target))
    try:
        work_base = work / f"{name}.osrm"
        _run(
            "extract",
            [_tool("osrm-extract"), "-p", profile_path, "-o", work_base, *thread_args, pbf],
            timings,
        )
        if algorithm == "MLD":
            _run("partition", [_tool("osrm-partition"), *thread_args, work_base], timings)
            _run("customize", [_tool("osrm-customize"), *thread_args, work_base], timings)
        else:
            _run("contract", [_tool("osrm-contract"), *thread_args, work_base], timings)
        _write_road_layer(pbf, work / ROADS_FILE, timings)
        (target / METADATA_FILE).unlink(missing_ok=True)
        for old in target.glob(f"{name}.osrm.*"):
            old.unlink()
        for produced in work.iterdir():
            produced.replace(target / produced.name)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    base = target / f"{name}.osrm"
    metadata = {
        "base": base.name,
        "source": str(pbf),
        "sha256": _sha256(pbf),
        "prepared_at": datetime.now(UTC).isoformat(),
        "algorithm": algorithm,
        "bbox": _network_bbox(base),
        "timings_s": timings,
        "roads": ROADS_FILE,
    }
    (target / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n")
    return base


def _write_road_layer(pbf: Path, path: Path, timings: dict[str, float]) -> None:
    started = time.perf_counter()
    try:
        write_roads(extract_roads(pbf), path)
    except RoadLayerError as exc:
        raise RegionError(str(exc)) from exc
    timings["roads"] = round(time.perf_counter() - started, 3)


def read_region(path: Path | str) -> RegionInfo:
    """Describe a prepared region from its directory or its OSRM base path.

    Parameters
    ----------
    path
        The directory given to :func:`import_region`, or the base path it returned.

    Returns
    -------
    RegionInfo
        The recorded metadata.

    Raises
    ------
    RegionError
        If no complete prepared region is there.
    """
    given = Path(path)
    directory = given if given.is_dir() else given.parent
    meta_file = directory / METADATA_FILE
    if not meta_file.is_file():
        raise RegionError(f"no prepared region at {given} (missing {METADATA_FILE})")
    try:
        raw = json.loads(meta_file.read_text())
        base = directory / str(raw["base"])
        bbox = raw.get("bbox")
        roads = raw.get("roads")
        info = RegionInfo(
            base=base,
            source=str(raw["source"]),
            sha256=str(raw["sha256"]),
            prepared_at=datetime.fromisoformat(str(raw["prepared_at"])),
            algorithm="CH" if raw["algorithm"] == "CH" else "MLD",
            bbox=tuple(float(v) for v in bbox) if bbox else None,  # type: ignore[arg-type]
            timings_s={str(k): float(v) for k, v in raw.get("timings_s", {}).items()},
            roads=directory / str(roads) if roads else None,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RegionError(f"unreadable {meta_file}: {exc}") from exc
    if not given.is_dir() and given.name != base.name:
        raise RegionError(f"{given} is not the region recorded in {meta_file}")
    graph = ".mldgr" if info.algorithm == "MLD" else ".hsgr"
    if not Path(f"{base}{graph}").is_file():
        raise RegionError(f"prepared region at {directory} is incomplete ({base.name}{graph})")
    return info


def apply_segment_speeds(region: Path | str, speed_file: Path | str) -> float:
    """Load live segment speeds into an MLD region; engines opened afterwards see them.

    Parameters
    ----------
    region
        A prepared MLD region (directory or base path).
    speed_file
        CSV of ``from_osm_node,to_osm_node,speed_kmh`` lines.

    Returns
    -------
    float
        Seconds spent in ``osrm-customize``.

    Raises
    ------
    RegionError
        If the region is not MLD, the file is missing, or customization fails.
    """
    info = read_region(region)
    if info.algorithm != "MLD":
        raise RegionError("segment speeds need an MLD region; a CH region must be re-prepared")
    speeds = Path(speed_file)
    if not speeds.is_file():
        raise RegionError(f"no such segment speed file: {speeds}")
    timings: dict[str, float] = {}
    _run(
        "customize",
        [_tool("osrm-customize"), info.base, "--segment-speed-file", speeds],
        timings,
    )
    return timings["customize"]
