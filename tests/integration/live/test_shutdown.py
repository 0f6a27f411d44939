"""Closing the services: nothing keeps running after them, nothing is lost in between."""

from __future__ import annotations

import multiprocessing

from .conftest import Day, at, report


def _break_down(day: Day, vehicle_index: int, when: str) -> None:
    broken = sorted(day.routes)[vehicle_index]
    response = day.api.post(
        f"/api/v1/vehicles/{broken}/events", {"type": "breakdown", "at": at(when)}
    )
    assert response.status_code == 200, response.text
    day.api.services.exceptions.wait()


def test_closing_the_services_stops_the_what_if_solver_processes(day: Day) -> None:
    """A breakdown's options are solved on worker processes; once the services are closed
    none of them is left running, so a stopped server or benchmark leaves no orphans
    holding memory and CPU."""
    before = set(multiprocessing.active_children())
    report(day, day.stop_of(0), "completed", "08:20")
    _break_down(day, 0, "08:25")
    [exception] = day.api.get("/api/v1/exceptions", status="open").json()
    assert len(exception["options"]) >= 2
    workers = set(multiprocessing.active_children()) - before
    assert workers, "the options were solved on worker processes"
    day.api.services.close()
    assert not workers & set(multiprocessing.active_children())
    assert not any(w.is_alive() for w in workers)
