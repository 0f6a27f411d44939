"""The dispatcher's hold on client messages, and an agent's retry of a parked message."""

from __future__ import annotations

import dataclasses

from fleetline.bus import Context
from fleetline.domain import commands, events
from fleetline.domain.errors import Conflict, InvalidField, NotFound
from fleetline.domain.messages import MessageHold, NoticeStatus, Notification
from fleetline.operations.ports import UnitOfWork

MAX_REASON = 500


def waiting_messages(uow: UnitOfWork) -> int:
    """How many messages wait in the outbox (queued: held back while the hold is on)."""
    return uow.notifications.count_in_status(NoticeStatus.QUEUED)


def set_message_hold(
    command: commands.SetMessageHold, uow: UnitOfWork, context: Context
) -> MessageHold:
    """Hold client messages (or release them) and record :class:`MessageHoldChanged`.

    Held messages stay queued in the outbox; releasing the hold lets them leave.

    Raises
    ------
    InvalidField
        On ``reason`` when it is longer than 500 characters, or missing while holding.
    """
    reason = command.reason.strip()
    if len(reason) > MAX_REASON:
        raise InvalidField("reason", f"at most {MAX_REASON} characters")
    if command.held and not reason:
        raise InvalidField("reason", "say why messages are held (e.g. the incident)")
    now = context.clock.now()
    hold = MessageHold(held=command.held, reason=reason, by=command.by, since=now)
    uow.comms_settings.set_hold(hold)
    uow.record(
        events.MessageHoldChanged(occurred_at=now, held=hold.held, reason=reason, by=command.by)
    )
    return hold


def retry_notification(
    command: commands.RetryNotification, uow: UnitOfWork, context: Context
) -> Notification:
    """Queue a parked message again: it leaves at the outbox's next round, attempts reset.

    Raises
    ------
    NotFound
        When the message does not exist.
    Conflict
        When the message is not parked (queued, sent or cancelled messages stay as they are).
    """
    notification = uow.notifications.get(command.notification_id)
    if notification is None:
        raise NotFound("notification", command.notification_id)
    if notification.status is not NoticeStatus.PARKED:
        raise Conflict(
            f"notification {notification.id} is {notification.status.value}; "
            "only a parked message can be retried",
            field="status",
        )
    now = context.clock.now()
    queued = dataclasses.replace(
        notification,
        status=NoticeStatus.QUEUED,
        attempts=0,
        next_attempt_at=now,
        not_before=min(notification.not_before, now),
    )
    uow.notifications.update(queued)
    uow.record(
        events.NotificationsQueued(
            occurred_at=now,
            notification_ids=(queued.id,),
            order_ids=(queued.order_id,),
            kinds=(queued.kind.value,),
        )
    )
    return queued
