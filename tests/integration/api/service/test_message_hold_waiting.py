"""The message hold tells how many messages wait in the outbox."""

from __future__ import annotations

from datetime import timedelta

from fleetline.domain.access import Role
from fleetline.domain.messages import NoticeKind, NoticeStatus

from .conftest import MORNING, Day
from .messages import store_message

HOLD = "/api/v1/notifications/hold"


def test_the_hold_counts_the_messages_waiting(day: Day) -> None:
    """A dispatcher holding messages sees how many wait to go out (queued ones only,
    not those sent or parked), and a refused change leaves the hold and the count."""
    api = day.api
    dispatcher = api.headers(Role.DISPATCHER)
    held = api.client.put(HOLD, json={"held": True, "reason": "Flooding"}, headers=dispatcher)
    assert held.status_code == 200, held.text
    before = api.get(HOLD).json()["waiting"]
    order_id = day.stop_of(0, 0)
    statuses = (NoticeStatus.QUEUED, NoticeStatus.QUEUED, NoticeStatus.SENT, NoticeStatus.PARKED)
    for status in statuses:
        store_message(
            api, order_id, NoticeKind.DELAY, MORNING - timedelta(minutes=5), status=status
        )
    state = api.get(HOLD).json()
    assert (state["held"], state["waiting"]) == (True, before + 2)
    refused = api.client.put(HOLD, json={"held": True, "reason": " "}, headers=dispatcher)
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["field"] == "reason"
    again = api.get(HOLD).json()
    assert (again["held"], again["reason"], again["waiting"]) == (True, "Flooding", before + 2)
