"""The moves of outbox messages in the store, each its own transaction.

A message is claimed (``sending``, one attempt more) before it is sent and settled
(``sent``, ``queued`` for a retry, ``parked``) after; a claim not tried is given back.
A settle or give-back only touches a message still as its claim left it, so that two
dispatchers, or a rule cancelling the message meanwhile, never overwrite each other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from fleetline.domain.messages import NoticeStatus, Notification
from fleetline.operations.ports import UnitOfWork

log = logging.getLogger(__name__)


def claimable(current: Notification, now: datetime, lease_s: float) -> bool:
    """Whether a message may be claimed now: due, or ``sending`` past its lease."""
    if current.status is NoticeStatus.QUEUED:
        return current.next_attempt_at is None or current.next_attempt_at <= now
    if current.status is NoticeStatus.SENDING:
        lease_end = now - timedelta(seconds=lease_s)
        return current.next_attempt_at is None or current.next_attempt_at <= lease_end
    return False


def unchanged_since_claim(current: Notification, claimed: Notification) -> bool:
    """Whether no one else (another dispatcher, a cancelling rule) touched the claim."""
    return current.status is NoticeStatus.SENDING and current.attempts == claimed.attempts


def claim(
    uow_factory: Callable[[], UnitOfWork],
    messages: Sequence[Notification],
    now: datetime,
    lease_s: float,
) -> list[Notification]:
    """Mark the messages ``sending`` in one commit, skipping any taken meanwhile.

    Nothing is claimed while messages are held.

    Returns
    -------
    list[Notification]
        The claimed messages, as stored.
    """
    claimed: list[Notification] = []
    with uow_factory() as uow:
        if uow.comms_settings.hold().held:
            return []
        for message in messages:
            current = uow.notifications.get(message.id)
            if current is not None and claimable(current, now, lease_s):
                claimed.append(current.sending(now))
                uow.notifications.update(claimed[-1])
        uow.commit()
    return claimed


def give_back(
    uow_factory: Callable[[], UnitOfWork], claimed: Sequence[Notification], now: datetime
) -> None:
    """Give back claimed messages that were not tried: queued, the attempt undone."""
    if not claimed:
        return
    with uow_factory() as uow:
        for message in claimed:
            current = uow.notifications.get(message.id)
            if current is not None and unchanged_since_claim(current, message):
                uow.notifications.update(
                    replace(
                        current,
                        status=NoticeStatus.QUEUED,
                        attempts=current.attempts - 1,
                        next_attempt_at=now,
                    )
                )
        uow.commit()


def settle(
    uow_factory: Callable[[], UnitOfWork], claimed: Notification, outcome: Notification
) -> None:
    """Store the outcome of a send unless another dispatcher took the message meanwhile."""
    with uow_factory() as uow:
        current = uow.notifications.get(claimed.id)
        if current is None or not unchanged_since_claim(current, claimed):
            log.warning("message %s changed while it was being sent; kept as is", claimed.id)
            return
        uow.notifications.update(outcome)
        uow.commit()


def record_unsent(
    uow_factory: Callable[[], UnitOfWork],
    messages: Sequence[Notification],
    now: datetime,
    lease_s: float,
) -> int:
    """Keep the messages of an unconfigured channel as recorded, in one transaction.

    Returns
    -------
    int
        How many were recorded (the others were taken meanwhile).
    """
    recorded = 0
    with uow_factory() as uow:
        for n in messages:
            current = uow.notifications.get(n.id)
            if current is None or not claimable(current, now, lease_s):
                continue
            uow.notifications.update(current.recorded(now))
            recorded += 1
        uow.commit()
    return recorded


def postpone(
    uow_factory: Callable[[], UnitOfWork], messages: Sequence[Notification], until: datetime
) -> int:
    """Move a paused channel's due messages to the pause's end, attempts untouched.

    Returns
    -------
    int
        How many were moved.
    """
    postponed = 0
    with uow_factory() as uow:
        for n in messages:
            current = uow.notifications.get(n.id)
            if current is not None and current.status is NoticeStatus.QUEUED:
                uow.notifications.update(replace(current, next_attempt_at=until))
                postponed += 1
        uow.commit()
    return postponed
