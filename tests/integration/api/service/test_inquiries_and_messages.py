"""Logging a client's inquiry, the messages about an order, parked ones, and the hold."""

from __future__ import annotations

from datetime import timedelta

from fleetline.domain.access import Role
from fleetline.domain.messages import NoticeKind, NoticeStatus

from .conftest import MORNING, Day
from .messages import store_message


def test_an_inquiry_is_logged_once_per_idempotency_key(day: Day) -> None:
    """The same call logged twice with one key (a double click, a retry) is one inquiry,
    and both answers are the same; it shows in the order's inquiries and status."""
    order_id = day.stop_of(0, 0)
    path = f"/api/v1/orders/{order_id}/inquiries"
    body = {"channel": "phone", "note": "Asked whether it comes before noon"}
    first = day.api.post(path, body, role=Role.AGENT, key="call-1")
    again = day.api.post(path, body, role=Role.AGENT, key="call-1")
    assert first.status_code == 201, first.text
    assert again.status_code == 201 and again.json() == first.json()
    assert first.json()["channel"] == "phone" and first.json()["by"] == "agent"
    listed = day.api.get(path, role=Role.AGENT).json()
    assert [i["id"] for i in listed] == [first.json()["id"]]
    status = day.api.get(f"/api/v1/orders/{order_id}/status", role=Role.AGENT).json()
    assert [i["id"] for i in status["inquiries"]] == [first.json()["id"]]
    assert "inquiry" in [entry["kind"] for entry in status["history"]]


def test_a_bad_inquiry_names_the_field_and_logs_nothing(day: Day) -> None:
    """An unknown channel is a 422 naming channel; an unknown order a 404; a driver's
    token a 403; nothing is logged."""
    order_id = day.stop_of(0, 0)
    path = f"/api/v1/orders/{order_id}/inquiries"
    bad = day.api.post(path, {"channel": "pigeon"}, role=Role.AGENT)
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["field"] == "channel"
    too_long = day.api.post(path, {"channel": "phone", "note": "x" * 4001}, role=Role.AGENT)
    assert too_long.status_code == 422
    assert too_long.json()["error"]["details"][0]["field"] == "note"
    missing = day.api.post("/api/v1/orders/ord_nope/inquiries", {"channel": "phone"})
    assert missing.status_code == 404
    driver = day.api.post(path, {"channel": "phone"}, role=Role.DRIVER)
    assert driver.status_code == 403
    assert day.api.get(path, role=Role.AGENT).json() == []


def test_every_message_about_an_order_is_listed_with_where_it_stands(day: Day) -> None:
    """The agent sees each message's event, channel, status, recipient, attempts and
    error, and only the messages of that order."""
    order_id = day.stop_of(0, 0)
    other = day.stop_of(1, 0)
    sent = store_message(day.api, order_id, NoticeKind.DELAY, MORNING)
    parked = store_message(
        day.api, order_id, NoticeKind.OUT_FOR_DELIVERY, MORNING, status=NoticeStatus.PARKED
    )
    store_message(day.api, other, NoticeKind.DELAY, MORNING)
    listed = day.api.get("/api/v1/notifications", role=Role.AGENT, order_id=order_id).json()
    by_id = {n["id"]: n for n in listed}
    assert {sent.id, parked.id} <= set(by_id)
    assert all(n["order_id"] == order_id for n in listed)
    assert by_id[sent.id]["event"] == "delay" and by_id[sent.id]["status"] == "sent"
    assert by_id[sent.id]["channel"] == "email" and by_id[sent.id]["sent_at"] is not None
    assert by_id[parked.id]["status"] == "parked"
    assert by_id[parked.id]["attempts"] == 5
    assert by_id[parked.id]["last_error"] == "550 mailbox unavailable"


def test_a_parked_message_is_listed_and_queued_again_on_retry(day: Day) -> None:
    """Parked messages are the agent's list; a retry queues one again with fresh attempts,
    takes it off the list, and a second retry is a conflict."""
    order_id = day.stop_of(0, 0)
    parked = store_message(day.api, order_id, NoticeKind.DELAY, MORNING, status=NoticeStatus.PARKED)
    listed = day.api.get("/api/v1/notifications", role=Role.AGENT, status="parked").json()
    assert parked.id in [n["id"] for n in listed]
    retried = day.api.post(f"/api/v1/notifications/{parked.id}/retry", None, role=Role.AGENT)
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "queued" and retried.json()["attempts"] == 0
    listed = day.api.get("/api/v1/notifications", role=Role.AGENT, status="parked").json()
    assert parked.id not in [n["id"] for n in listed]
    again = day.api.post(f"/api/v1/notifications/{parked.id}/retry", None, role=Role.AGENT)
    assert again.status_code == 409
    unknown = day.api.post("/api/v1/notifications/ntf_nope/retry", None, role=Role.AGENT)
    assert unknown.status_code == 404


def test_the_message_list_refuses_bad_filters(day: Day) -> None:
    """No filter, an unknown status or an unknown order: a 4xx naming the field."""
    none = day.api.get("/api/v1/notifications", role=Role.AGENT)
    assert none.status_code == 422
    assert none.json()["error"]["details"][0]["field"] == "order_id"
    bad = day.api.get("/api/v1/notifications", role=Role.AGENT, status="lost")
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "status"
    unknown = day.api.get("/api/v1/notifications", role=Role.AGENT, order_id="ord_nope")
    assert unknown.status_code == 422
    assert unknown.json()["error"]["details"][0]["field"] == "order_id"


def test_a_dispatcher_holds_and_releases_client_messages(day: Day) -> None:
    """Holding needs a reason, is recorded with who and when, and is read back; agents and
    drivers cannot switch it."""
    api = day.api
    assert api.get("/api/v1/notifications/hold").json()["held"] is False
    no_reason = api.client.put(
        "/api/v1/notifications/hold", json={"held": True}, headers=api.headers(Role.DISPATCHER)
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["error"]["details"][0]["field"] == "reason"
    held = api.client.put(
        "/api/v1/notifications/hold",
        json={"held": True, "reason": "Flooding on the A13"},
        headers=api.headers(Role.DISPATCHER),
    )
    assert held.status_code == 200, held.text
    state = api.get("/api/v1/notifications/hold").json()
    assert state["held"] is True and state["reason"] == "Flooding on the A13"
    assert state["by"] == "dispatcher" and state["since"] is not None
    for role in (Role.AGENT, Role.DRIVER):
        refused = api.client.put(
            "/api/v1/notifications/hold",
            json={"held": False},
            headers=api.headers(role),
        )
        assert refused.status_code == 403
    released = api.client.put(
        "/api/v1/notifications/hold", json={"held": False}, headers=api.headers(Role.ADMIN)
    )
    assert released.status_code == 200
    assert api.get("/api/v1/notifications/hold").json()["held"] is False
    with api.services.uow_factory() as uow:
        logged = [e.event for e in uow.events.list(limit=100_000)]
    changes = [e for e in logged if type(e).__name__ == "MessageHoldChanged"]
    assert [c.held for c in changes] == [True, False]  # type: ignore[attr-defined]


def test_the_status_lists_the_messages_told_to_the_client(day: Day) -> None:
    """The order's status carries its messages, and its history says 'notified'."""
    order_id = day.stop_of(0, 0)
    message = store_message(day.api, order_id, NoticeKind.DELAY, MORNING + timedelta(minutes=1))
    status = day.api.get(f"/api/v1/orders/{order_id}/status", role=Role.AGENT).json()
    assert message.id in [n["id"] for n in status["notifications"]]
    notified = [e for e in status["history"] if e["kind"] == "notified"]
    assert any("delay message by email" in e["detail"] for e in notified)
