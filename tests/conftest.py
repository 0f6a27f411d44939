"""Fixtures for every test: the shared OpenStreetMap extracts, prepared once per run.

The tests in ``tests/e2e`` and ``tests/browser`` are marked ``slow`` here: the default
run leaves them out (``-m 'not slow'`` in the project's pytest options) and
``uv run pytest -m slow`` runs them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock

from fleetline.network.osrm_engine import OsrmTravelTimes
from fleetline.network.region import import_region, read_region


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--all-databases``: every database test on PostgreSQL as well as SQLite."""
    parser.addoption(
        "--all-databases",
        action="store_true",
        help="run every database test on PostgreSQL too, not only those marked both_databases",
    )


TESTS = Path(__file__).resolve().parent
SLOW_PARTS = {"e2e", "browser"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the end-to-end and browser tests ``slow`` (and the browser's ``browser``)."""
    for item in items:
        try:
            part = Path(item.path).resolve().relative_to(TESTS).parts[0]
        except ValueError:
            continue
        if part in SLOW_PARTS:
            item.add_marker(pytest.mark.slow)
        if part == "browser":
            item.add_marker(pytest.mark.browser)


def _shared_osm_dir() -> Path | None:
    """Find ``../shared/osm`` beside the project root, wherever the tests run from."""
    for parent in Path(__file__).resolve().parents:
        if (parent / "pyproject.toml").is_file():
            candidate = (parent / ".." / "shared" / "osm").resolve()
            return candidate if candidate.is_dir() else None
    return None


def _extract(name: str) -> Path:
    directory = _shared_osm_dir()
    pbf = directory / f"{name}.osm.pbf" if directory else None
    if pbf is None or not pbf.is_file():
        pytest.skip(f"OpenStreetMap extract {name}.osm.pbf not found in ../shared/osm")
    return pbf


@pytest.fixture(scope="session")
def liechtenstein_pbf() -> Path:
    """The Liechtenstein extract (valley towns and mountain roads)."""
    return _extract("liechtenstein")


@pytest.fixture(scope="session")
def monaco_pbf() -> Path:
    """The Monaco extract (dense city, one-way streets)."""
    return _extract("monaco")


def made_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]
) -> Path:
    """A folder that ``make`` fills once for the whole run, shared by every test worker.

    Under pytest-xdist each worker has a temporary directory of its own inside the run's;
    the folder is made in the run's directory, under a file lock, by whichever worker asks
    first, and the others wait for it and read it. Tests must not change what is in it.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    folder = root / name
    made = root / f"{name}.made"
    with FileLock(root / f"{name}.lock"):
        if not made.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            made.touch()
    return folder


@pytest.fixture(scope="session")
def liechtenstein_region(liechtenstein_pbf: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Liechtenstein prepared with MLD once per run (tests must not change it)."""
    folder = made_once(
        tmp_path_factory, "liechtenstein", lambda into: import_region(liechtenstein_pbf, into)
    )
    return read_region(folder).base


@pytest.fixture(scope="session")
def monaco_region(monaco_pbf: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Monaco prepared with MLD once per run (tests must not change it)."""
    folder = made_once(tmp_path_factory, "monaco", lambda into: import_region(monaco_pbf, into))
    return read_region(folder).base


@pytest.fixture(scope="session")
def liechtenstein(liechtenstein_region: Path) -> OsrmTravelTimes:
    """Road travel times in Liechtenstein."""
    return OsrmTravelTimes(liechtenstein_region)


@pytest.fixture(scope="session")
def monaco(monaco_region: Path) -> OsrmTravelTimes:
    """Road travel times in Monaco."""
    return OsrmTravelTimes(monaco_region)
