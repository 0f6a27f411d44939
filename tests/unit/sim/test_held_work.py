"""A simulated day runs the server's background solves itself, in the order they came,
so a replay solves the same problems in the same order as the day it replays."""

from __future__ import annotations

import pytest

from fleetline.sim.held_work import HeldWork


def test_work_waits_for_the_day_and_runs_in_order_with_what_it_gives() -> None:
    held = HeldWork()
    ran: list[str] = []

    def options(name: str) -> str:
        ran.append(name)
        if name == "breakdown":  # the solve's outcome asks for a re-plan in turn
            held.submit(options, "re-plan after breakdown")
        return f"{name} done"

    first = held.submit(options, "breakdown")
    second = held.submit(options, "failed delivery")
    assert ran == [] and not first.done()

    assert held.run_all() == 3
    assert ran == ["breakdown", "failed delivery", "re-plan after breakdown"]
    assert (first.result(0), second.result(0)) == ("breakdown done", "failed delivery done")
    assert held.run_all() == 0


def test_a_failed_solve_is_handed_to_its_waiter_and_the_rest_still_runs() -> None:
    held = HeldWork()

    def broken() -> None:
        raise ValueError("no vehicle fits")

    failed = held.submit(broken)
    later = held.submit(lambda: "fine")
    assert held.run_all() == 2
    with pytest.raises(ValueError, match="no vehicle fits"):
        failed.result(0)
    assert later.result(0) == "fine"


def test_after_shutdown_waiting_work_is_cancelled_and_no_more_is_taken() -> None:
    held = HeldWork()
    waiting = held.submit(lambda: "never")
    held.shutdown(wait=True, cancel_futures=True)
    assert waiting.cancelled()
    with pytest.raises(RuntimeError):
        held.submit(lambda: "too late")
    assert held.run_all() == 0
