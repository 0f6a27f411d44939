"""Traffic incidents on the Liechtenstein road network: slower roads, detours, and back."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fleetline.domain.live import Area, IncidentKind, TrafficIncident
from fleetline.domain.model import Location
from fleetline.network.base import UNREACHABLE
from fleetline.network.osrm_engine import OsrmTravelTimes
from fleetline.network.traffic import TrafficAwareTravelTimes

pytestmark = pytest.mark.osrm

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
VADUZ = Location(lat=47.1410, lon=9.5209)
SCHAAN = Location(lat=47.1650, lon=9.5095)
TRIESEN = Location(lat=47.1070, lon=9.5270)
TRIP = [SCHAAN, TRIESEN, VADUZ]


def vaduz_incident(
    kind: IncidentKind = IncidentKind.SLOWDOWN, ends_at: datetime | None = None
) -> TrafficIncident:
    return TrafficIncident(
        id=f"vaduz-{kind.value}",
        kind=kind,
        area=Area(center=VADUZ, radius_m=600),
        starts_at=NOW - timedelta(minutes=5),
        ends_at=ends_at,
        factor=4.0 if kind is IncidentKind.SLOWDOWN else None,
    )


def digests(region: Path) -> dict[str, str]:
    directory = region if region.is_dir() else region.parent
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.iterdir())
        if path.is_file()
    }


class FakeSeconds:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.value = 1_000.0

    def __call__(self) -> float:
        return self.value


@pytest.fixture
def seconds() -> FakeSeconds:
    return FakeSeconds()


@pytest.fixture
def traffic(
    liechtenstein_region: Path, seconds: FakeSeconds, tmp_path: Path
) -> Iterator[TrafficAwareTravelTimes]:
    provider = TrafficAwareTravelTimes(
        OsrmTravelTimes(liechtenstein_region), monotonic=seconds, work_dir=tmp_path / "work"
    )
    yield provider
    provider.close()


def test_a_slowdown_in_vaduz_slows_the_trip_through_it_until_it_ends(
    traffic: TrafficAwareTravelTimes, liechtenstein_region: Path, seconds: FakeSeconds
) -> None:
    """Schaan to Triesen takes longer while Vaduz is jammed, and as usual once it clears."""
    originals = digests(liechtenstein_region)
    usual = traffic.matrix(TRIP).durations.copy()
    ends = NOW + timedelta(minutes=30)
    assert traffic.update([vaduz_incident(ends_at=ends)], NOW)
    assert traffic.last_customization is not None
    assert traffic.last_customization.segments > 50
    jammed = traffic.matrix(TRIP).durations
    assert jammed[0, 1] > usual[0, 1] * 1.2
    assert jammed[1, 0] > usual[1, 0] * 1.2
    seconds.value += 60
    assert traffic.update([vaduz_incident(ends_at=ends)], ends)
    assert (traffic.matrix(TRIP).durations == usual).all()
    assert digests(liechtenstein_region) == originals


def test_a_closure_keeps_a_client_inside_reachable(traffic: TrafficAwareTravelTimes) -> None:
    """Vaduz closed: trips across take much longer, yet a stop in the centre is still served."""
    usual = traffic.matrix(TRIP).durations.copy()
    traffic.update([vaduz_incident(IncidentKind.CLOSURE)], NOW)
    closed = traffic.matrix(TRIP).durations
    assert closed[0, 1] > usual[0, 1] * 1.5
    assert usual[0, 2] < closed[0, 2] < UNREACHABLE
    assert closed[2, 1] < UNREACHABLE


def test_changes_within_the_interval_wait_and_then_apply_the_latest_state(
    traffic: TrafficAwareTravelTimes, seconds: FakeSeconds
) -> None:
    """A burst of reports customizes the network once now and once after the interval."""
    usual = traffic.matrix(TRIP).durations.copy()
    assert traffic.update([vaduz_incident()], NOW)
    for _ in range(20):
        assert not traffic.update([vaduz_incident(IncidentKind.CLOSURE)], NOW)
    assert traffic.pending
    assert traffic.version == 1
    seconds.value += traffic.min_interval_s
    closed = traffic.matrix(TRIP).durations  # the held change is applied on this call
    assert traffic.version == 2
    assert not traffic.pending
    assert closed[0, 1] > usual[0, 1] * 1.5
    assert [i.kind for i in traffic.active] == [IncidentKind.CLOSURE]


def test_the_working_copy_is_removed_on_close(liechtenstein_region: Path, tmp_path: Path) -> None:
    """Customized copies of the region do not pile up on disk."""
    work = tmp_path / "work"
    provider = TrafficAwareTravelTimes(OsrmTravelTimes(liechtenstein_region), work_dir=work)
    provider.update([vaduz_incident()], NOW)
    assert any(work.iterdir())
    provider.close()
    assert not work.exists()
