"""Changing a client account or a vehicle: only what is given changes, bad input names its field."""

from __future__ import annotations

from fleetline.domain.access import Role

from .conftest import Api, Company


def test_a_client_s_notification_settings_contact_and_notes_change_together(
    api: Api, company: Company
) -> None:
    """The admin edits a client; the account reads back changed, the rest kept."""
    client_id = company.client_ids[0]
    body = {
        "priority": 2,
        "contact": {"email": "orders@alpen.li", "phone": "+423 230 11 22"},
        "preferences": {
            "channels": ["email", "sms"],
            "locale": "de",
            "quiet_start": "20:00",
            "quiet_end": "07:00",
            "enabled": True,
        },
        "notes": "Prefers calls before 10:00.",
    }
    answer = api.patch(f"/api/v1/clients/{client_id}", body, role=Role.ADMIN)
    assert answer.status_code == 200, answer.text
    stored = api.get(f"/api/v1/clients/{client_id}").json()
    assert stored["name"] == "Client 1"
    assert stored["priority"] == 2
    assert stored["contact"]["email"] == "orders@alpen.li"
    assert stored["preferences"]["channels"] == ["email", "sms"]
    assert stored["preferences"]["quiet_start"] == "20:00"
    assert stored["notes"] == "Prefers calls before 10:00."


def test_a_bad_email_or_priority_is_refused_naming_the_field_and_nothing_changes(
    api: Api, company: Company
) -> None:
    """``contact.email`` and ``priority`` are named, as when creating a client."""
    client_id = company.client_ids[1]
    before = api.get(f"/api/v1/clients/{client_id}").json()
    bad_email = api.patch(
        f"/api/v1/clients/{client_id}", {"contact": {"email": "nobody"}}, role=Role.ADMIN
    )
    assert bad_email.status_code == 422
    assert bad_email.json()["error"]["details"][0]["field"] == "contact.email"
    bad_priority = api.patch(f"/api/v1/clients/{client_id}", {"priority": 9}, role=Role.ADMIN)
    assert bad_priority.status_code == 422
    assert bad_priority.json()["error"]["details"][0]["field"] == "priority"
    assert api.get(f"/api/v1/clients/{client_id}").json() == before


def test_an_unknown_client_or_vehicle_is_a_404(api: Api, company: Company) -> None:
    """Editing what does not exist says so."""
    assert api.patch("/api/v1/clients/cli_nope", {"notes": "x"}).status_code == 404
    assert api.patch("/api/v1/vehicles/veh_nope", {"name": "x"}).status_code == 404


def test_a_vehicle_s_capacity_and_shift_change_and_it_can_leave_service(
    api: Api, company: Company
) -> None:
    """New capacity and shift are kept; ``active: false`` takes the truck out of service."""
    vehicle_id = company.vehicle_ids[1]
    answer = api.patch(
        f"/api/v1/vehicles/{vehicle_id}",
        {"capacity": {"weight_kg": 6000, "pallets": 12}, "shift_end": "17:30", "active": False},
        role=Role.ADMIN,
    )
    assert answer.status_code == 200, answer.text
    stored = api.get(f"/api/v1/vehicles/{vehicle_id}").json()
    assert stored["capacity"] == {"weight_kg": 6000, "pallets": 12}
    assert (stored["shift_start"], stored["shift_end"]) == ("07:00", "17:30")
    assert stored["active"] is False
    assert stored["name"] == "Truck 2"


def test_a_shift_ending_before_its_kept_start_is_refused_on_shift_end(
    api: Api, company: Company
) -> None:
    """Only ``shift_end`` is sent; checked against the stored start, it names shift_end."""
    vehicle_id = company.vehicle_ids[0]
    answer = api.patch(f"/api/v1/vehicles/{vehicle_id}", {"shift_end": "06:00"})
    assert answer.status_code == 422
    assert answer.json()["error"]["details"][0]["field"] == "shift_end"
    assert api.get(f"/api/v1/vehicles/{vehicle_id}").json()["shift_end"] == "16:00"


def test_an_agent_may_not_change_master_data(api: Api, company: Company) -> None:
    """Customer service reads clients but does not edit them here."""
    answer = api.patch(f"/api/v1/clients/{company.client_ids[0]}", {"notes": "x"}, role=Role.AGENT)
    assert answer.status_code == 403
