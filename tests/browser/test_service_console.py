"""The service console in a real browser: an agent answers a client, at desk and on a phone."""

from __future__ import annotations

import dataclasses
import secrets
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from fleetline.domain.messages import NoticeKind, NoticeStatus, Notification
from fleetline.domain.model import Channel

from .conftest import DESKTOP, MORNING, PHONE, Served, screenshot

ZONE = ZoneInfo("Europe/Vaduz")


def _order_on_truck(served: Served, route: int, position: int) -> dict[str, Any]:
    """The API's status of the order at ``position`` of the plan's ``route``.

    Positions count from the route's end: other tests' drivers work from its start.
    """
    with served.api("agent") as api:
        plan = served.api("dispatcher").get(f"/api/v1/plans/{served.plan_id}").json()
        order_id = plan["routes"][route]["stops"][-1 - position]["order_id"]
        status: dict[str, Any] = api.get(f"/api/v1/orders/{order_id}/status").json()
    return status


def _clock(value: str) -> str:
    return f"{datetime.fromisoformat(value).astimezone(ZONE):%H:%M}"


def _open_card(page: Any, status: dict[str, Any]) -> Any:
    """Type the client's name, wait for the results, open the order; return its card."""
    page.get_by_label("Search").fill(status["client"]["name"])
    hit = page.locator(f'.fl-hit[data-order-id="{status["order_id"]}"]')
    hit.wait_for()
    hit.click()
    card = page.locator(".fl-order-card")
    card.get_by_text(status["reference"], exact=True).wait_for()
    return card


@pytest.mark.parametrize(("size", "route"), [(DESKTOP, 0), (PHONE, 1)], ids=["desktop", "phone"])
def test_an_agent_answers_a_client(
    open_page: Any, served: Served, size: dict[str, int], route: int
) -> None:
    """The agent finds the order by the client's name, reads the ETA window, risk and the
    truck's position the API gives, logs the phone call and writes to the client; the
    API then holds the inquiry and the message."""
    status = _order_on_truck(served, route, 1)
    assert status["eta_window"] is not None and status["risk"] is not None
    page = open_page("agent", "/service", size)
    card = _open_card(page, status)
    window = status["eta_window"]
    expected = f"{_clock(window['start'])} – {_clock(window['end'])}"
    assert card.locator("[data-fact=eta-window]").inner_text() == expected
    risk_words = {"on_time": "On time", "at_risk": "At risk", "late": "Late"}
    assert card.locator(f"[data-risk={status['risk']}]").inner_text() == risk_words[status["risk"]]
    position = card.locator("[data-fact=position]").inner_text()
    assert f"{status['vehicle_position']['lat']:.4f}" in position
    assert card.locator("[data-fact=stops-before]").inner_text() == str(status["stops_before"])
    assert (
        card.locator("[data-fact=priority]")
        .inner_text()
        .startswith(f"Priority {status['client']['priority']}")
    )
    assert page.locator(".fl-order-card .nicegui-leaflet").is_visible()
    screenshot(page, f"service-card-{'phone' if size is PHONE else 'desktop'}")

    note = f"Asked if it comes before lunch ({secrets.token_hex(3)})"
    card.get_by_label("Inquiry note").fill(note)
    card.get_by_role("button", name="Log inquiry").click()
    card.locator(".fl-inquiry").get_by_text(note).wait_for()
    with served.api("agent") as api:
        inquiries = api.get(f"/api/v1/orders/{status['order_id']}/inquiries").json()
    assert [(i["channel"], i["by"]) for i in inquiries if i["note"] == note] == [
        ("phone", "agent Ann")
    ]

    text = f"Your delivery comes between {expected}. ({secrets.token_hex(3)})"
    card.get_by_label("Message to the client").fill(text)
    card.get_by_role("button", name="Send message").click()
    card.locator('.fl-message[data-event="message"]').first.wait_for()
    with served.api("agent") as api:
        listed = api.get("/api/v1/notifications", params={"order_id": status["order_id"]}).json()
    messages = [n for n in listed if n["event"] == "message"]
    assert messages and {n["recipient"] for n in messages} >= {status["client"]["email"]}
    assert page.locator(".fl-messages").get_by_text("Message · email").first.is_visible()
    screenshot(page, f"service-answered-{'phone' if size is PHONE else 'desktop'}")


def test_the_keyboard_finds_an_order_and_the_card_follows_the_day(
    open_page: Any, served: Served
) -> None:
    """One character asks for more; a reference and Enter open its card; an inquiry
    logged elsewhere (the API) shows on the open card by itself, without a reload."""
    status = _order_on_truck(served, 0, 3)
    page = open_page("agent", "/service")
    search = page.get_by_label("Search")
    search.fill("P")
    page.get_by_text("Type at least 2 characters.").wait_for()
    search.fill(status["reference"])
    page.locator(f'.fl-hit[data-order-id="{status["order_id"]}"]').wait_for()
    search.press("Enter")
    card = page.locator(".fl-order-card")
    card.get_by_text(status["reference"], exact=True).wait_for()
    assert f"order={status['order_id']}" in page.url
    note = f"Called by the front desk ({secrets.token_hex(3)})"
    with served.api("dispatcher") as api:
        logged = api.post(
            f"/api/v1/orders/{status['order_id']}/inquiries", json={"channel": "chat", "note": note}
        )
    assert logged.status_code == 201, logged.text
    card.locator(".fl-inquiry").get_by_text(note).wait_for(timeout=15_000)


def test_a_driver_cannot_open_the_service_console(open_page: Any, served: Served) -> None:
    """A driver's sign-in shows that the page is not theirs, and no search box."""
    page = open_page("driver", "/service", PHONE)
    page.get_by_text("This page is not part of your role.").wait_for()
    assert page.get_by_label("Search").count() == 0


def test_bad_input_is_told_next_to_the_field_and_nothing_is_stored(
    open_page: Any, served: Served
) -> None:
    """An empty note and a message of over 1,000 characters: each field says what is
    wrong, and neither an inquiry nor a message reaches the API."""
    status = _order_on_truck(served, 0, 2)
    page = open_page("agent", f"/service?order={status['order_id']}")
    card = page.locator(".fl-order-card")
    card.get_by_text(status["reference"], exact=True).wait_for()
    card.get_by_role("button", name="Log inquiry").click()
    note_field = card.locator(".q-field", has=page.get_by_label("Inquiry note"))
    note_field.get_by_text("Write what the client asked").wait_for()
    card.get_by_label("Message to the client").fill("x" * 1001)
    card.get_by_role("button", name="Send message").click()
    text_field = card.locator(".q-field", has=page.get_by_label("Message to the client"))
    text_field.get_by_text("At most 1,000 characters (this one has 1,001).").wait_for()
    screenshot(page, "service-bad-input")
    with served.api("agent") as api:
        order_id = status["order_id"]
        assert api.get(f"/api/v1/orders/{order_id}/inquiries").json() == []
        listed = api.get("/api/v1/notifications", params={"order_id": order_id}).json()
    assert [n for n in listed if n["event"] == "message"] == []


def test_a_parked_message_is_highlighted_and_retried(open_page: Any, served: Served) -> None:
    """A message that kept failing stands out with its error; Retry queues it again."""
    status = _order_on_truck(served, 1, 2)
    parked = _park_a_message(served, status["order_id"])
    page = open_page("dispatcher", f"/service?order={status['order_id']}", PHONE)
    row = page.locator('.fl-message[data-status="parked"]')
    row.get_by_text("550 mailbox unavailable").wait_for()
    screenshot(page, "service-parked-phone")
    row.get_by_role("button", name="Retry").click()
    page.get_by_text("Message queued again.").wait_for()
    with served.api("agent") as api:
        listed = api.get("/api/v1/notifications", params={"order_id": status["order_id"]}).json()
    assert {n["id"]: n["status"] for n in listed}[parked.id] != "parked"


def _park_a_message(served: Served, order_id: str) -> Notification:
    """A delay email the outbox gave up on, as it would leave it."""
    with served.services.uow_factory() as uow:
        order = uow.orders.get(order_id)
        assert order is not None
        message = Notification(
            id=f"ntf_{secrets.token_hex(6)}",
            order_id=order_id,
            client_id=order.client_id,
            kind=NoticeKind.DELAY,
            channel=Channel.EMAIL,
            recipient="orders@client.example",
            subject="Your delivery is delayed",
            body="...",
            dedupe_key=f"test:{secrets.token_hex(8)}",
            created_at=MORNING,
            cause_at=MORNING,
            not_before=MORNING,
        )
        message = dataclasses.replace(
            message, status=NoticeStatus.PARKED, attempts=5, last_error="550 mailbox unavailable"
        )
        uow.notifications.add_new([message])
        uow.commit()
    return message
