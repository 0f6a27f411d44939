"""The issue's finish line: a simulated day with a breakdown, the messages leaving
through a real SMTP server, each delay email with a tracking link that shows the live ETA."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from fleetline.clock import FixedClock
from fleetline.comms.channels.email import EmailChannel, SmtpServer
from fleetline.comms.forecast_rules import has_started
from fleetline.comms.outbox import OutboxDispatcher
from fleetline.domain.live import Risk
from fleetline.domain.messages import NoticeKind, NoticeStatus
from fleetline.domain.model import Channel
from fleetline.operations.eta_window import eta_window

from ...api_client import Api
from ...live.conftest import Day, at, day, report
from ..messages.conftest import company, messages
from .stand_ins import SmtpStandIn

__all__ = ["company", "day"]

PROMISED_END = datetime.fromisoformat(at("09:30"))


@pytest.fixture(autouse=True)
def mail_out(api: Api, smtp: SmtpStandIn) -> Iterator[OutboxDispatcher]:
    """The server's own dispatcher (no SMTP configured) replaced by one that mails to the
    local SMTP server; SMS stay recorded."""
    assert api.services.outbox is not None
    api.services.outbox.close()
    channel = EmailChannel(SmtpServer.from_url(smtp.url), "dispatch@fleetline.test")
    dispatcher = OutboxDispatcher(
        api.services.uow_factory, api.services.clock, {Channel.EMAIL: channel}
    )
    yield dispatcher
    dispatcher.close()


def advance(api: Api, minutes: int) -> datetime:
    clock = api.services.clock
    assert isinstance(clock, FixedClock)
    return clock.advance(timedelta(minutes=minutes))


def test_after_a_breakdown_each_affected_client_gets_one_delay_email_with_a_live_link(
    day: Day, smtp: SmtpStandIn, mail_out: OutboxDispatcher
) -> None:
    """Every late order of the broken truck (and any other order the re-plan made late;
    at risk only once its new truck is on the road) gets exactly one delay email, at the SMTP
    server before its promised window ends, whose tracking link opens a page with the
    live picture's ETA window; nobody gets a second copy however often the day moves."""
    api = day.api
    mail_out.drain()
    promised = [m for m in smtp.mails if m.message["X-Fleetline-Event"] == "promised_window"]
    assert promised, "dispatching told each client its promised window"

    broken = sorted(day.routes)[0]
    report(day, day.routes[broken][0], "completed", "08:20")
    affected = day.routes[broken][1:]
    every_order = [o for stops in day.routes.values() for o in stops]
    assert (
        api.post(
            f"/api/v1/vehicles/{broken}/events", {"type": "breakdown", "at": at("08:25")}
        ).status_code
        == 200
    )
    api.services.exceptions.wait()
    api.services.live.refresh()
    [exception] = api.get("/api/v1/exceptions", status="open").json()
    advance(api, 3)
    resolved = api.post(
        f"/api/v1/exceptions/{exception['id']}/resolve",
        {"option_id": exception["options"][0]["id"]},
    )
    assert resolved.status_code == 200, resolved.text
    for minutes in (0, 5, 5):
        advance(api, minutes)
        picture = api.services.live.refresh()
        mail_out.drain()

    started = {run.vehicle_id for run in picture.snapshot.vehicles if has_started(run)}
    late = {
        o
        for o in affected
        if o in picture.forecasts
        and (
            picture.forecasts[o].risk is Risk.LATE
            or (
                picture.forecasts[o].risk is Risk.AT_RISK
                and picture.forecasts[o].vehicle_id in started
            )
        )
    }
    delays = [m for m in smtp.mails if m.message["X-Fleetline-Event"] == "delay"]
    queued = {
        n.id: n for n in messages(api, every_order, NoticeKind.DELAY) if n.channel is Channel.EMAIL
    }
    assert delays, "moving a broken truck's stops at 08:30 makes some of them late"
    per_order = Counter(queued[m.message["X-Fleetline-Notification"]].order_id for m in delays)
    assert late <= set(per_order)
    assert all(count == 1 for count in per_order.values()), per_order
    assert len({m.message_id for m in delays}) == len(delays)
    for notice in queued.values():
        assert notice.status is NoticeStatus.SENT
        assert notice.sent_at is not None and notice.sent_at < PROMISED_END

    now = api.services.clock.now()
    live_etas_shown = 0
    for mail in delays:
        order_id = queued[mail.message["X-Fleetline-Notification"]].order_id
        assert mail.recipients == [queued[mail.message["X-Fleetline-Notification"]].recipient]
        token = mail.part("plain").split("/track/")[1].split()[0]
        assert f"/track/{token}" in mail.part("html")
        status = api.client.get(f"/track/{token}/status")
        assert status.status_code == 200, status.text
        forecast = api.services.live.picture().forecasts.get(order_id)
        if forecast is not None:
            start, _ = eta_window(forecast.eta, now)
            shown = datetime.fromisoformat(status.json()["eta_window"]["start"])
            assert shown == start
            live_etas_shown += 1
    assert live_etas_shown > 0
