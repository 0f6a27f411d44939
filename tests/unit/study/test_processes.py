"""Stopping the study: a failed day or Ctrl-C leaves no day process (nor its solvers)."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest

from fleetline.study import runner
from fleetline.study.config import Fleet, StudyConfig
from fleetline.study.processes import DayProcesses, StudyStopped

# A stand-in for a day: writes its own pid and a child's (its "solver"), then plays for a
# minute; the day named in FAIL fails at once instead.
FAKE_DAY = """
import os, subprocess, sys, time
config = sys.argv[sys.argv.index("--replay") + 1]
if "seed-1-unified" in config and os.environ.get("FAIL"):
    time.sleep(1)
    sys.exit("no such day")
solver = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
with open(config + ".pids", "w") as f:
    f.write(f"{os.getpid()} {solver.pid}")
time.sleep(60)
"""


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in state


def _pids(folder: Path) -> list[int]:
    return [int(p) for f in folder.rglob("*.pids") for p in f.read_text().split()]


def _wait_for(condition: object, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.fixture
def fake_days(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    script = tmp_path / "fake_day.py"
    script.write_text(FAKE_DAY)
    monkeypatch.setattr(runner, "STUDY_COMMAND", (sys.executable, str(script)))
    return tmp_path / "study"


@pytest.mark.skipif(not Path("/proc").exists(), reason="reads /proc")
def test_stopping_ends_each_day_with_the_solvers_it_started(fake_days: Path) -> None:
    """Ctrl-C while a day plays: the day and the solver process it started both end,
    and the day reports that the study stopped rather than a failure of its own."""
    processes = DayProcesses()
    fake_days.mkdir()
    config = fake_days / "day.config.json"
    errors: list[BaseException] = []

    def play() -> None:
        try:
            runner.play(config, fake_days / "day.json", processes)
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=play)
    thread.start()
    _wait_for(lambda: len(_pids(fake_days)) == 2)
    assert processes.stop_all(grace_s=5) == 1
    thread.join(10)
    assert not thread.is_alive()
    assert [type(e) for e in errors] == [StudyStopped]
    _wait_for(lambda: not any(_running(pid) for pid in _pids(fake_days)), 10)
    with pytest.raises(StudyStopped):
        processes.run([sys.executable, "-c", "pass"])


@pytest.mark.skipif(not Path("/proc").exists(), reason="reads /proc")
def test_a_failed_day_stops_the_days_still_playing(
    fake_days: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two seeds side by side: when the first seed's day fails, the study says which day
    failed within seconds, and the other seed's day and its solver are not left playing."""
    monkeypatch.setenv("FAIL", "1")
    config = StudyConfig(fleets=(Fleet(3, 2),), sensitivity_scales=(), processes=2)
    began = time.monotonic()
    with pytest.raises(runner.StudyFailed, match="3-trucks-seed-1-unified"):
        runner.run_days(config, fake_days, log=lambda _line: None)
    assert time.monotonic() - began < 30
    assert len(_pids(fake_days)) == 2, "the second seed's day was playing"
    _wait_for(lambda: not any(_running(pid) for pid in _pids(fake_days)), 10)
