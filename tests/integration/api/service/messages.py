"""Messages written straight to the outbox, as the rules and the sender would leave them."""

from __future__ import annotations

import dataclasses
import secrets
from datetime import datetime, timedelta

from fleetline.domain.messages import NoticeKind, NoticeStatus, Notification
from fleetline.domain.model import Channel

from ...api_client import Api


def store_message(
    api: Api,
    order_id: str,
    kind: NoticeKind,
    created_at: datetime,
    *,
    status: NoticeStatus = NoticeStatus.SENT,
    channel: Channel = Channel.EMAIL,
    latency: timedelta = timedelta(seconds=30),
) -> Notification:
    with api.services.uow_factory() as uow:
        order = uow.orders.get(order_id)
        assert order is not None
        message = Notification(
            id=f"ntf_{secrets.token_hex(6)}",
            order_id=order_id,
            client_id=order.client_id,
            kind=kind,
            channel=channel,
            recipient="client@example.com",
            subject=f"Your delivery: {kind.value}",
            body="...",
            dedupe_key=f"test:{secrets.token_hex(8)}",
            created_at=created_at,
            cause_at=created_at,
            not_before=created_at,
        )
        if status in (NoticeStatus.SENT, NoticeStatus.RECORDED):
            message = dataclasses.replace(
                message, status=status, attempts=1, sent_at=created_at + latency
            )
        elif status is NoticeStatus.PARKED:
            message = dataclasses.replace(
                message, status=status, attempts=5, last_error="550 mailbox unavailable"
            )
        else:
            message = dataclasses.replace(message, status=status)
        assert uow.notifications.add_new([message]) == [message]
        uow.commit()
    if api.services.figures is not None:
        api.services.figures.forget()  # as the outbox does once it has sent or recorded
    return message
