"""The ways out for client messages: email over SMTP, SMS over HTTP, signed webhooks.

:func:`channels_from` builds the configured ones from the settings; a channel left out
(no ``FLEETLINE_SMTP_URL``, no ``FLEETLINE_SMS_URL``) makes the outbox *record* its
messages instead of sending them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from fleetline.clock import Clock
from fleetline.comms.channels.base import (
    ChannelSender,
    DeliveryFailure,
    PermanentFailure,
    TransientFailure,
)
from fleetline.comms.channels.email import EmailChannel, SmtpServer
from fleetline.comms.channels.sms import SmsChannel
from fleetline.comms.channels.webhook import WebhookChannel, WebhookReceivers, webhook_secret
from fleetline.domain.model import Channel
from fleetline.operations.ports import UnitOfWork
from fleetline.settings import Settings

__all__ = [
    "ChannelSender",
    "DeliveryFailure",
    "PermanentFailure",
    "TransientFailure",
    "channels_from",
]


def channels_from(
    settings: Settings, clock: Clock, uow_factory: Callable[[], UnitOfWork]
) -> dict[Channel, ChannelSender]:
    """Return a sender for each channel the settings configure.

    Webhooks are always on (their address is the client's own; the signing secret is
    read, or generated and stored, on the first send); email needs ``smtp_url`` and
    SMS ``sms_url``.

    Raises
    ------
    ValueError
        ``smtp_url`` is not an ``smtp://`` or ``smtps://`` URL.
    """
    secret = partial(webhook_secret, uow_factory, settings.webhook_secret)
    receivers = WebhookReceivers.from_setting(settings.webhook_allow_networks)
    senders: dict[Channel, ChannelSender] = {
        Channel.WEBHOOK: WebhookChannel(secret, clock, receivers=receivers)
    }
    if settings.smtp_url:
        senders[Channel.EMAIL] = EmailChannel(
            SmtpServer.from_url(settings.smtp_url), settings.mail_from
        )
    if settings.sms_url:
        senders[Channel.SMS] = SmsChannel(settings.sms_url)
    return senders
