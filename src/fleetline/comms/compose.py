"""Turning news about an order into messages: one per channel the client wants.

A :class:`Notice` says what to tell about one order (a kind, a window, the facts); it
becomes one :class:`~fleetline.domain.messages.Notification` per preferred channel that
has an address, in the client's language, held until the client's quiet hours end, with
a tracking link, and with a de-duplication key per (order, kind, window or detail,
channel) so the same news is queued once however often a rule finds it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo

from fleetline.bus import Context
from fleetline.comms.templating import (
    Templates,
    clock_window,
    first_name,
    local_day,
    supported_locale,
)
from fleetline.comms.tracking_links import issue_link, tracking_url
from fleetline.domain import events
from fleetline.domain.messages import NoticeKind, NoticeStatus, Notification
from fleetline.domain.model import Channel, Client, NotificationPreferences, Order
from fleetline.operations.company import company_zone
from fleetline.operations.ports import UnitOfWork

Window = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class CommsConfig:
    """What composing messages needs besides the store: where tracking pages live."""

    base_url: str
    templates: Templates = field(default_factory=Templates)


@dataclass(frozen=True, slots=True)
class Notice:
    """One piece of news about one order, before it is addressed to channels.

    Attributes
    ----------
    cause_at
        When the change that makes the news happened.
    window
        The delivery window told (promised, narrowed, new), when the news tells one.
    detail
        Tells apart news without a window in the de-duplication key (e.g. the day, or
        the time of a failed attempt).
    promised
        The window promised before (told in a delay).
    at
        When a delivery was made or failed.
    reason
        Why a delivery failed (a :class:`~fleetline.domain.live.FailureReason` value).
    proof
        Whether a proof of delivery was taken.
    new_day
        The day a delivery was moved to.
    driver_name
        The driver's name; only its first name is ever shown.
    body
        An agent's own words (kind ``message``).
    """

    order_id: str
    kind: NoticeKind
    cause_at: datetime
    window: Window | None = None
    detail: str = ""
    promised: Window | None = None
    at: datetime | None = None
    reason: str | None = None
    proof: bool = False
    new_day: date | None = None
    driver_name: str | None = None
    body: str = ""


def window_key(window: Window) -> str:
    """Return a window as it appears in a de-duplication key (UTC minutes)."""
    start, end = (moment.astimezone(UTC) for moment in window)
    return f"{start:%Y%m%dT%H%M}Z-{end:%Y%m%dT%H%M}Z"


def dedupe_key(notice: Notice, channel: Channel) -> str:
    """Return ``order:kind:window-or-detail:channel``, the key that queues news once."""
    told = window_key(notice.window) if notice.window and not notice.detail else notice.detail
    return f"{notice.order_id}:{notice.kind.value}:{told}:{channel.value}"


def addresses(client: Client) -> list[tuple[Channel, str]]:
    """Return the client's preferred channels that have an address, with the address.

    Nothing when the client turned messages off.
    """
    if not client.preferences.enabled:
        return []
    contact = client.contact
    by_channel = {
        Channel.EMAIL: contact.email,
        Channel.SMS: contact.phone,
        Channel.WEBHOOK: contact.webhook_url,
    }
    found: list[tuple[Channel, str]] = []
    for channel in dict.fromkeys(client.preferences.channels):
        address = by_channel.get(channel)
        if address and address.strip():
            found.append((channel, address.strip()))
    return found


def quiet_until(moment: datetime, preferences: NotificationPreferences, zone: tzinfo) -> datetime:
    """Return when a message made at ``moment`` may leave: at once, or when quiet hours end.

    Quiet hours are local times in the company's zone and may span midnight
    (22:00-07:00); equal start and end mean no quiet hours.
    """
    start, end = preferences.quiet_start, preferences.quiet_end
    if start is None or end is None or start == end:
        return moment
    local = moment.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    if start < end:
        if not start <= clock < end:
            return moment
        until = local.date()
    else:
        if end <= clock < start:
            return moment
        until = local.date() + timedelta(days=1) if clock >= start else local.date()
    return datetime.combine(until, end, tzinfo=zone).astimezone(UTC)


def compose(
    notice: Notice,
    order: Order,
    client: Client,
    *,
    now: datetime,
    zone: tzinfo,
    link: str,
    templates: Templates,
    ids: Callable[[str], str],
) -> list[Notification]:
    """Return the messages that tell ``notice`` to ``client``, one per reachable channel.

    Parameters
    ----------
    notice
        The news.
    order, client
        The order it is about and its client (contact and preferences).
    now
        When the messages are made.
    zone
        The company's time zone: windows and quiet hours are read in it.
    link
        The tracking page's address.
    templates
        The message templates.
    ids
        Makes new ids.
    """
    reachable = addresses(client)
    if not reachable:
        return []
    locale = supported_locale(client.preferences.locale)
    rendered = templates.render(notice.kind, locale, _values(notice, order, client, zone, link))
    not_before = quiet_until(now, client.preferences, zone)
    return [
        Notification(
            id=ids("ntf"),
            order_id=order.id,
            client_id=client.id,
            kind=notice.kind,
            channel=channel,
            recipient=address,
            subject=rendered.subject,
            body=rendered.text,
            html_body=rendered.html if channel is Channel.EMAIL else None,
            dedupe_key=dedupe_key(notice, channel),
            created_at=now,
            cause_at=notice.cause_at,
            not_before=not_before,
            locale=locale,
            window_start=notice.window[0] if notice.window else None,
            window_end=notice.window[1] if notice.window else None,
        )
        for channel, address in reachable
    ]


def _values(
    notice: Notice, order: Order, client: Client, zone: tzinfo, link: str
) -> dict[str, object]:
    locale = supported_locale(client.preferences.locale)
    day_of_window = notice.window[0] if notice.window else None
    return {
        "client_name": client.name,
        "reference": order.reference or order.id,
        "day": local_day(day_of_window, zone, locale)
        if day_of_window
        else _date(order.date, locale),
        "window": clock_window(*notice.window, zone) if notice.window else None,
        "promised": clock_window(*notice.promised, zone) if notice.promised else None,
        "at": f"{notice.at.astimezone(zone):%H:%M}" if notice.at else None,
        "reason": notice.reason,
        "proof": notice.proof,
        "new_day": _date(notice.new_day, locale) if notice.new_day else None,
        "driver": first_name(notice.driver_name),
        "instructions": order.instructions,
        "body": notice.body,
        "tracking_url": link,
    }


def _date(day: date, locale: str) -> str:
    return local_day(datetime.combine(day, datetime.min.time(), tzinfo=UTC), UTC, locale)


def queue_notices(
    uow: UnitOfWork, context: Context, config: CommsConfig, notices: Sequence[Notice]
) -> list[Notification]:
    """Write the messages of ``notices`` to the outbox in ``uow``'s transaction.

    News already queued (its de-duplication key taken) is skipped before anything is
    made, so a rule that runs again costs no new tracking link. Each order told
    something gets one new tracking link, in every message of this transaction. A
    :class:`~fleetline.domain.events.NotificationsQueued` event records what was queued.

    Returns
    -------
    list of Notification
        The messages queued.
    """
    if not notices:
        return []
    now = context.clock.now()
    orders = {o.id: o for o in uow.orders.get_many({n.order_id for n in notices})}
    clients = {c.id: c for c in uow.clients.get_many({o.client_id for o in orders.values()})}
    taken = {n.dedupe_key for n in uow.notifications.for_orders(orders)}
    zone = company_zone(uow)
    links: dict[str, str] = {}
    made: list[Notification] = []
    for notice in notices:
        order = orders.get(notice.order_id)
        client = clients.get(order.client_id) if order else None
        if order is None or client is None:
            continue
        keys = {dedupe_key(notice, channel) for channel, _ in addresses(client)}
        if not keys - taken:
            continue
        if order.id not in links:
            token = issue_link(uow, order, now, zone)
            links[order.id] = tracking_url(config.base_url, token)
        fresh = [
            n
            for n in compose(
                notice,
                order,
                client,
                now=now,
                zone=zone,
                link=links[order.id],
                templates=config.templates,
                ids=context.ids,
            )
            if n.dedupe_key not in taken
        ]
        taken.update(n.dedupe_key for n in fresh)
        made.extend(fresh)
    queued = uow.notifications.add_new(made)
    if queued:
        uow.record(
            events.NotificationsQueued(
                occurred_at=now,
                notification_ids=tuple(n.id for n in queued),
                order_ids=tuple(dict.fromkeys(n.order_id for n in queued)),
                kinds=tuple(dict.fromkeys(n.kind.value for n in queued)),
            )
        )
    return queued


def cancel_queued(
    uow: UnitOfWork,
    existing: Iterable[Notification],
    kinds: frozenset[NoticeKind],
    why: str,
    keep: frozenset[str] = frozenset(),
) -> int:
    """Cancel the still-queued messages of ``kinds`` among ``existing`` (not ``keep`` ids).

    Only ``queued`` messages are cancelled: one being handed to its channel is left to
    finish. Returns how many were cancelled.
    """
    cancelled = 0
    for notification in existing:
        if (
            notification.status is NoticeStatus.QUEUED
            and notification.kind in kinds
            and notification.id not in keep
        ):
            uow.notifications.update(notification.cancelled(why))
            cancelled += 1
    return cancelled
