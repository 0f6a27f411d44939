"""The day's traffic incidents through the API: listing those in force, ending one early."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from fleetline.domain.access import Role

from .conftest import MORNING, Day, at

INCIDENTS = "/api/v1/traffic/incidents"
DAY = MORNING.date().isoformat()


def _slowdown(starts: str, ends: str | None = None, **area: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "slowdown",
        "factor": 3,
        "starts_at": at(starts),
        "area": area or {"center": {"lat": 46.5, "lon": 8.5}, "radius_m": 800},
    }
    if ends is not None:
        body["ends_at"] = at(ends)
    return body


def _report(day: Day, body: dict[str, Any]) -> dict[str, Any]:
    response = day.api.post(INCIDENTS, body)
    assert response.status_code == 201, response.text
    reported: dict[str, Any] = response.json()
    return reported


def _ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [incident["id"] for incident in response.json()]


def _eta(day: Day, order_id: str) -> datetime:
    live = day.api.get("/api/v1/live", date=DAY).json()
    stop = next(s for v in live["vehicles"] for s in v["remaining"] if s["order_id"] == order_id)
    return datetime.fromisoformat(stop["eta"])


def test_the_days_incidents_are_listed_by_whether_they_are_in_force(day: Day) -> None:
    """A dispatcher sees the incidents in force now apart from the ended and the coming
    ones; an incident of another day is not in today's list."""
    ended = _report(day, _slowdown("07:00", "08:00"))
    active = _report(day, _slowdown("08:00", "11:00"))
    open_ended = _report(day, {**_slowdown("08:15"), "kind": "closure", "factor": None})
    coming = _report(day, _slowdown("14:00", "15:00"))
    _report(day, {**_slowdown("09:00"), "starts_at": "2026-11-27T09:00:00+01:00"})

    now = _ids(day.api.get(INCIDENTS, active="true", date=DAY))
    assert now == [active["id"], open_ended["id"]]
    others = _ids(day.api.get(INCIDENTS, active="false", date=DAY))
    assert others == [ended["id"], coming["id"]]
    every = _ids(day.api.get(INCIDENTS, date=DAY, role=Role.AGENT))
    assert every == [ended["id"], active["id"], open_ended["id"], coming["id"]]
    listed = day.api.get(INCIDENTS, active="true", date=DAY).json()[0]
    assert listed["kind"] == "slowdown" and listed["factor"] == 3
    assert listed["area"]["center"] == {"lat": 46.5, "lon": 8.5}
    assert listed["area"]["radius_m"] == 800
    assert datetime.fromisoformat(listed["ends_at"]) == datetime.fromisoformat(at("11:00"))


def test_ending_a_slowdown_early_gives_the_etas_back(day: Day) -> None:
    """A slowdown around a truck's next stop makes it later; once the dispatcher ends
    it, the ETA is what it was before, and the incident is no longer in force."""
    vehicle = sorted(day.routes)[0]
    first = day.routes[vehicle][0]
    before = _eta(day, first)
    location = day.api.get(f"/api/v1/orders/{first}").json()["location"]
    incident = _report(day, _slowdown("08:00", "12:00", center=location, radius_m=3000))
    assert _eta(day, first) > before

    ended = day.api.post(f"{INCIDENTS}/{incident['id']}/end", None)
    assert ended.status_code == 200, ended.text
    assert datetime.fromisoformat(ended.json()["ends_at"]) == MORNING
    assert _eta(day, first) == before
    assert _ids(day.api.get(INCIDENTS, active="true", date=DAY)) == []
    assert _ids(day.api.get(INCIDENTS, active="false", date=DAY)) == [incident["id"]]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"active": "maybe"}, "active"), ({"date": "26.11.2026"}, "date")],
)
def test_a_bad_question_names_the_parameter(day: Day, params: dict[str, str], field: str) -> None:
    """A list asked for with a word that is not true/false, or a date not in ISO form,
    is a 422 naming the parameter."""
    response = day.api.get(INCIDENTS, **params)
    assert response.status_code == 422, response.text
    assert field in [d["field"] for d in response.json()["error"]["details"]]


def test_ending_what_cannot_end_is_refused_and_changes_nothing(day: Day) -> None:
    """Ending an unknown incident is a 404, one that ended already or has not started
    is a 409 naming the field, an agent may not end one; the incidents stay as they were."""
    ended = _report(day, _slowdown("07:00", "08:00"))
    coming = _report(day, _slowdown("14:00", "15:00"))
    active = _report(day, _slowdown("08:00", "11:00"))
    before = day.api.get(INCIDENTS, date=DAY).json()

    unknown = day.api.post(f"{INCIDENTS}/inc_nothing/end", None)
    assert unknown.status_code == 404, unknown.text
    assert "inc_nothing" in unknown.json()["error"]["message"]
    for incident, field in ((ended, "ends_at"), (coming, "starts_at")):
        refused = day.api.post(f"{INCIDENTS}/{incident['id']}/end", None)
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["details"][0]["field"] == field
    forbidden = day.api.post(f"{INCIDENTS}/{active['id']}/end", None, role=Role.AGENT)
    assert forbidden.status_code == 403, forbidden.text
    assert day.api.get(INCIDENTS, date=DAY).json() == before
