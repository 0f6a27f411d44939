"""Changing a driver: name, phone, the truck they drive; bad input names its field."""

from __future__ import annotations

from fleetline.domain.access import Role

from .conftest import Api, Company


def _driver(api: Api, **body: object) -> dict[str, object]:
    created: dict[str, object] = api.post("/api/v1/drivers", {"name": "Jon Frick", **body}).json()
    return created


def _stored(api: Api, driver_id: object) -> dict[str, object]:
    drivers = api.get("/api/v1/drivers").json()
    found: dict[str, object] = next(d for d in drivers if d["id"] == driver_id)
    return found


def test_a_driver_gets_a_truck_a_new_phone_and_a_new_name(api: Api, company: Company) -> None:
    """The admin assigns a truck and edits the driver; the rest is kept."""
    driver = _driver(api, phone="+423 791 00 00")
    answer = api.patch(
        f"/api/v1/drivers/{driver['id']}",
        {"vehicle_id": company.vehicle_ids[0], "name": "Jon Frick-Beck"},
        role=Role.ADMIN,
    )
    assert answer.status_code == 200, answer.text
    stored = _stored(api, driver["id"])
    assert stored["vehicle_id"] == company.vehicle_ids[0]
    assert stored["name"] == "Jon Frick-Beck" and stored["phone"] == "+423 791 00 00"
    with api.services.uow_factory() as uow:
        kinds = [logged.event.type_name for logged in uow.events.list()]
    assert "DriverChanged" in kinds


def test_null_takes_the_driver_off_the_truck_and_removes_the_phone(
    api: Api, company: Company
) -> None:
    """``vehicle_id: null`` unassigns; a field left out is kept."""
    driver = _driver(api, phone="+423 791 00 00", vehicle_id=company.vehicle_ids[1])
    answer = api.patch(f"/api/v1/drivers/{driver['id']}", {"vehicle_id": None})
    assert answer.status_code == 200, answer.text
    assert _stored(api, driver["id"])["vehicle_id"] is None
    assert _stored(api, driver["id"])["phone"] == "+423 791 00 00"
    api.patch(f"/api/v1/drivers/{driver['id']}", {"phone": None})
    assert _stored(api, driver["id"])["phone"] is None


def test_bad_input_names_the_field_and_changes_nothing(api: Api, company: Company) -> None:
    """An unknown truck, a bad phone, an empty name: 422 on that field, driver unchanged."""
    driver = _driver(api)
    before = _stored(api, driver["id"])
    cases = [
        ({"vehicle_id": "veh_nope"}, "vehicle_id"),
        ({"phone": "call me"}, "phone"),
        ({"name": "  "}, "name"),
        ({"nickname": "JF"}, "nickname"),
    ]
    for body, field in cases:
        answer = api.patch(f"/api/v1/drivers/{driver['id']}", body)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json()["error"]["details"][0]["field"] == field, body
    assert _stored(api, driver["id"]) == before


def test_an_unknown_driver_is_a_404_and_agents_may_not_edit(api: Api, company: Company) -> None:
    """Editing a driver who does not exist says so; customer service cannot edit drivers."""
    assert api.patch("/api/v1/drivers/drv_nope", {"name": "x"}).status_code == 404
    driver = _driver(api)
    answer = api.patch(f"/api/v1/drivers/{driver['id']}", {"name": "x"}, role=Role.AGENT)
    assert answer.status_code == 403
