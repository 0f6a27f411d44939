"""The ``fleetline`` command line as an operator or an integrator uses it."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fleetline.cli import main

FLEETLINE = str(Path(sys.executable).with_name("fleetline"))

VROOM_PROBLEM = {
    "vehicles": [
        {"id": 1, "start_index": 0, "end_index": 0, "capacity": [4], "time_window": [0, 36000]},
        {"id": 2, "start_index": 0, "end_index": 0, "capacity": [4], "time_window": [0, 36000]},
    ],
    "jobs": [
        {
            "id": 10 + n,
            "location_index": n,
            "service": 300,
            "delivery": [1],
            "time_windows": [[0, 36000]],
        }
        for n in range(1, 6)
    ],
    "matrices": {
        "car": {
            "durations": [
                [0 if i == j else 600 + 60 * abs(i - j) for j in range(6)] for i in range(6)
            ]
        }
    },
}


def test_plan_solves_a_vroom_file(tmp_path: Path) -> None:
    """A tool that speaks VROOM gets VROOM's solution format back: every job routed once,
    no vehicle over its capacity."""
    problem = tmp_path / "problem.json"
    problem.write_text(json.dumps(VROOM_PROBLEM))
    out = tmp_path / "solution.json"
    assert main(["plan", str(problem), "-o", str(out), "--time-limit", "1"]) == 0
    solution = json.loads(out.read_text())
    assert solution["code"] == 0
    assert solution["unassigned"] == []
    jobs = [s["id"] for r in solution["routes"] for s in r["steps"] if s["type"] == "job"]
    assert sorted(jobs) == [11, 12, 13, 14, 15]
    for route in solution["routes"]:
        assert sum(1 for s in route["steps"] if s["type"] == "job") <= 4
        assert route["steps"][0]["type"] == "start" and route["steps"][-1]["type"] == "end"
    assert solution["summary"]["routes"] == len(solution["routes"])


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"vehicles": [], "jobs": []}, "vehicles"),
        ({**VROOM_PROBLEM, "jobs": [{"id": 1, "location_index": 99}]}, "jobs[0].location_index"),
        (
            {**VROOM_PROBLEM, "jobs": [{"id": 1, "location_index": 1, "time_windows": [[50, 10]]}]},
            "jobs[0].time_windows[0]",
        ),
    ],
)
def test_plan_refuses_a_malformed_file_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], document: dict[str, object], field: str
) -> None:
    """A malformed VROOM file exits non-zero with one line naming the field; nothing is
    written."""
    problem = tmp_path / "bad.json"
    problem.write_text(json.dumps(document))
    out = tmp_path / "out.json"
    assert main(["plan", str(problem), "-o", str(out)]) == 2
    message = capsys.readouterr().err.strip()
    assert len(message.splitlines()) == 1
    assert field in message
    assert not out.exists()


def test_plan_refuses_a_file_that_is_not_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not JSON, or no file at all: one line saying so."""
    problem = tmp_path / "bad.json"
    problem.write_text("{jobs: oops")
    assert main(["plan", str(problem)]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert main(["plan", str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_a_token_from_the_command_line_opens_the_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`fleetline token create` prints a token the store recognises with its role; a driver
    token without its driver is refused."""
    from fleetline.bootstrap import bootstrap
    from fleetline.operations.access import authenticate

    monkeypatch.setenv("FLEETLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert main(["token", "create", "--role", "dispatcher", "--name", "Morning desk"]) == 0
    secret = capsys.readouterr().out.strip()
    services = bootstrap(recover=False)
    try:
        with services.uow_factory() as uow:
            token = authenticate(uow, secret)
        assert token is not None and token.role.value == "dispatcher"
        assert token.name == "Morning desk"
    finally:
        services.close()
    assert main(["token", "create", "--role", "driver"]) == 2
    assert "driver" in capsys.readouterr().err


@pytest.mark.osrm
def test_region_import_prepares_a_road_network(
    monaco_pbf: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Importing an OpenStreetMap extract prepares a network once and says how to use it;
    a missing extract is one line."""
    assert main(["region", "import", str(monaco_pbf), "--into", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "FLEETLINE_REGION=" in printed
    assert any(tmp_path.rglob("*.osrm*"))
    assert main(["region", "import", str(tmp_path / "nowhere.osm.pbf")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def running(tmp_path: Path) -> Iterator[list[subprocess.Popen[str]]]:
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _read_until(process: subprocess.Popen[str], marker: str, timeout_s: float) -> str:
    assert process.stdout is not None
    seen = ""
    deadline = time.monotonic() + timeout_s
    while marker not in seen:
        assert time.monotonic() < deadline, seen
        line = process.stdout.readline()
        assert line or process.poll() is None, seen
        seen += line
    return seen


def test_demo_serves_a_planned_day(tmp_path: Path, running: list[subprocess.Popen[str]]) -> None:
    """`fleetline demo` seeds a company, plans and dispatches its day, prints the tokens
    and a sign-in link to each console, and serves the API where a dispatcher can read
    the live plan."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLEETLINE_")}
    process = subprocess.Popen(
        [
            FLEETLINE,
            "demo",
            "--trucks",
            "4",
            "--orders",
            "40",
            "--time-limit",
            "1",
            "--port",
            str(port),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    running.append(process)
    printed = _read_until(process, "Stop with Ctrl+C", 120)
    assert "dispatched" in printed
    token = re.search(r"dispatcher\s+token: (\S+)", printed)
    plan_url = re.search(r"The day's plan:\s+(\S+)", printed)
    assert token and plan_url
    headers = {"Authorization": f"Bearer {token.group(1)}"}
    deadline = time.monotonic() + 30
    while True:
        try:
            plan = httpx.get(plan_url.group(1), headers=headers, timeout=5)
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline
            time.sleep(0.2)
    assert plan.status_code == 200
    body = plan.json()
    assert body["live"] is True and body["status"] == "ready"
    served = sum(len(route["stops"]) for route in body["routes"])
    assert served + len(body["unassigned"]) == 40
    assert served >= 30
    links = dict(
        re.findall(r"^  (Dispatcher|Customer service|Admin|Driver app)\s+(\S+)$", printed, re.M)
    )
    assert set(links) == {"Dispatcher", "Customer service", "Admin", "Driver app"}, printed
    for link in links.values():
        assert link.startswith(f"http://127.0.0.1:{port}/login?token=flt_")


def test_serve_creates_the_first_admin_once(
    tmp_path: Path, running: list[subprocess.Popen[str]]
) -> None:
    """On a fresh database `fleetline serve` prints a new admin token once; that token
    works, and the next start prints none."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLEETLINE_")}
    env["FLEETLINE_DATABASE_URL"] = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    port = _free_port()
    first = subprocess.Popen(
        [FLEETLINE, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    running.append(first)
    printed = _read_until(first, "admin token", 60)
    secret = re.search(r"(flt_\S+)", printed)
    assert secret
    _read_until(first, "Uvicorn running", 60)
    answer = httpx.get(
        f"http://127.0.0.1:{port}/api/v1/depots",
        headers={"Authorization": f"Bearer {secret.group(1)}"},
        timeout=5,
    )
    assert answer.status_code == 200
    first.terminate()
    first.wait(timeout=20)
    second = subprocess.Popen(
        [FLEETLINE, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    running.append(second)
    printed = _read_until(second, "Uvicorn running", 60)
    assert "admin token" not in printed
