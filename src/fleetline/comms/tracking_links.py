"""Tracking links: an unguessable token per order, valid until its delivery day ends.

The token (32 random bytes, URL-safe) is only ever in the messages sent to the client;
the store keeps its SHA-256, so a copy of the database opens no tracking page.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, time, timedelta, tzinfo

from fleetline.domain.messages import TrackingLink
from fleetline.domain.model import Order
from fleetline.operations.ports import UnitOfWork

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    """Return the stored fingerprint of a tracking token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def end_of_delivery_day(order: Order, zone: tzinfo) -> datetime:
    """Return the midnight that ends the order's delivery day, local to ``zone``."""
    return datetime.combine(order.date + timedelta(days=1), time(0), tzinfo=zone)


def issue_link(uow: UnitOfWork, order: Order, now: datetime, zone: tzinfo) -> str:
    """Store a new tracking link for ``order`` and return its token.

    Parameters
    ----------
    uow
        The open unit of work; the link is stored with its transaction.
    order
        The order the link shows.
    now
        The time of issue.
    zone
        The company's time zone: the link expires at the end of the delivery day there.
    """
    token = secrets.token_urlsafe(TOKEN_BYTES)
    uow.tracking_links.add(
        TrackingLink(
            token_hash=token_hash(token),
            order_id=order.id,
            created_at=now,
            expires_at=end_of_delivery_day(order, zone),
        )
    )
    return token


def order_of_token(uow: UnitOfWork, token: str, now: datetime) -> str | None:
    """Return the order id a token opens at ``now``, or ``None`` (unknown or expired).

    A wrong, guessed or expired token answers the same ``None``: the caller shows one
    plain "not found" and counts it toward the rate limit.
    """
    if not token or len(token) > 200:
        return None
    link = uow.tracking_links.find(token_hash(token))
    if link is None or not link.valid_at(now):
        return None
    return link.order_id


def tracking_url(base_url: str, token: str) -> str:
    """Return the public address of a tracking page."""
    return f"{base_url.rstrip('/')}/track/{token}"
