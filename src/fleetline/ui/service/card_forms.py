"""The agent's two actions on an order: log the client's inquiry, write to the client.

Each form checks what it can before sending (the same rules the domain applies), sends
one command through the bus, and puts any refusal next to the field it names.
"""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from fleetline.domain import commands
from fleetline.domain.errors import Conflict, DomainError, InvalidField, NotFound
from fleetline.domain.messages import Notification
from fleetline.operations.client_messages import MAX_TEXT, message_text
from fleetline.ui.context import services

INQUIRY_CHANNELS = {
    "phone": "Phone",
    "email": "Email",
    "chat": "Chat",
    "sms": "SMS",
    "other": "Other",
}
MAX_NOTE = 4000
"""The longest inquiry note (the domain's limit)."""


def _refusal(error: DomainError) -> tuple[str | None, str]:
    """The field a refusal names (if any) and what to tell the agent."""
    if isinstance(error, InvalidField):
        return error.field, error.message
    if isinstance(error, NotFound):
        return None, "This order no longer exists."
    if isinstance(error, Conflict):
        return error.field, str(error)
    return None, str(error)


class InquiryForm:
    """Channel and note, one click: a :class:`~fleetline.domain.commands.LogInquiry`.

    Parameters
    ----------
    order_id
        The order the inquiry is about.
    by
        Who logs it (the signed-in agent's name).
    on_logged
        Called after the inquiry is stored (the card refreshes).
    """

    def __init__(self, order_id: str, by: str, on_logged: Callable[[], None]) -> None:
        self.order_id = order_id
        self.by = by
        self.on_logged = on_logged
        ui.label("Log the client's inquiry").classes("text-subtitle2")
        with ui.row().classes("w-full items-start gap-2 no-wrap"):
            self.channel = ui.select(INQUIRY_CHANNELS, value="phone", label="Channel").props(
                "outlined dense options-dense"
            )
            self.channel.classes("w-32").props('aria-label="Inquiry channel"')
            self.note: ui.textarea = ui.textarea(
                "What did the client ask or say?", on_change=self._note_changed
            ).props("outlined dense autogrow")
            self.note.classes("col").props('aria-label="Inquiry note"')
        self.button = ui.button("Log inquiry", icon="add_comment", on_click=self.submit).props(
            "unelevated color=primary no-caps"
        )

    def _note_changed(self) -> None:
        self.note.error = None

    def submit(self) -> None:
        """Check the note, log the inquiry, clear the note; or show what is wrong."""
        note = (self.note.value or "").strip()
        if not note:
            self.note.error = "Write what the client asked (a few words are enough)."
            return
        if len(note) > MAX_NOTE:
            self.note.error = f"At most {MAX_NOTE:,} characters (this one has {len(note):,})."
            return
        command = commands.LogInquiry(
            order_id=self.order_id, channel=str(self.channel.value), note=note, by=self.by
        )
        try:
            services().bus.handle(command)
        except DomainError as error:
            field, message = _refusal(error)
            target = self.channel if field == "channel" else self.note
            target.error = message
            return
        self.note.value = ""
        self.note.error = None
        ui.notify("Inquiry logged.", type="positive")
        self.on_logged()


class MessageForm:
    """A text to the client, sent on their channels: a ``SendClientMessage``.

    Parameters
    ----------
    order_id
        The order the message is about (its reference and tracking link are added).
    by
        Who writes (the signed-in agent's name).
    on_sent
        Called after the message is queued (the card refreshes).
    """

    def __init__(self, order_id: str, by: str, on_sent: Callable[[], None]) -> None:
        self.order_id = order_id
        self.by = by
        self.on_sent = on_sent
        ui.label("Write to the client").classes("text-subtitle2")
        ui.label(
            "Sent on the client's channels with the order's reference and a tracking link."
        ).classes("text-caption text-grey-7")
        self.text: ui.textarea = ui.textarea("Message", on_change=self._text_changed).props(
            f"outlined dense autogrow counter hint='At most {MAX_TEXT:,} characters'"
        )
        self.text.classes("w-full").props('aria-label="Message to the client"')
        self.button = ui.button("Send message", icon="send", on_click=self.submit).props(
            "unelevated color=primary no-caps"
        )

    def _text_changed(self) -> None:
        self.text.error = None

    def submit(self) -> None:
        """Check the text, queue the message, clear the text; or show what is wrong."""
        try:
            text = message_text(self.text.value or "")
        except InvalidField as error:
            self.text.error = error.message[:1].upper() + error.message[1:] + "."
            return
        command = commands.SendClientMessage(order_id=self.order_id, text=text, by=self.by)
        try:
            queued: list[Notification] = services().bus.handle(command)
        except DomainError as error:
            self.text.error = _refusal(error)[1]
            return
        self.text.value = ""
        self.text.error = None
        channels = " and ".join(n.channel.value for n in queued) or "no new channel"
        ui.notify(f"Message queued ({channels}).", type="positive")
        self.on_sent()
