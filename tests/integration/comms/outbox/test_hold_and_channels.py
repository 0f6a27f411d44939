"""The dispatcher's switch and routing: the message hold, channels that are not
configured, one channel's outage beside another, and the wiring of a running server."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import timedelta

from fleetline.bootstrap import bootstrap
from fleetline.clock import FixedClock
from fleetline.comms.channels.base import ChannelSender
from fleetline.comms.channels.email import EmailChannel, SmtpServer
from fleetline.comms.channels.sms import SmsChannel
from fleetline.comms.outbox import OutboxDispatcher
from fleetline.domain.events import NotificationsQueued
from fleetline.domain.messages import MessageHold, NoticeStatus
from fleetline.domain.model import Channel
from fleetline.settings import Settings
from tests.integration.store.store_builders import order, seed_master_data

from .conftest import T0, Uows, message, queue, stored
from .stand_ins import HttpStandIn, SmtpStandIn, free_port

MakeDispatcher = Callable[[Mapping[Channel, ChannelSender]], OutboxDispatcher]


def set_hold(uows: Uows, held: bool) -> None:
    with uows() as uow:
        uow.comms_settings.set_hold(MessageHold(held=held, reason="storm", by="dispatcher"))
        uow.commit()


def test_while_messages_are_held_nothing_leaves_and_on_release_everything_does(
    uows: Uows, smtp: SmtpStandIn, make_dispatcher: MakeDispatcher
) -> None:
    """During a major incident the dispatcher holds messages: they stay queued (none
    recorded, none sent, no attempt spent); released, each leaves once."""
    queue(uows, message("n1"), message("n2", order_id="o2"), message("n3", channel=Channel.SMS))
    dispatcher = make_dispatcher(
        {Channel.EMAIL: EmailChannel(SmtpServer.from_url(smtp.url), "ops@fleetline.test")}
    )
    set_hold(uows, True)

    report = dispatcher.drain()

    assert report.held
    assert report.moved == 0
    assert smtp.mails == []
    assert {stored(uows, n).status for n in ("n1", "n2", "n3")} == {NoticeStatus.QUEUED}
    assert stored(uows, "n1").attempts == 0

    set_hold(uows, False)
    released = dispatcher.drain()

    assert (released.sent, released.recorded) == (2, 1)
    assert sorted(m.message_id for m in smtp.mails) == ["<n1@fleetline>", "<n2@fleetline>"]


def test_a_channel_that_is_not_configured_records_its_messages(
    uows: Uows, make_dispatcher: MakeDispatcher
) -> None:
    """Without FLEETLINE_SMTP_URL or FLEETLINE_SMS_URL messages are kept as recorded, with
    the time they would have left, and never tried again."""
    queue(uows, message("n1"), message("n2", channel=Channel.SMS, recipient="+423 7901234"))
    dispatcher = make_dispatcher({})

    assert dispatcher.drain().recorded == 2

    for notice_id in ("n1", "n2"):
        kept = stored(uows, notice_id)
        assert kept.status is NoticeStatus.RECORDED
        assert kept.sent_at == T0
    assert dispatcher.counts() == {"email.recorded": 1, "sms.recorded": 1}


def test_messages_not_yet_due_or_cancelled_do_not_leave(
    uows: Uows, clock: FixedClock, make_dispatcher: MakeDispatcher
) -> None:
    """Quiet hours hold a message until its not_before; a cancelled one never leaves."""
    queue(
        uows,
        message("quiet", not_before=T0 + timedelta(hours=10)),
        message("gone", order_id="o2", status=NoticeStatus.CANCELLED),
    )
    dispatcher = make_dispatcher({})

    assert dispatcher.drain().moved == 0
    clock.advance(timedelta(hours=10))
    assert dispatcher.drain().recorded == 1
    assert stored(uows, "quiet").status is NoticeStatus.RECORDED
    assert stored(uows, "gone").status is NoticeStatus.CANCELLED


def test_an_smtp_outage_does_not_stop_text_messages(
    uows: Uows, clock: FixedClock, http: HttpStandIn, make_dispatcher: MakeDispatcher
) -> None:
    """Emails wait for their server while SMS keep leaving; the waiting emails spend no
    attempts while the email channel is paused."""
    queue(
        uows,
        *(message(f"e{i}", order_id=f"o{i}") for i in range(1, 5)),
        message("s1", channel=Channel.SMS, recipient="+423 7901234"),
    )
    dead = SmtpServer.from_url(f"smtp://127.0.0.1:{free_port()}")
    dispatcher = make_dispatcher(
        {
            Channel.EMAIL: EmailChannel(dead, "ops@fleetline.test", timeout_s=2),
            Channel.SMS: SmsChannel(http.url, timeout_s=2),
        }
    )

    report = dispatcher.run_once()

    assert (report.sent, report.retried) == (1, 1)
    assert stored(uows, "s1").status is NoticeStatus.SENT
    assert [stored(uows, f"e{i}").attempts for i in range(1, 5)] == [1, 0, 0, 0]
    clock.advance(timedelta(seconds=10))
    assert dispatcher.run_once().postponed == 3  # the channel is paused: they wait
    assert [stored(uows, f"e{i}").attempts for i in range(2, 5)] == [0, 0, 0]


def test_a_running_server_sends_queued_messages_when_told_they_were_queued(
    database_url: str,
) -> None:
    """bootstrap starts the dispatcher; the NotificationsQueued event wakes it at once
    (long before its next poll), and Services.close() stops it."""
    smtp = SmtpStandIn()
    smtp.start()
    clock = FixedClock(T0)
    services = bootstrap(
        Settings(database_url=database_url, smtp_url=smtp.url, outbox_poll_s=120),
        clock=clock,
        recover=False,
        live_refresh=False,
    )
    try:
        assert services.outbox is not None
        make_uow = services.uow_factory
        seed_master_data(make_uow())
        with make_uow() as uow:
            uow.orders.add_many([order("o1")])
            uow.commit()
        time.sleep(0.3)  # the dispatcher's first look has found nothing
        queue(make_uow, message("n1"))
        services.bus.publish(
            [
                NotificationsQueued(
                    occurred_at=T0, notification_ids=("n1",), order_ids=("o1",), kinds=("delay",)
                )
            ]
        )
        deadline = time.monotonic() + 10
        while not smtp.mails and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [m.message_id for m in smtp.mails] == ["<n1@fleetline>"]
    finally:
        services.close()
        smtp.stop()
