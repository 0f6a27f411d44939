"""Changing a depot: name, location, time zone; bad input names its field, changes nothing."""

from __future__ import annotations

import pytest

from fleetline.domain.access import Role

from .conftest import DAY, Api, Company, order_body


def test_a_depot_gets_a_new_name_location_and_zone(api: Api, company: Company) -> None:
    """The admin moves and renames the depot; the API reads it back changed, and the
    change is logged with the fields it touched."""
    body = {
        "name": "Schaan Nord",
        "location": {"lat": 47.18, "lon": 9.51},
        "timezone": "Europe/Zurich",
    }
    answer = api.patch(f"/api/v1/depots/{company.depot_id}", body, role=Role.ADMIN)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"id": company.depot_id, **body}
    assert api.get(f"/api/v1/depots/{company.depot_id}").json() == answer.json()
    with api.services.uow_factory() as uow:
        changed = [e.event for e in uow.events.list() if e.event.type_name == "DepotChanged"]
    assert [getattr(e, "fields", None) for e in changed] == [("location", "name", "timezone")]


def test_a_field_left_out_is_kept(api: Api, company: Company) -> None:
    """Only the name is sent: location and zone stay as they were."""
    before = api.get(f"/api/v1/depots/{company.depot_id}").json()
    answer = api.patch(f"/api/v1/depots/{company.depot_id}", {"name": "  Schaan Süd "})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {**before, "name": "Schaan Süd"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"location": {"lat": 91, "lon": 9.5}}, "location.lat"),
        ({"location": {"lat": 47.1, "lon": -181}}, "location.lon"),
        ({"location": {"lat": 47.1}}, "location.lon"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "Europe/Zurich", "opening_hours": "07-18"}, "opening_hours"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    api: Api, company: Company, body: dict[str, object], field: str
) -> None:
    """A 422 whose first detail names the field at fault; the depot reads back unchanged
    (the valid fields sent beside the bad one are not stored either)."""
    before = api.get(f"/api/v1/depots/{company.depot_id}").json()
    answer = api.patch(f"/api/v1/depots/{company.depot_id}", {"name": "Never", **body})
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["details"][0]["field"] == field
    assert error["message"].startswith(f"{field}: ")
    assert api.get(f"/api/v1/depots/{company.depot_id}").json() == before


def test_an_unknown_depot_is_a_404_and_agents_may_not_edit(api: Api, company: Company) -> None:
    """Editing a depot that does not exist says so; customer service cannot edit depots."""
    assert api.patch("/api/v1/depots/dep_nope", {"name": "x"}).status_code == 404
    assert api.get("/api/v1/depots/dep_nope").status_code == 404
    answer = api.patch(f"/api/v1/depots/{company.depot_id}", {"name": "x"}, role=Role.AGENT)
    assert answer.status_code == 403
    assert api.get(f"/api/v1/depots/{company.depot_id}").json()["name"] == "Schaan"


def test_a_retried_change_answers_the_same(api: Api, company: Company) -> None:
    """The same change sent twice with one Idempotency-Key answers alike, logged once."""
    path = f"/api/v1/depots/{company.depot_id}"
    headers = api.headers(Role.ADMIN, "depot-rename-1")
    first = api.client.patch(path, json={"name": "Vaduz"}, headers=headers)
    again = api.client.patch(path, json={"name": "Vaduz"}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    with api.services.uow_factory() as uow:
        kinds = [e.event.type_name for e in uow.events.list()]
    assert kinds.count("DepotChanged") == 1


def test_the_zone_cannot_change_while_a_dispatched_day_routes_the_depot_s_trucks(
    api: Api, company: Company
) -> None:
    """Tomorrow is dispatched: a new time zone is a 409 on ``timezone`` and nothing of the
    change is stored; the name alone may still change."""
    api.post("/api/v1/orders", [order_body(company.client_ids[0])])
    plan = api.wait_for_plan(api.post("/api/v1/plans", {"date": DAY}).json()["id"])
    assert api.post(f"/api/v1/plans/{plan['id']}/dispatch", None).status_code == 200
    path = f"/api/v1/depots/{company.depot_id}"
    before = api.get(path).json()
    answer = api.patch(path, {"name": "Vaduz", "timezone": "Europe/Lisbon"}, role=Role.ADMIN)
    assert answer.status_code == 409, answer.text
    error = answer.json()["error"]
    assert error["details"][0]["field"] == "timezone"
    assert DAY in error["message"]
    assert api.get(path).json() == before
    renamed = api.patch(path, {"name": "Vaduz", "timezone": before["timezone"]})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Vaduz"
