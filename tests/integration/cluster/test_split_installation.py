"""A split installation as production runs it: two faces and two engines on PostgreSQL.

``fleetline serve --workers 2`` runs two API processes; two ``fleetline worker``
processes share the engine lease, one active, one standing by. A position posted to
either face reaches the other's live picture; when the active engine is killed
(``kill -9``), the standby takes the lease and the day goes on; with no engine at all,
the faces still answer from the last picture.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from fleetline.bootstrap import bootstrap
from fleetline.cluster.lease import EngineLease
from fleetline.demo import wait_for_plan
from fleetline.domain import commands
from fleetline.domain.access import Role
from fleetline.operations.access import issue_token
from fleetline.sim.company import LIECHTENSTEIN, CompanySpec, seed_company

from ..api_client import bounded_settings

pytestmark = pytest.mark.postgresql_only  # the split needs PostgreSQL's lease and notifications

TAKEOVER_S = 10.0
"""The standby's promise: the engine runs again within this time of the active one's end."""


@dataclasses.dataclass
class Installation:
    database_url: str
    faces: list[str]
    token: str
    vehicle_ids: list[str]
    logs: Path
    processes: dict[str, subprocess.Popen[bytes]]

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def log_of(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def start(self, name: str, *args: str) -> None:
        env = {
            **os.environ,
            "FLEETLINE_DATABASE_URL": self.database_url,
            "FLEETLINE_SOLVER_PROCESSES": "0",
            "FLEETLINE_SOLVER_MAX_ITERATIONS": "500",
            "FLEETLINE_OPTIONS_MAX_ITERATIONS": "200",
        }
        env.pop("FLEETLINE_MQTT_URL", None)
        with (self.logs / f"{name}.log").open("wb") as log:
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", "fleetline", *args],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )


def _until[T](what: str, check: Callable[[], T | None], timeout_s: float, log: str = "") -> T:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{what} within {timeout_s:g} s\n{log[-3000:]}")


def _consecutive_free_ports() -> int:
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port: int = probe.getsockname()[1]
        try:
            with socket.socket() as second:
                second.bind(("127.0.0.1", port + 1))
        except OSError:
            continue
        return port
    raise RuntimeError("no two free consecutive ports")


def _seed(database_url: str) -> tuple[str, list[str]]:
    """Two trucks' dispatched day, today, and an admin token."""
    services = bootstrap(
        bounded_settings(database_url), recover=False, live_refresh=False, send_messages=False
    )
    try:
        area = dataclasses.replace(LIECHTENSTEIN, timezone="Etc/UTC")
        spec = CompanySpec(trucks=2, orders=6, day=datetime.now(UTC).date(), seed=3, area=area)
        company = seed_company(services.bus, spec)
        requested = services.bus.handle(commands.RequestPlan(date=spec.day, time_limit_s=5.0))
        plan = wait_for_plan(services, requested.id, 60)
        services.bus.handle(commands.DispatchPlan(plan_id=plan.id))
        with services.uow_factory() as uow:
            secret, _ = issue_token(uow, services.bus.context, Role.ADMIN, "split test")
            uow.commit()
    finally:
        services.close(stop_shared_workers=False)
    return secret, list(company.vehicle_ids)


@pytest.fixture
def installation(database_url: str, tmp_path: Path) -> Iterator[Installation]:
    token, vehicle_ids = _seed(database_url)
    port = _consecutive_free_ports()
    split = Installation(
        database_url,
        [f"http://127.0.0.1:{port + i}" for i in (0, 1)],
        token,
        vehicle_ids,
        tmp_path,
        {},
    )
    try:
        yield split
    finally:
        for process in split.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in split.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _position_of(base_url: str, headers: dict[str, str], vehicle_id: str) -> dict[str, Any] | None:
    try:
        response = httpx.get(f"{base_url}/api/v1/live", headers=headers, timeout=10)
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None
    for vehicle in response.json()["vehicles"]:
        if vehicle["vehicle_id"] == vehicle_id:
            position: dict[str, Any] = vehicle["position"]
            return position
    return None


def _post_position(base_url: str, headers: dict[str, str], vehicle_id: str, lat: float) -> None:
    body = {
        "positions": [
            {
                "vehicle_id": vehicle_id,
                "lat": lat,
                "lon": 9.52,
                "recorded_at": datetime.now(UTC).isoformat(),
            }
        ]
    }
    response = httpx.post(
        f"{base_url}/api/v1/telemetry/positions", json=body, headers=headers, timeout=10
    )
    assert response.status_code == 202, response.text


def _seen_everywhere(split: Installation, vehicle_id: str, lat: float, timeout_s: float) -> None:
    for face in split.faces:
        _until(
            f"the position at {lat} shown by {face}",
            lambda face=face: (
                (_position_of(face, split.headers(), vehicle_id) or {}).get("lat") == lat
            ),
            timeout_s,
            split.log_of("faces") + split.log_of("engine-a") + split.log_of("engine-b"),
        )


def test_positions_reach_every_face_and_the_standby_takes_over(installation: Installation) -> None:
    """Both faces show a position posted to either; after a kill -9 the standby engine runs."""
    split = installation
    split.start("engine-a", "worker")
    _until(
        "engine a running",
        lambda: "running (started" in split.log_of("engine-a"),
        60,
        split.log_of("engine-a"),
    )
    split.start("engine-b", "worker")
    _until(
        "engine b standing by",
        lambda: "standby" in split.log_of("engine-b"),
        60,
        split.log_of("engine-b"),
    )
    port = split.faces[0].rsplit(":", 1)[1]
    split.start("faces", "serve", "--workers", "2", "--host", "127.0.0.1", "--port", port)
    for face in split.faces:
        _until(
            f"{face} answering",
            lambda face=face: _position_of(face, split.headers(), split.vehicle_ids[0]),
            60,
            split.log_of("faces"),
        )

    truck = split.vehicle_ids[0]
    _post_position(split.faces[0], split.headers(), truck, 47.1111)
    _seen_everywhere(split, truck, 47.1111, timeout_s=10)

    split.processes["engine-a"].send_signal(signal.SIGKILL)
    killed = time.monotonic()
    _until(
        "engine b running",
        lambda: "running (started" in split.log_of("engine-b"),
        TAKEOVER_S,
        split.log_of("engine-b"),
    )
    assert time.monotonic() - killed <= TAKEOVER_S
    holder = EngineLease(split.database_url)
    try:
        assert (
            holder.current_holder()
            == f"{socket.gethostname()} pid {split.processes['engine-b'].pid}"
        )
    finally:
        holder.release()
    _post_position(split.faces[1], split.headers(), truck, 47.2222)
    _seen_everywhere(split, truck, 47.2222, timeout_s=10)

    split.processes["engine-b"].send_signal(signal.SIGTERM)
    split.processes["engine-b"].wait(timeout=30)
    assert "stopped; the lease is free" in split.log_of("engine-b")
    for face in split.faces:  # no engine runs: the faces answer from the last picture
        assert (_position_of(face, split.headers(), truck) or {}).get("lat") == 47.2222
