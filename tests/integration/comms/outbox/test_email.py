"""Email through a real SMTP server in-process: one email per message, retries while the
server is down, a crash between sending and marking sent, refused recipients."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta

import pytest

from fleetline.clock import FixedClock
from fleetline.comms.channels.base import ChannelSender
from fleetline.comms.channels.email import EmailChannel, SmtpServer
from fleetline.comms.outbox import OutboxDispatcher
from fleetline.domain.messages import NoticeStatus
from fleetline.domain.model import Channel

from .conftest import Uows, message, queue, stored
from .stand_ins import SmtpStandIn, free_port

pytestmark = pytest.mark.both_databases  # the outbox's leases are row claims of each dialect

MakeDispatcher = Callable[[Mapping[Channel, ChannelSender]], OutboxDispatcher]
SENDER = "Fleetline <noreply@fleetline.test>"


def email_to(url: str) -> EmailChannel:
    return EmailChannel(SmtpServer.from_url(url), SENDER, timeout_s=5)


def test_each_message_arrives_once_as_a_multipart_email(
    uows: Uows, smtp: SmtpStandIn, make_dispatcher: MakeDispatcher
) -> None:
    """The client gets exactly one email per message: its address, subject, text and HTML
    parts, and a Message-ID made of the message id."""
    queue(
        uows,
        message("n1", recipient="anna@example.li"),
        message("n2", recipient="ben@example.li", order_id="o2", html_body=None),
    )
    dispatcher = make_dispatcher({Channel.EMAIL: email_to(smtp.url)})

    report = dispatcher.drain()

    assert report.sent == 2
    mails = {m.recipients[0]: m for m in smtp.mails}
    assert sorted(mails) == ["anna@example.li", "ben@example.li"]
    anna = mails["anna@example.li"]
    assert anna.message["Subject"] == "Your delivery is running late"
    assert anna.message_id == "<n1@fleetline>"
    assert anna.message["X-Fleetline-Notification"] == "n1"
    assert "between 10:30 and 11:00" in anna.part("plain")
    assert "<b>10:30</b>" in anna.part("html")
    assert mails["ben@example.li"].message.get_body(preferencelist=("html",)) is None
    assert stored(uows, "n1").status is NoticeStatus.SENT
    assert stored(uows, "n1").attempts == 1
    assert dispatcher.drain().sent == 0
    assert len(smtp.mails) == 2


def test_a_server_that_is_down_delays_emails_until_it_is_back(
    uows: Uows, clock: FixedClock, make_dispatcher: MakeDispatcher
) -> None:
    """Connection refused: the message waits with a growing backoff, then leaves once
    the server is back; nothing lost, nothing doubled."""
    smtp = SmtpStandIn(port=free_port())
    queue(uows, message("n1"), message("n2", order_id="o2"))
    dispatcher = make_dispatcher({Channel.EMAIL: email_to(smtp.url)})

    first = dispatcher.run_once()
    assert first.retried == 1  # the channel pauses after one failure: n2 spends no attempt
    failed = stored(uows, "n1")
    assert failed.status is NoticeStatus.QUEUED
    assert failed.last_error and "SMTP server" in failed.last_error
    assert failed.next_attempt_at is not None
    first_wait = failed.next_attempt_at - clock.now()
    assert timedelta(seconds=20) <= first_wait <= timedelta(seconds=40)
    assert stored(uows, "n2").attempts == 0
    assert dispatcher.run_once().moved == 0  # nothing before the backoff is over

    clock.advance(timedelta(seconds=45))
    dispatcher.run_once()
    again = stored(uows, "n1")
    assert again.attempts == 2
    assert again.next_attempt_at is not None
    assert again.next_attempt_at - clock.now() > first_wait

    smtp.start()
    try:
        clock.advance(timedelta(minutes=3))
        dispatcher.drain()
    finally:
        smtp.stop()
    assert sorted(m.message_id for m in smtp.mails) == ["<n1@fleetline>", "<n2@fleetline>"]
    assert stored(uows, "n1").status is NoticeStatus.SENT
    assert stored(uows, "n2").status is NoticeStatus.SENT
    assert stored(uows, "n2").attempts == 1


def test_a_crash_after_sending_resends_with_the_same_message_id_after_the_lease(
    uows: Uows, clock: FixedClock, smtp: SmtpStandIn, make_dispatcher: MakeDispatcher
) -> None:
    """A dispatcher that died between "sending" and "sent" leaves the message claimed;
    once the lease is over another one sends it again with the same Message-ID, so the
    mail system can drop the duplicate, and the message is never lost."""
    queue(uows, message("n1"))
    with uows() as uow:  # what the crashed dispatcher did: claim, commit, send
        found = uow.notifications.get("n1")
        assert found is not None
        claimed = found.sending(clock.now())
        uow.notifications.update(claimed)
        uow.commit()
    email_to(smtp.url).send(claimed)

    dispatcher = make_dispatcher({Channel.EMAIL: email_to(smtp.url)})
    clock.advance(timedelta(seconds=60))
    assert dispatcher.run_once().sent == 0  # still under the lease: maybe still sending
    assert stored(uows, "n1").status is NoticeStatus.SENDING

    clock.advance(timedelta(seconds=61))
    assert dispatcher.run_once().sent == 1
    assert [m.message_id for m in smtp.mails] == ["<n1@fleetline>", "<n1@fleetline>"]
    final = stored(uows, "n1")
    assert final.status is NoticeStatus.SENT
    assert final.attempts == 2


def test_a_refused_recipient_is_parked_at_once_and_the_others_still_leave(
    uows: Uows, smtp: SmtpStandIn, make_dispatcher: MakeDispatcher
) -> None:
    """A 5xx refusal of one address will never pass: that message is parked for an agent
    to see, with the server's answer, and the next message is sent."""
    queue(
        uows,
        message("n1", recipient="nobody@example.li"),
        message("n2", order_id="o2"),
    )
    dispatcher = make_dispatcher({Channel.EMAIL: email_to(smtp.url)})

    report = dispatcher.drain()

    assert (report.parked, report.sent) == (1, 1)
    with uows() as uow:
        parked = uow.notifications.in_status(NoticeStatus.PARKED)
    assert [p.id for p in parked] == ["n1"]
    assert parked[0].attempts == 1
    assert parked[0].last_error and "550" in parked[0].last_error
    assert [m.recipients for m in smtp.mails] == [["anna@example.li"]]
