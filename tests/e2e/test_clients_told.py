"""A simulated day with a breakdown, its client messages leaving through a real SMTP
server: every client the breakdown makes late hears it once, in time, with a tracking
link that shows the live ETA."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

import httpx
import pytest

from fleetline.sim.config import DisruptionRates, SimConfig
from fleetline.sim.local import run_in_process
from fleetline.sim.report import SimReport

from ..integration.comms.outbox.stand_ins import SmtpStandIn

CALM = DisruptionRates(breakdowns=0, failures=0, window_changes=0, incidents=0)
DAY = SimConfig(
    trucks=4,
    orders=40,
    seed=3,
    time_limit_s=10.0,
    plan_iterations=400,
    option_iterations=100,
    rates=CALM,
    forced_breakdowns=((-1, "09:30"),),
    until=time(11, 0),
)


def _is_news(before: dict[str, Any], after: dict[str, Any], on_time_since: bool) -> bool:
    """A second delay comes 15 minutes or more after the first, with a window ending 20
    minutes later than the one told or starting 20 minutes earlier, or after the client
    heard an on-time window since."""
    told, new = before["window"], after["window"]
    spaced = datetime.fromisoformat(after["created_at"]) - datetime.fromisoformat(
        before["created_at"]
    )
    move = timedelta(minutes=20)
    later = datetime.fromisoformat(new["end"]) - datetime.fromisoformat(told["end"]) >= move
    earlier = datetime.fromisoformat(told["start"]) - datetime.fromisoformat(new["start"]) >= move
    return spaced >= timedelta(minutes=15) and (later or earlier or on_time_since)


def _decision_of(breakdown: dict[str, Any]) -> dict[str, Any]:
    """What was offered and chosen, in few words (for a failure's message)."""
    return {
        "opened_at": breakdown["opened_at"],
        "decided_at": breakdown.get("decided_at"),
        "chosen": breakdown["chosen_option_id"],
        "options": [
            (o["rank"], o["id"], o["summary"], o.get("impact")) for o in breakdown["options"]
        ],
    }


@pytest.fixture
def smtp() -> Iterator[SmtpStandIn]:
    server = SmtpStandIn()
    server.start()
    yield server
    server.stop()


def test_a_breakdown_day_tells_each_late_client_once_by_email(smtp: SmtpStandIn) -> None:
    """The simulated dispatcher resolves the breakdown; the clients of the broken truck
    whose delivery the decision makes late each get a delay email after it, created
    before their promised window ends, and another one only with news (at least 15
    minutes later, its window leaving the one told by 20 minutes or more); its link
    opens a page that says what the agent's screen says (the same ETA window while the
    delivery is on its way); every email leaves once."""
    seen: dict[str, Any] = {}

    def look(client: httpx.Client, report: SimReport) -> None:
        exceptions = client.get("/api/v1/exceptions", params={"date": DAY.day.isoformat()})
        [breakdown] = [e for e in exceptions.json() if e["kind"] == "breakdown"]
        seen["breakdown"] = breakdown
        seen["messages"] = {
            a["order_id"]: client.get(
                "/api/v1/notifications", params={"order_id": a["order_id"]}
            ).json()
            for a in breakdown["affected_orders"]
        }
        seen["status"] = {
            order_id: client.get(f"/api/v1/orders/{order_id}/status").json()
            for order_id in seen["messages"]
        }
        seen["pages"] = {}
        for mail in smtp.mails:
            if mail.message["X-Fleetline-Event"] != "delay":
                continue
            token = mail.part("plain").split("/track/")[1].split()[0]
            seen["pages"][mail.message["X-Fleetline-Notification"]] = client.get(
                f"/track/{token}/status"
            )

    run_in_process(
        DAY,
        after=look,
        settings={"smtp_url": smtp.url, "public_url": "http://fleetline.test"},
    )
    breakdown = seen["breakdown"]
    assert breakdown["status"] == "resolved"
    mails = smtp.mails
    assert len({m.message_id for m in mails}) == len(mails), "an email left twice"
    delays = [m for m in mails if m.message["X-Fleetline-Event"] == "delay"]
    opened = datetime.fromisoformat(breakdown["opened_at"])
    told: dict[str, list[dict[str, Any]]] = {}
    for order_id, notices in seen["messages"].items():
        for notice in notices:
            if notice["event"] != "delay" or notice["channel"] != "email":
                continue
            assert notice["status"] == "sent", notice
            created = datetime.fromisoformat(notice["created_at"])
            promised = seen["status"][order_id]["promised_window"]
            assert created < datetime.fromisoformat(promised["end"])
            if created >= opened:
                told.setdefault(order_id, []).append(notice)
    assert told, (
        "a breakdown at 09:30 makes some of the broken truck's clients late",
        _decision_of(breakdown),
        {
            order_id: [(n["event"], n["channel"], n["status"], n["created_at"]) for n in notices]
            for order_id, notices in seen["messages"].items()
        },
    )
    for order_id, notices in told.items():
        for before, after in itertools.pairwise(notices):
            on_time_since = any(
                n["event"] == "narrowed_window"
                and before["created_at"] < n["created_at"] < after["created_at"]
                for n in seen["messages"][order_id]
            )
            assert _is_news(before, after, on_time_since), (order_id, before, after)
    by_id = {m.message["X-Fleetline-Notification"]: m for m in delays}
    for notices in seen["messages"].values():
        for notice in notices:
            if notice["event"] == "delay" and notice["channel"] == "email":
                assert notice["id"] in by_id
    order_of = {n["id"]: o for o, notices in seen["messages"].items() for n in notices}
    assert seen["pages"], "every delay email carries a tracking link"
    for notification_id, page in seen["pages"].items():
        assert page.status_code == 200, page.text
        assert notification_id in by_id
        if notification_id not in order_of:
            continue  # a delay of another truck's order, not the breakdown's
        status = seen["status"][order_of[notification_id]]
        client_sees = page.json()
        assert client_sees["state"] == status["state"]
        if status.get("eta_window"):  # still on its way: the same live ETA window
            for end in ("start", "end"):
                agent_sees = datetime.fromisoformat(status["eta_window"][end])
                assert datetime.fromisoformat(client_sees["eta_window"][end]) == agent_sees
