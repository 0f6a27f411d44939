"""The company's time zone: stored once, changed only by an admin, never by a depot's name."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from fleetline.api.app import create_app
from fleetline.bootstrap import bootstrap
from fleetline.clock import FixedClock
from fleetline.domain.access import Role
from fleetline.network.factory import travel_times_for

from ..api_client import bounded_settings
from .conftest import DAY, START, Api, Company, order_body

pytestmark = pytest.mark.both_databases  # time zones are stored by each database

AUCKLAND = "Pacific/Auckland"
"""At the tests' 17:00 UTC it is already the next day in Auckland (UTC+13)."""
TODAY_IN_VADUZ = "2026-11-25"


def depot_body(name: str, timezone: str) -> dict[str, object]:
    return {"name": name, "location": {"lat": 47.17, "lon": 9.50}, "timezone": timezone}


def test_the_first_depot_created_gives_the_company_its_zone(api: Api) -> None:
    """No depot: UTC; creating the first depot stores its zone, shown with its origin."""
    before = api.get("/api/v1/company", role=Role.AGENT).json()
    assert before["timezone"] == "UTC"
    assert before["timezone_source"] == "no_depot"
    assert before["timezone_changed_at"] is None
    depot = api.post("/api/v1/depots", depot_body("Schaan", "Europe/Vaduz")).json()
    answer = api.get("/api/v1/company", role=Role.AGENT)
    assert answer.status_code == 200, answer.text
    company = answer.json()
    assert company["timezone"] == "Europe/Vaduz"
    assert company["timezone_source"] == "first_depot"
    assert company["timezone_depot_id"] == depot["id"]
    assert company["today"] == TODAY_IN_VADUZ


def test_adding_a_depot_named_aaa_does_not_change_the_company_s_day(
    api: Api, company: Company
) -> None:
    """A depot in Auckland whose name sorts first leaves today, the order file's local
    times and the tracking of the day in the first depot's zone."""
    assert api.post("/api/v1/depots", depot_body("Aaa", AUCKLAND)).status_code == 201
    answer = api.get("/api/v1/company").json()
    assert (answer["timezone"], answer["today"]) == ("Europe/Vaduz", TODAY_IN_VADUZ)
    assert api.services.live.today() == date.fromisoformat(TODAY_IN_VADUZ)


def test_renaming_the_first_depot_does_not_change_the_company_s_day(
    api: Api, company: Company
) -> None:
    """With a second depot in Auckland named after the first, renaming the first so
    that it sorts last keeps the company in Vaduz's day."""
    api.post("/api/v1/depots", depot_body("Triesen", AUCKLAND))
    renamed = api.patch(f"/api/v1/depots/{company.depot_id}", {"name": "Zentrum"})
    assert renamed.status_code == 200, renamed.text
    answer = api.get("/api/v1/company").json()
    assert (answer["timezone"], answer["today"]) == ("Europe/Vaduz", TODAY_IN_VADUZ)
    assert api.services.live.today() == date.fromisoformat(TODAY_IN_VADUZ)


def test_an_admin_sets_the_zone_and_the_company_s_day_follows(api: Api, company: Company) -> None:
    """The new zone is stored as set by the admin; today is Auckland's from then on."""
    answer = api.patch("/api/v1/company", {"timezone": AUCKLAND}, role=Role.ADMIN)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["timezone"] == AUCKLAND
    assert body["timezone_source"] == "admin"
    assert body["timezone_changed_by"] == "admin"
    assert body["today"] == DAY
    assert api.get("/api/v1/company").json() == body
    assert api.services.live.today() == date.fromisoformat(DAY)
    with api.services.uow_factory() as uow:
        changes = [e.event for e in uow.events.list() if e.event.type_name.startswith("Company")]
    assert [(getattr(e, "source", ""), getattr(e, "previous", "")) for e in changes] == [
        ("first_depot", None),
        ("admin", "Europe/Vaduz"),
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": ""}, "timezone"),
        ({"timezone": "Europe/" + "x" * 80}, "timezone"),
        ({"timezone": 5}, "timezone"),
        ({"timezone": AUCKLAND, "currency": "CHF"}, "currency"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    api: Api, company: Company, body: dict[str, object], field: str
) -> None:
    """A 422 whose first detail names the field at fault; the company reads back as it was."""
    before = api.get("/api/v1/company").json()
    answer = api.patch("/api/v1/company", body, role=Role.ADMIN)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["details"][0]["field"] == field
    assert error["message"].startswith(f"{field}: ")
    assert api.get("/api/v1/company").json() == before


def test_only_an_admin_may_change_the_zone_and_a_token_is_needed_to_read_it(
    api: Api, company: Company
) -> None:
    """Dispatchers, agents and machine clients read it; only an admin changes it."""
    for role in (Role.DISPATCHER, Role.AGENT, Role.INTEGRATION):
        assert api.get("/api/v1/company", role=role).status_code == 200
        answer = api.patch("/api/v1/company", {"timezone": AUCKLAND}, role=role)
        assert answer.status_code == 403, answer.text
    assert api.get("/api/v1/company", role=Role.DRIVER).status_code == 403
    assert api.client.get("/api/v1/company").status_code == 401
    assert api.get("/api/v1/company").json()["timezone"] == "Europe/Vaduz"


def test_a_retried_change_answers_the_same_and_is_stored_once(api: Api, company: Company) -> None:
    """The same change sent twice with one Idempotency-Key answers alike, logged once."""
    headers = api.headers(Role.ADMIN, "company-zone-1")
    first = api.client.patch("/api/v1/company", json={"timezone": AUCKLAND}, headers=headers)
    again = api.client.patch("/api/v1/company", json={"timezone": AUCKLAND}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    with api.services.uow_factory() as uow:
        kinds = [e.event.type_name for e in uow.events.list()]
    assert kinds.count("CompanyTimezoneChanged") == 2  # the first depot's, then the admin's


def test_the_zone_cannot_change_while_a_day_is_dispatched(api: Api, company: Company) -> None:
    """Tomorrow is dispatched: a new zone is a 409 on ``timezone`` naming the day, and
    nothing changes; sending the zone in force is accepted."""
    api.post("/api/v1/orders", [order_body(company.client_ids[0])])
    plan = api.wait_for_plan(api.post("/api/v1/plans", {"date": DAY}).json()["id"])
    assert api.post(f"/api/v1/plans/{plan['id']}/dispatch", None).status_code == 200
    before = api.get("/api/v1/company").json()
    answer = api.patch("/api/v1/company", {"timezone": AUCKLAND}, role=Role.ADMIN)
    assert answer.status_code == 409, answer.text
    error = answer.json()["error"]
    assert error["details"][0]["field"] == "timezone"
    assert DAY in error["message"]
    assert api.get("/api/v1/company").json() == before
    same = api.patch("/api/v1/company", {"timezone": "Europe/Vaduz"}, role=Role.ADMIN)
    assert same.status_code == 200, same.text
    assert same.json() == before


def test_the_zone_set_survives_a_restart(database_url: str) -> None:
    """Set by an admin, the zone is read back by services started again on the store."""
    settings = bounded_settings(database_url)

    def start() -> tuple[TestClient, dict[str, str]]:
        clock = FixedClock(START)
        services = bootstrap(
            settings,
            clock=clock,
            travel_times=travel_times_for(None, clock=clock),
            recover=False,
            live_refresh=False,
        )
        from fleetline.operations.access import issue_token

        with services.uow_factory() as uow:
            secret, _ = issue_token(uow, services.bus.context, Role.ADMIN, "admin")
            uow.commit()
        return TestClient(create_app(services)), {"Authorization": f"Bearer {secret}"}

    client, headers = start()
    with client:
        client.post("/api/v1/depots", json=depot_body("Schaan", "Europe/Vaduz"), headers=headers)
        answer = client.patch("/api/v1/company", json={"timezone": AUCKLAND}, headers=headers)
        assert answer.status_code == 200, answer.text
    client.app.state.services.close()
    client, headers = start()
    with client:
        again = client.get("/api/v1/company", headers=headers).json()
        assert again == answer.json()
    client.app.state.services.close()
