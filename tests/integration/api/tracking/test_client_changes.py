"""What a client changes from the tracking page: instructions, and another window."""

from __future__ import annotations

from datetime import datetime

import pytest

from fleetline.domain import events
from fleetline.domain.live import Risk

from .conftest import Day, issue

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> leave at reception'


def _order(day: Day, order_id: str) -> dict[str, object]:
    answer = day.api.get(f"/api/v1/orders/{order_id}")
    assert answer.status_code == 200
    body: dict[str, object] = answer.json()
    return body


def _changes(day: Day, order_id: str) -> list[events.OrderChanged]:
    with day.api.services.uow_factory() as uow:
        logged = [e.event for e in uow.events.list(limit=10_000)]
    return [e for e in logged if isinstance(e, events.OrderChanged) and e.order_id == order_id]


def test_instructions_reach_the_order_and_are_escaped_on_the_page(day: Day) -> None:
    """The client leaves instructions (with markup in them): they are stored on the order
    as a client change in the event log, trimmed, and the page shows them as text, never
    as markup."""
    order_id = day.stop_of(0, 1)
    token = issue(day.api, order_id)
    saved = day.api.client.post(f"/track/{token}/instructions", json={"instructions": HOSTILE})
    assert saved.status_code == 200, saved.text
    assert _order(day, order_id)["instructions"] == HOSTILE
    [changed] = _changes(day, order_id)
    assert changed.changes == {"instructions": HOSTILE}
    page = day.api.client.get(f"/track/{token}").text
    assert "&lt;script&gt;" in page and "leave at reception" in page
    assert "<script>alert" not in page and "<img src=x" not in page


@pytest.mark.parametrize("text", ["   ", "x" * 501, ""])
def test_empty_or_too_long_instructions_are_refused(day: Day, text: str) -> None:
    """Blank instructions or more than 500 characters: 422 naming ``instructions``, and
    the order keeps what it had."""
    order_id = day.stop_of(0, 1)
    token = issue(day.api, order_id)
    refused = day.api.client.post(f"/track/{token}/instructions", json={"instructions": text})
    assert refused.status_code == 422, refused.text
    assert [d["field"] for d in refused.json()["error"]["details"]] == ["instructions"]
    assert _order(day, order_id)["instructions"] == ""
    assert not _changes(day, order_id)


def test_an_offered_window_is_honoured_by_the_live_plan(day: Day) -> None:
    """The client asks for another window: the page offers only hourly slots the truck can
    keep; choosing one changes the order's window, and once the re-planning policy has
    acted, the live picture serves the order in it, on time."""
    order_id = day.stop_of(0, -1)
    token = issue(day.api, order_id)
    offered = day.api.client.get(f"/track/{token}/windows")
    assert offered.status_code == 200, offered.text
    windows = offered.json()["windows"]
    assert windows, "a truck with an empty afternoon can keep a later window"
    chosen = windows[min(1, len(windows) - 1)]
    applied = day.api.client.post(
        f"/track/{token}/window", json={"start": chosen["start"], "end": chosen["end"]}
    )
    assert applied.status_code == 200, applied.text
    order = _order(day, order_id)
    assert len(order["time_windows"]) == 1  # type: ignore[arg-type]
    new_start = datetime.fromisoformat(chosen["start"])
    new_end = datetime.fromisoformat(chosen["end"])
    stored = order["time_windows"][0]  # type: ignore[index]
    assert datetime.fromisoformat(stored["start"]) == new_start
    assert datetime.fromisoformat(stored["end"]) == new_end
    replanner = day.api.services.replanner
    assert replanner is not None
    replanner.wait()
    forecast = day.api.services.live.refresh().forecasts[order_id]
    assert new_start <= forecast.service_start <= new_end
    assert forecast.risk is not Risk.LATE
    status = day.api.client.get(f"/track/{token}/status").json()
    assert status["promised_window"]["text"] == chosen["text"]


def test_a_window_that_was_not_offered_is_refused(day: Day) -> None:
    """A window outside the offers (here: the early morning, already gone) is refused with
    409 naming ``start``, and the order keeps its window."""
    order_id = day.stop_of(0, -1)
    token = issue(day.api, order_id)
    before = _order(day, order_id)["time_windows"]
    refused = day.api.client.post(
        f"/track/{token}/window",
        json={"start": "2026-11-26T06:00:00+01:00", "end": "2026-11-26T07:00:00+01:00"},
    )
    assert refused.status_code == 409, refused.text
    assert [d["field"] for d in refused.json()["error"]["details"]] == ["start"]
    assert _order(day, order_id)["time_windows"] == before
    assert not _changes(day, order_id)


def test_changes_through_a_wrong_token_change_nothing(day: Day) -> None:
    """Instructions or a window sent with a guessed token: the same plain 404 as the page."""
    answer = day.api.client.post(
        "/track/" + "y" * 43 + "/instructions", json={"instructions": "hi"}
    )
    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == "not found"
