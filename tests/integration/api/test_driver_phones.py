"""A driver's phone number: an optional +, then 6 to 20 digits that spaces or dashes may
separate. Anything else is a 422 on ``phone``, when adding a driver and when changing one,
and nothing is stored."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from fleetline.domain.access import Role

from ...unit.domain.phones import INVALID, SHAPED, is_phone
from .conftest import Api


def _refusal_names_phone(answer: object) -> None:
    assert answer.status_code == 422, answer.text  # type: ignore[attr-defined]
    error = answer.json()["error"]  # type: ignore[attr-defined]
    assert error["details"][0]["field"] == "phone", error
    assert error["message"].startswith("phone: ")


@pytest.mark.parametrize(
    "phone",
    ["+423 791 22 33", "0041-79-123-45-67", "123456", "+12345678901234567890", " +423 7911 "],
)
def test_a_phone_number_in_the_accepted_shapes_is_stored(api: Api, phone: str) -> None:
    """Spaces and dashes between digits, a leading +, 6 and 20 digits: stored as given,
    without surrounding spaces."""
    answer = api.post("/api/v1/drivers", {"name": "Jon Frick", "phone": phone})
    assert answer.status_code == 201, answer.text
    assert answer.json()["phone"] == phone.strip()


@pytest.mark.parametrize(
    "phone",
    [
        "call me",
        "12345",
        "+123456789012345678901",
        "+41 (0)79 123 45 67",
        "079.123.45.67",
        "++41791234567",
        "-41791234567",
        "4179123456-",
        "",
        "+",
        "+423 791 22 33 ext 5",
        "+423 791 22 33" + " " * 30,
        "٠٧٩١٢٣٤٥٦٧",
    ],
)
def test_a_bad_phone_is_a_422_on_phone_when_adding_or_changing(api: Api, phone: str) -> None:
    """Letters, brackets, dots, a doubled +, separators at the ends, too few or too many
    digits, digits of another script: refused on ``phone``; no driver is added, and the
    driver changed keeps the number they had."""
    before = api.get("/api/v1/drivers").json()
    _refusal_names_phone(api.post("/api/v1/drivers", {"name": "Jon Frick", "phone": phone}))
    assert api.get("/api/v1/drivers").json() == before
    driver = before[0]
    answer = api.patch(f"/api/v1/drivers/{driver['id']}", {"phone": phone}, role=Role.ADMIN)
    _refusal_names_phone(answer)
    assert api.get("/api/v1/drivers").json() == before


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
@given(phone=INVALID)
def test_an_invalid_phone_never_creates_a_driver(api: Api, phone: str) -> None:
    """Whatever text that is not such a number is sent, the answer is a 422 naming
    ``phone``, and the drivers read back as before, nor is any driver's number changed."""
    before = api.get("/api/v1/drivers").json()
    _refusal_names_phone(api.post("/api/v1/drivers", {"name": "Jon Frick", "phone": phone}))
    _refusal_names_phone(api.patch(f"/api/v1/drivers/{before[0]['id']}", {"phone": phone}))
    assert api.get("/api/v1/drivers").json() == before


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
@given(phone=SHAPED.filter(is_phone))
def test_a_valid_phone_always_creates_the_driver(api: Api, phone: str) -> None:
    """The other half of the rule: every number of the accepted shape is stored."""
    answer = api.post("/api/v1/drivers", {"name": "Jon Frick", "phone": phone})
    assert answer.status_code == 201, answer.text
    assert answer.json()["phone"] == phone
