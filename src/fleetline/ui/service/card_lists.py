"""The order card's lists: every message sent (parked ones with a retry), inquiries, history."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from fleetline.domain.messages import NoticeStatus
from fleetline.ui.service import words
from fleetline.ui.service.reading import CardData

CHANNEL_ICONS = {
    "email": "mail",
    "sms": "sms",
    "webhook": "webhook",
    "phone": "call",
    "chat": "chat",
    "tracking_page": "travel_explore",
    "other": "more_horiz",
}


def messages(data: CardData, on_retry: Callable[[str], None]) -> None:
    """Every message about the order, newest first; parked ones highlighted with a retry."""
    found = sorted(data.status.notifications, key=lambda n: n.created_at, reverse=True)
    ui.label(f"Messages to the client ({len(found)})").classes("text-subtitle2")
    if not found:
        ui.label("Nothing sent about this order yet.").classes("text-caption text-grey-7")
        return
    for message in found:
        parked = message.status is NoticeStatus.PARKED
        row = ui.row().classes("items-start no-wrap gap-2 w-full q-pa-xs rounded fl-message")
        row.props(f"data-status={message.status.value} data-event={message.kind.value}")
        if parked:
            row.classes("bg-red-1")
        with row:
            ui.icon(CHANNEL_ICONS.get(message.channel.value, "mail"), color="blue-grey").classes(
                "q-mt-xs"
            )
            with ui.column().classes("gap-0 min-w-0 col"):
                ui.label(
                    f"{words.humanise(message.kind.value).capitalize()} · {message.channel.value}"
                ).classes("text-body2 text-weight-medium")
                at = message.sent_at or message.created_at
                status = words.STATUS_WORDS[message.status]
                if (
                    message.status is NoticeStatus.QUEUED
                    and message.not_before > message.created_at
                ):
                    status += f" (not before {words.clock(message.not_before, data.zone)})"
                ui.label(f"{status} · {words.moment(at, data.zone, data.today)}").classes(
                    "text-caption "
                    + ("text-negative text-weight-medium" if parked else "text-grey-8")
                )
                ui.label(f"to {message.recipient}").classes("text-caption text-grey-7 break-all")
                if message.last_error and message.status is not NoticeStatus.SENT:
                    ui.label(message.last_error).classes("text-caption text-grey-7 break-words")
            if parked:
                ui.button(
                    "Retry", icon="replay", on_click=lambda _, i=message.id: on_retry(i)
                ).props("dense unelevated color=negative no-caps")


def inquiries(data: CardData) -> None:
    """The client's calls and messages logged about the order, newest first."""
    found = sorted(data.status.inquiries, key=lambda i: i.at, reverse=True)
    ui.label(f"Inquiries ({len(found)})").classes("text-subtitle2")
    if not found:
        ui.label("No inquiry logged yet.").classes("text-caption text-grey-7")
        return
    for inquiry in found:
        with ui.row().classes("items-start no-wrap gap-2 w-full fl-inquiry"):
            ui.icon(CHANNEL_ICONS.get(inquiry.channel.value, "more_horiz"), color="primary")
            with ui.column().classes("gap-0 min-w-0 col"):
                ui.label(inquiry.note or "(no note)").classes("text-body2 break-words")
                by = f" by {inquiry.by}" if inquiry.by else ""
                ui.label(
                    f"{words.humanise(inquiry.channel.value)} · "
                    f"{words.moment(inquiry.at, data.zone, data.today)}{by}"
                ).classes("text-caption text-grey-7")


def history(data: CardData) -> None:
    """What happened to the order, as a timeline (newest first)."""
    entries = sorted(data.status.history, key=lambda e: e.at, reverse=True)
    ui.label(f"History ({len(entries)})").classes("text-subtitle2")
    if not entries:
        ui.label("Nothing happened to this order yet.").classes("text-caption text-grey-7")
        return
    with ui.timeline(side="right", layout="dense").classes("q-pl-sm"):
        for entry in entries:
            ui.timeline_entry(
                entry.detail,
                title=words.humanise(entry.kind).capitalize(),
                subtitle=words.moment(entry.at, data.zone, data.today),
            )
