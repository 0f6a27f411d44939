"""Client communication: the outbox of notifications, inquiries, tracking links, the hold."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import RowMapping

from fleetline.domain.messages import (
    Inquiry,
    InquiryChannel,
    MessageHold,
    NoticeKind,
    NoticeStatus,
    Notification,
    TrackingLink,
)
from fleetline.domain.model import Channel
from fleetline.store import tables as t
from fleetline.store.repositories.base import Repository

_HOLD_KEY = "message_hold"


def _notification_row(n: Notification) -> dict[str, Any]:
    return {
        "id": n.id,
        "order_id": n.order_id,
        "client_id": n.client_id,
        "kind": n.kind.value,
        "channel": n.channel.value,
        "recipient": n.recipient,
        "subject": n.subject,
        "body": n.body,
        "html_body": n.html_body,
        "locale": n.locale,
        "dedupe_key": n.dedupe_key,
        "status": n.status.value,
        "created_at": n.created_at,
        "cause_at": n.cause_at,
        "not_before": n.not_before,
        "window_start": n.window_start,
        "window_end": n.window_end,
        "attempts": n.attempts,
        "next_attempt_at": n.next_attempt_at,
        "sent_at": n.sent_at,
        "last_error": n.last_error,
    }


def _notification(row: RowMapping) -> Notification:
    return Notification(
        id=row["id"],
        order_id=row["order_id"],
        client_id=row["client_id"],
        kind=NoticeKind(row["kind"]),
        channel=Channel(row["channel"]),
        recipient=row["recipient"],
        subject=row["subject"],
        body=row["body"],
        html_body=row["html_body"],
        locale=row["locale"],
        dedupe_key=row["dedupe_key"],
        status=NoticeStatus(row["status"]),
        created_at=row["created_at"],
        cause_at=row["cause_at"],
        not_before=row["not_before"],
        window_start=row["window_start"],
        window_end=row["window_end"],
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        sent_at=row["sent_at"],
        last_error=row["last_error"],
    )


class NotificationRepository(Repository):
    """The outbox: every message queued or sent, de-duplicated by ``dedupe_key``."""

    def add_new(self, notifications: Iterable[Notification]) -> list[Notification]:
        """Queue the messages whose ``dedupe_key`` is not taken yet; return those queued.

        A key already in the outbox (the same news told before, or a rule that ran
        twice) is skipped silently: the de-duplication is the point.
        """
        batch = list(notifications)
        if not batch:
            return []
        keys = {n.dedupe_key for n in batch}
        taken = set(
            self._session.execute(
                sa.select(t.notifications.c.dedupe_key).where(
                    t.notifications.c.dedupe_key.in_(keys)
                )
            ).scalars()
        )
        fresh: dict[str, Notification] = {}
        for n in batch:
            if n.dedupe_key not in taken and n.dedupe_key not in fresh:
                fresh[n.dedupe_key] = n
        if fresh:
            self._session.execute(
                sa.insert(t.notifications), [_notification_row(n) for n in fresh.values()]
            )
        return list(fresh.values())

    def get(self, notification_id: str) -> Notification | None:
        """Return the message, or ``None``."""
        row = (
            self._session.execute(
                sa.select(t.notifications).where(t.notifications.c.id == notification_id)
            )
            .mappings()
            .first()
        )
        return None if row is None else _notification(row)

    def update(self, notification: Notification) -> None:
        """Store the message's new status, attempts and times."""
        values = _notification_row(notification)
        del values["id"]
        self._session.execute(
            sa.update(t.notifications)
            .where(t.notifications.c.id == notification.id)
            .values(**values)
        )

    def for_order(self, order_id: str) -> list[Notification]:
        """Every message about the order, oldest first."""
        c = t.notifications.c
        query = (
            sa.select(t.notifications).where(c.order_id == order_id).order_by(c.created_at, c.id)
        )
        return [_notification(r) for r in self._session.execute(query).mappings()]

    def for_orders(self, order_ids: Iterable[str]) -> list[Notification]:
        """Every message about these orders, oldest first."""
        ids = list(set(order_ids))
        if not ids:
            return []
        c = t.notifications.c
        found: list[Notification] = []
        for start in range(0, len(ids), 500):
            query = sa.select(t.notifications).where(c.order_id.in_(ids[start : start + 500]))
            found.extend(_notification(r) for r in self._session.execute(query).mappings())
        return sorted(found, key=lambda n: (n.created_at, n.id))

    def due(self, now: datetime, limit: int = 100) -> list[Notification]:
        """Queued messages whose time has come (quiet hours and backoff over), oldest first."""
        c = t.notifications.c
        query = (
            sa.select(t.notifications)
            .where(
                c.status == NoticeStatus.QUEUED.value,
                c.not_before <= now,
                sa.or_(c.next_attempt_at.is_(None), c.next_attempt_at <= now),
            )
            .order_by(c.created_at, c.id)
            .limit(limit)
        )
        return [_notification(r) for r in self._session.execute(query).mappings()]

    def in_status(self, *statuses: NoticeStatus, limit: int = 1000) -> list[Notification]:
        """Messages in any of ``statuses`` (e.g. parked ones for an agent), oldest first."""
        c = t.notifications.c
        query = (
            sa.select(t.notifications)
            .where(c.status.in_([s.value for s in statuses]))
            .order_by(c.created_at, c.id)
            .limit(limit)
        )
        return [_notification(r) for r in self._session.execute(query).mappings()]

    def count_in_status(self, *statuses: NoticeStatus) -> int:
        """How many messages are in any of ``statuses`` (e.g. queued ones during a hold)."""
        c = t.notifications.c
        query = sa.select(sa.func.count()).where(c.status.in_([s.value for s in statuses]))
        return int(self._session.execute(query).scalar_one())

    def created_between(self, start: datetime, end: datetime) -> list[Notification]:
        """Messages queued in ``[start, end)``, oldest first."""
        c = t.notifications.c
        query = (
            sa.select(t.notifications)
            .where(c.created_at >= start, c.created_at < end)
            .order_by(c.created_at, c.id)
        )
        return [_notification(r) for r in self._session.execute(query).mappings()]


class InquiryRepository(Repository):
    """Clients' calls and messages about their orders."""

    def add(self, inquiry: Inquiry) -> None:
        """Log an inquiry."""
        self._session.execute(
            sa.insert(t.inquiries).values(
                id=inquiry.id,
                order_id=inquiry.order_id,
                client_id=inquiry.client_id,
                channel=inquiry.channel.value,
                at=inquiry.at,
                note=inquiry.note,
                by=inquiry.by,
            )
        )

    def for_order(self, order_id: str) -> list[Inquiry]:
        """The inquiries about an order, oldest first."""
        query = (
            sa.select(t.inquiries)
            .where(t.inquiries.c.order_id == order_id)
            .order_by(t.inquiries.c.at, t.inquiries.c.id)
        )
        return [_inquiry(r) for r in self._session.execute(query).mappings()]

    def between(self, start: datetime, end: datetime) -> list[Inquiry]:
        """The inquiries logged in ``[start, end)``, oldest first."""
        c = t.inquiries.c
        query = sa.select(t.inquiries).where(c.at >= start, c.at < end).order_by(c.at, c.id)
        return [_inquiry(r) for r in self._session.execute(query).mappings()]


def _inquiry(row: RowMapping) -> Inquiry:
    return Inquiry(
        id=row["id"],
        order_id=row["order_id"],
        client_id=row["client_id"],
        channel=InquiryChannel(row["channel"]),
        at=row["at"],
        note=row["note"],
        by=row["by"],
    )


class TrackingLinkRepository(Repository):
    """Tracking links, found by the hash of their token."""

    def add(self, link: TrackingLink) -> None:
        """Store a new link."""
        self._session.execute(
            sa.insert(t.tracking_links).values(
                token_hash=link.token_hash,
                order_id=link.order_id,
                created_at=link.created_at,
                expires_at=link.expires_at,
            )
        )

    def find(self, token_hash: str) -> TrackingLink | None:
        """Return the link with this token hash, or ``None``."""
        row = (
            self._session.execute(
                sa.select(t.tracking_links).where(t.tracking_links.c.token_hash == token_hash)
            )
            .mappings()
            .first()
        )
        return None if row is None else _link(row)

    def for_order(self, order_id: str) -> list[TrackingLink]:
        """The links of an order, oldest first."""
        c = t.tracking_links.c
        query = sa.select(t.tracking_links).where(c.order_id == order_id).order_by(c.created_at)
        return [_link(r) for r in self._session.execute(query).mappings()]


def _link(row: RowMapping) -> TrackingLink:
    return TrackingLink(
        token_hash=row["token_hash"],
        order_id=row["order_id"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
    )


class CommsSettingsRepository(Repository):
    """Installation-wide communication settings: the message hold, the webhook secret."""

    def get(self, key: str) -> Any:
        """Return the stored value of ``key``, or ``None``."""
        return self._session.execute(
            sa.select(t.comms_settings.c.value).where(t.comms_settings.c.key == key)
        ).scalar_one_or_none()

    def put(self, key: str, value: Any) -> None:
        """Store ``value`` under ``key``, replacing any value before."""
        c = t.comms_settings.c
        updated = self._session.execute(
            sa.update(t.comms_settings).where(c.key == key).values(value=value)
        )
        if updated.rowcount == 0:  # type: ignore[attr-defined]
            self._session.execute(sa.insert(t.comms_settings).values(key=key, value=value))

    def hold(self) -> MessageHold:
        """The message hold; not held when never set."""
        stored = self.get(_HOLD_KEY)
        if not stored:
            return MessageHold(held=False)
        since = stored.get("since")
        return MessageHold(
            held=bool(stored["held"]),
            reason=stored.get("reason", ""),
            by=stored.get("by", ""),
            since=datetime.fromisoformat(since) if since else None,
        )

    def set_hold(self, hold: MessageHold) -> None:
        """Store the message hold."""
        self.put(
            _HOLD_KEY,
            {
                "held": hold.held,
                "reason": hold.reason,
                "by": hold.by,
                "since": hold.since.isoformat() if hold.since else None,
            },
        )
