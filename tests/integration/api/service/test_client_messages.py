"""An agent's own message to a client: queued on the client's channels, listed, checked."""

from __future__ import annotations

from fleetline.domain.access import Role

from ...api_client import order_body
from .conftest import Day


def _reachable_order(day: Day, **preferences: object) -> str:
    """A new order of a new client with an email and a phone (email and SMS by default)."""
    client = day.api.post(
        "/api/v1/clients",
        {
            "name": "Vogt Bäckerei",
            "priority": 2,
            "contact": {"email": "orders@vogt.example", "phone": "+423 233 1234"},
            "preferences": {"channels": ["email", "sms"], **preferences},
        },
    )
    assert client.status_code == 201, client.text
    order = day.api.post("/api/v1/orders", order_body(client.json()["id"], reference="V-1"))
    assert order.status_code == 201, order.text
    order_id: str = order.json()["id"]
    return order_id


def test_a_message_goes_to_each_channel_of_the_client_with_a_tracking_link(day: Day) -> None:
    """One text, two messages (email and SMS) of event ``message``, queued, carrying the
    agent's words and a tracking link; the order's message list shows both."""
    order_id = _reachable_order(day)
    text = "Your driver will call ten minutes before arriving."
    sent = day.api.post(f"/api/v1/orders/{order_id}/messages", {"text": text}, role=Role.AGENT)
    assert sent.status_code == 201, sent.text
    queued = sent.json()["notifications"]
    assert sorted(n["channel"] for n in queued) == ["email", "sms"]
    assert {n["event"] for n in queued} == {"message"}
    assert {n["recipient"] for n in queued} == {"orders@vogt.example", "+423 233 1234"}
    with day.api.services.uow_factory() as uow:
        stored = uow.notifications.for_order(order_id)
    bodies = [n.body for n in stored if n.kind.value == "message"]
    assert len(bodies) == 2 and all(text in b and "/track/" in b for b in bodies)
    listed = day.api.get("/api/v1/notifications", role=Role.AGENT, order_id=order_id).json()
    assert {n["id"] for n in queued} <= {n["id"] for n in listed}


def test_two_messages_are_two_and_a_retried_one_is_one(day: Day) -> None:
    """Two different sends are both queued; the same send retried with its
    Idempotency-Key (a double click) queues nothing more and answers the same."""
    order_id = _reachable_order(day, channels=["email"])
    path = f"/api/v1/orders/{order_id}/messages"
    first = day.api.post(path, {"text": "Running late, sorry."}, role=Role.AGENT, key="m-1")
    again = day.api.post(path, {"text": "Running late, sorry."}, role=Role.AGENT, key="m-1")
    second = day.api.post(path, {"text": "Now on our way."}, role=Role.AGENT, key="m-2")
    assert first.status_code == again.status_code == second.status_code == 201
    assert again.json() == first.json()
    listed = day.api.get("/api/v1/notifications", role=Role.AGENT, order_id=order_id).json()
    assert len([n for n in listed if n["event"] == "message"]) == 2


def test_a_bad_message_names_the_field_and_sends_nothing(day: Day) -> None:
    """Empty or longer than 1,000 characters: 422 on ``text``; an unknown order: 404; a
    driver's token: 403; a client without an address: 409 on ``client``. Nothing queued."""
    order_id = _reachable_order(day)
    path = f"/api/v1/orders/{order_id}/messages"
    for text in ("", "   ", "x" * 1001):
        bad = day.api.post(path, {"text": text}, role=Role.AGENT)
        assert bad.status_code == 422, text
        assert bad.json()["error"]["details"][0]["field"] == "text"
    assert day.api.post("/api/v1/orders/ord_nope/messages", {"text": "Hi"}).status_code == 404
    assert day.api.post(path, {"text": "Hi"}, role=Role.DRIVER).status_code == 403
    listed = day.api.get("/api/v1/notifications", role=Role.AGENT, order_id=order_id).json()
    assert [n for n in listed if n["event"] == "message"] == []
    unreachable = day.stop_of(1, 0)  # the day's clients have no contact at all
    refused = day.api.post(f"/api/v1/orders/{unreachable}/messages", {"text": "Hi"})
    assert refused.status_code == 409
    assert refused.json()["error"]["details"][0]["field"] == "client"
