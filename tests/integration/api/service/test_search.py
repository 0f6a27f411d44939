"""The agent's search box: a client's name, an order reference, a phone or an email."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from fleetline.domain.access import Role

from ...api_client import Api, Company, order_body

pytestmark = pytest.mark.both_databases  # text search is SQL of each dialect


@dataclass
class Book:
    meier: str
    berger: str
    orders: dict[str, str]


@pytest.fixture
def book(api: Api, company: Company) -> Book:
    meier = api.post(
        "/api/v1/clients",
        {
            "name": "Bäckerei Meier AG",
            "priority": 2,
            "contact": {"email": "Orders@Meier-Brot.li", "phone": "+4231234567"},
        },
    ).json()["id"]
    berger = api.post(
        "/api/v1/clients",
        {
            "name": "Berger Sanitär",
            "priority": 3,
            "contact": {"email": "info@berger.li", "phone": "+423 777 88 99"},
        },
    ).json()["id"]
    created = api.post(
        "/api/v1/orders",
        [
            order_body(meier, reference="MEI-1001", address="Landstrasse 1, Vaduz"),
            order_body(meier, reference="MEI-1002"),
            order_body(berger, reference="BER-2001"),
            order_body(company.client_ids[0], reference="X_100%"),
        ],
    ).json()
    return Book(meier, berger, {o["reference"]: o["id"] for o in created})


def find(api: Api, q: str, **params: object) -> dict:
    response = api.get("/api/v1/search", role=Role.AGENT, q=q, **params)
    assert response.status_code == 200, response.text
    return response.json()


def references(found: dict) -> set[str]:
    return {o["reference"] for o in found["orders"]}


def test_a_client_name_finds_the_client_and_its_orders_whatever_the_case(
    api: Api, book: Book
) -> None:
    """'meier' finds 'Bäckerei Meier AG' and both its orders, with what tells them apart."""
    found = find(api, "meier")
    assert [c["id"] for c in found["clients"]] == [book.meier]
    assert found["clients"][0]["phone"] == "+4231234567"
    assert references(found) == {"MEI-1001", "MEI-1002"}
    first = next(o for o in found["orders"] if o["reference"] == "MEI-1001")
    assert first["client_name"] == "Bäckerei Meier AG"
    assert first["address"] == "Landstrasse 1, Vaduz" and first["state"] == "open"
    assert first["date"] == "2026-11-26"


def test_a_reference_prefix_finds_the_order(api: Api, book: Book) -> None:
    """A reference's beginning, in any case, finds its orders and no client."""
    assert references(find(api, "mei-100")) == {"MEI-1001", "MEI-1002"}
    exact = find(api, "BER-2001")
    assert references(exact) == {"BER-2001"} and exact["clients"] == []
    assert references(find(api, "1001")) == set()


def test_a_phone_is_compared_by_its_digits(api: Api, book: Book) -> None:
    """'+423 123 45 67' finds the client stored as '+4231234567', and the other way round."""
    assert [c["id"] for c in find(api, "+423 123 45 67")["clients"]] == [book.meier]
    assert [c["id"] for c in find(api, "4237778899")["clients"]] == [book.berger]
    assert [c["id"] for c in find(api, "(423) 777-88-99")["clients"]] == [book.berger]


def test_an_email_finds_the_client_whatever_the_case(api: Api, book: Book) -> None:
    """An email address, typed in lower case, finds its client and the client's orders."""
    found = find(api, "orders@meier-brot.li")
    assert [c["id"] for c in found["clients"]] == [book.meier]
    assert references(found) == {"MEI-1001", "MEI-1002"}


def test_wildcards_in_a_query_are_taken_literally(api: Api, book: Book) -> None:
    """'%' and '_' are characters to find, not patterns that match everything."""
    assert references(find(api, "X_100%")) == {"X_100%"}
    assert find(api, "%%")["orders"] == [] and find(api, "%%")["clients"] == []


def test_the_limit_and_the_day_narrow_the_answer(api: Api, book: Book) -> None:
    """At most ``limit`` orders; another day finds none of this day's orders."""
    assert len(find(api, "MEI", limit=1)["orders"]) == 1
    assert find(api, "MEI", date="2026-11-27")["orders"] == []


def test_search_is_for_staff_only(api: Api, book: Book) -> None:
    """A driver's token gets 403."""
    assert api.get("/api/v1/search", role=Role.DRIVER, q="meier").status_code == 403


@pytest.mark.parametrize(
    ("params", "field"),
    [({}, "q"), ({"q": "m"}, "q"), ({"q": "  x "}, "q"), ({"q": "meier", "limit": 0}, "limit")],
)
def test_a_bad_query_names_the_field(api: Api, params: dict, field: str) -> None:
    """No query, one character, or a limit out of range: 422 naming the parameter."""
    response = api.get("/api/v1/search", role=Role.AGENT, **params)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == field


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(q=st.text(max_size=60))
def test_any_text_gets_an_answer_or_a_422_naming_q(api: Api, book: Book, q: str) -> None:
    """Whatever an agent types, the answer is results or a 422 naming q, never a 500."""
    response = api.get("/api/v1/search", role=Role.AGENT, q=q)
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert response.json()["error"]["details"][0]["field"] == "q"
    else:
        assert set(response.json()) == {"orders", "clients"}
