"""Client communication: the messages told to clients, their inquiries, tracking links.

A :class:`Notification` is one message to one recipient on one channel. It is written to
the outbox in the same transaction as the change that caused it, then sent by the outbox
dispatcher; its ``dedupe_key`` (order, kind, window, channel) makes sure the same news
is never queued twice, however often the rule that makes it runs.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime

from fleetline.domain.errors import InvalidField
from fleetline.domain.model import Channel


class NoticeKind(enum.StrEnum):
    """What a message tells the client."""

    PROMISED_WINDOW = "promised_window"
    OUT_FOR_DELIVERY = "out_for_delivery"
    NARROWED_WINDOW = "narrowed_window"
    DELAY = "delay"
    DELIVERED = "delivered"
    FAILED = "failed"
    RESCHEDULED = "rescheduled"
    MESSAGE = "message"
    """A message written by an agent."""


class NoticeStatus(enum.StrEnum):
    """Where a message stands in the outbox.

    ``queued`` waits for its time (quiet hours, a retry's backoff, a hold); ``sending``
    has been handed to a channel and not yet confirmed; ``sent`` was accepted by the
    channel; ``recorded`` was kept but not sent because the channel is not configured;
    ``parked`` failed too often and waits for a person; ``cancelled`` was overtaken by
    events before it left (e.g. a delay warning for an order delivered meanwhile).
    """

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    RECORDED = "recorded"
    PARKED = "parked"
    CANCELLED = "cancelled"


OPEN_STATUSES = frozenset({NoticeStatus.QUEUED, NoticeStatus.SENDING})
"""Statuses of a message that has not left yet and may still leave."""


@dataclass(frozen=True, slots=True)
class Notification:
    """One message to one recipient about one order.

    Attributes
    ----------
    cause_at
        When the change that caused the message happened: the time from it to
        ``sent_at`` is the measured delay of telling the client.
    not_before
        The message does not leave before this time (quiet hours).
    window_start, window_end
        The delivery window told in the message, when it tells one.
    """

    id: str
    order_id: str
    client_id: str
    kind: NoticeKind
    channel: Channel
    recipient: str
    subject: str
    body: str
    dedupe_key: str
    created_at: datetime
    cause_at: datetime
    not_before: datetime
    locale: str = "en"
    html_body: str | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    status: NoticeStatus = NoticeStatus.QUEUED
    attempts: int = 0
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None

    def __post_init__(self) -> None:
        if not self.recipient.strip():
            raise InvalidField("recipient", "a message needs a recipient")
        if not self.dedupe_key:
            raise InvalidField("dedupe_key", "a message needs a de-duplication key")

    @property
    def is_open(self) -> bool:
        """Whether the message may still leave."""
        return self.status in OPEN_STATUSES

    def sending(self, at: datetime) -> Notification:
        """The message handed to its channel at ``at`` (one more attempt)."""
        return replace(
            self, status=NoticeStatus.SENDING, attempts=self.attempts + 1, next_attempt_at=at
        )

    def sent(self, at: datetime) -> Notification:
        """The message accepted by its channel at ``at``."""
        return replace(self, status=NoticeStatus.SENT, sent_at=at, last_error=None)

    def recorded(self, at: datetime) -> Notification:
        """The message kept without sending: its channel is not configured."""
        return replace(self, status=NoticeStatus.RECORDED, sent_at=at, last_error=None)

    def retry_at(self, at: datetime, error: str) -> Notification:
        """The message failed; it is tried again at ``at``."""
        return replace(
            self, status=NoticeStatus.QUEUED, next_attempt_at=at, last_error=error[:1000]
        )

    def parked(self, error: str) -> Notification:
        """The message failed too often and waits for a person."""
        return replace(self, status=NoticeStatus.PARKED, last_error=error[:1000])

    def cancelled(self, why: str) -> Notification:
        """The message will not leave: ``why`` says what overtook it."""
        return replace(self, status=NoticeStatus.CANCELLED, last_error=why[:1000])


class InquiryChannel(enum.StrEnum):
    """How a client reached customer service."""

    PHONE = "phone"
    EMAIL = "email"
    CHAT = "chat"
    SMS = "sms"
    TRACKING_PAGE = "tracking_page"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Inquiry:
    """A client's call or message about an order, logged by an agent."""

    id: str
    order_id: str
    client_id: str
    channel: InquiryChannel
    at: datetime
    note: str = ""
    by: str = ""

    def __post_init__(self) -> None:
        if len(self.note) > 4000:
            raise InvalidField("note", "at most 4,000 characters")


@dataclass(frozen=True, slots=True)
class TrackingLink:
    """An unguessable link to one order's tracking page, valid until ``expires_at``.

    Only a hash of the token is stored; the token itself lives in the messages sent.
    """

    token_hash: str
    order_id: str
    created_at: datetime
    expires_at: datetime

    def valid_at(self, at: datetime) -> bool:
        """Whether the link still opens the page at ``at``."""
        return at < self.expires_at


@dataclass(frozen=True, slots=True)
class MessageHold:
    """The dispatcher's switch that holds client messages during a major incident."""

    held: bool
    reason: str = ""
    by: str = ""
    since: datetime | None = None
