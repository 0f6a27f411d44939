"""The form of a client account: priority, contact, notification settings, notes.

Checked before it is sent with the domain's rules (an email address, a phone number, an
http(s) webhook, a channel only where the client can be reached on it); a change sends
only what changed (``UpdateClient``), a new account a ``CreateClient``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import time
from typing import Any

from nicegui import ui

from fleetline.domain import commands
from fleetline.domain.errors import InvalidField
from fleetline.domain.model import Channel, Client, Contact, NotificationPreferences
from fleetline.ui.admin.common import CLOCK, FieldErrors, send_form, sentence, text_of

PRIORITIES = {
    1: "1 · highest",
    2: "2 · high",
    3: "3 · normal",
    4: "4 · low",
    5: "5 · lowest",
}
CHANNELS = {"email": "Email", "sms": "SMS", "webhook": "Webhook"}
LOCALES = {"en": "English", "de": "Deutsch", "fr": "Français"}
MAX_NOTES = 5000
_NEEDS = {"email": "email", "sms": "phone", "webhook": "webhook_url"}


class ClientForm:
    """A dialog with a client account's fields; ``on_saved`` gets the stored account.

    Parameters
    ----------
    client
        The account to change; ``None`` to add one.
    on_saved
        Called after the command was handled (the list refreshes).
    """

    def __init__(
        self, client: Client | None, on_saved: Callable[[Client], Awaitable[None]]
    ) -> None:
        self.client = client
        self.on_saved = on_saved
        contact = client.contact if client else Contact()
        prefs = client.preferences if client else NotificationPreferences()
        self.dialog = ui.dialog().props("persistent")
        with self.dialog, ui.card().classes("fl-form-card").props('data-testid="client-form"'):
            ui.label(f"Edit {client.name}" if client else "Add a client").classes("text-h6")
            with ui.element("div").classes("fl-form-grid"):
                self.name = _input("Client name", client.name if client else "")
                self.priority = (
                    ui.select(PRIORITIES, label="Priority", value=client.priority if client else 3)
                    .props('outlined dense aria-label="Priority" data-testid="client-priority"')
                    .classes("w-full")
                )
                self.email = _input("Email", contact.email or "")
                self.phone = _input("Phone", contact.phone or "")
            self.webhook = _input("Webhook URL (optional)", contact.webhook_url or "")
            ui.label("Notifications").classes("text-subtitle2 q-mt-sm")
            self.enabled = ui.switch("Send this client delivery messages", value=prefs.enabled)
            self.enabled.props('aria-label="Messages on"')
            with ui.element("div").classes("fl-form-grid"):
                self.channels = (
                    ui.select(
                        CHANNELS,
                        label="Channels",
                        multiple=True,
                        value=[str(c) for c in prefs.channels],
                    )
                    .props('outlined dense use-chips aria-label="Channels"')
                    .props('data-testid="client-channels"')
                    .classes("w-full")
                )
                self.locale = (
                    ui.select(
                        {
                            **LOCALES,
                            **({prefs.locale: prefs.locale} if prefs.locale not in LOCALES else {}),
                        },
                        label="Language",
                        value=prefs.locale,
                    )
                    .props('outlined dense aria-label="Language" data-testid="client-locale"')
                    .classes("w-full")
                )
                self.quiet_start = _input("Quiet from (HH:MM)", _clock(prefs.quiet_start)).props(
                    'mask="##:##"'
                )
                self.quiet_end = _input("Quiet until (HH:MM)", _clock(prefs.quiet_end)).props(
                    'mask="##:##"'
                )
            self.notes = (
                ui.textarea(
                    "Notes for dispatch and customer service", value=client.notes if client else ""
                )
                .props(f'outlined dense autogrow counter maxlength={MAX_NOTES} aria-label="Notes"')
                .classes("w-full q-mt-sm")
            )
            general = ui.label("").classes("text-negative text-body2").props('role="alert"')
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=self.dialog.close).props("flat no-caps")
                self.save = ui.button("Save", icon="save", on_click=self.submit).props(
                    'unelevated color=primary no-caps data-testid="client-save"'
                )
        widgets: dict[str, Any] = {
            "name": self.name,
            "priority": self.priority,
            "contact.email": self.email,
            "contact.phone": self.phone,
            "contact.webhook_url": self.webhook,
            "contact": self.email,
            "channels": self.channels,
            "preferences": self.channels,
            "quiet_start": self.quiet_start,
            "quiet_end": self.quiet_end,
            "notes": self.notes,
        }
        self.errors = FieldErrors(widgets, general)

    def open(self) -> None:
        """Show the dialog."""
        self.dialog.open()

    def _checked(self) -> dict[str, Any] | None:
        """The form's values in the domain's terms, or ``None`` with errors shown."""
        self.errors.clear()
        ok = True
        name = text_of(self.name)
        if not name or len(name) > 200:
            self.errors.show("name", "Give the client's name (at most 200 characters).")
            ok = False
        contact = {
            "email": text_of(self.email) or None,
            "phone": text_of(self.phone) or None,
            "webhook_url": text_of(self.webhook) or None,
        }
        for field, value in contact.items():
            if value is None:
                continue
            try:
                Contact(**{field: value})
            except InvalidField as error:
                self.errors.show(error.field, sentence(error.message))
                ok = False
        channels = [str(c) for c in self.channels.value or []]
        for channel in channels:
            if contact[_NEEDS[channel]] is None:
                needed = {"email": "an email", "sms": "a phone number", "webhook": "a webhook URL"}
                self.errors.show("channels", f"{CHANNELS[channel]} needs {needed[channel]} above.")
                ok = False
                break
        if self.enabled.value and not channels:
            self.errors.show("channels", "Choose at least one channel, or turn messages off.")
            ok = False
        quiet: dict[str, time | None] = {}
        for field, widget in (("quiet_start", self.quiet_start), ("quiet_end", self.quiet_end)):
            text = text_of(widget)
            if text and not CLOCK.match(text):
                self.errors.show(field, "A time of day as HH:MM, e.g. 21:00.")
                ok = False
            quiet[field] = time.fromisoformat(text) if CLOCK.match(text) else None
        if (quiet["quiet_start"] is None) != (quiet["quiet_end"] is None) and ok:
            missing = "quiet_end" if quiet["quiet_end"] is None else "quiet_start"
            self.errors.show(missing, "Give both ends of the quiet hours, or neither.")
            ok = False
        notes = str(self.notes.value or "")
        if len(notes) > MAX_NOTES:
            self.errors.show("notes", f"At most {MAX_NOTES:,} characters.")
            ok = False
        if not ok:
            return None
        return {
            "name": name,
            "priority": int(self.priority.value or 3),
            "contact": Contact(**contact),
            "preferences": NotificationPreferences(
                channels=tuple(Channel(c) for c in channels),
                locale=str(self.locale.value or "en"),
                quiet_start=quiet["quiet_start"],
                quiet_end=quiet["quiet_end"],
                enabled=bool(self.enabled.value),
            ),
            "notes": notes.strip(),
        }

    async def submit(self) -> None:
        """Check the form, send it, close the dialog; or show what is wrong."""
        values = self._checked()
        if values is None:
            return
        command: commands.Command
        if self.client is None:
            command = commands.CreateClient(**values)
        else:
            changed = {k: v for k, v in values.items() if getattr(self.client, k) != v}
            if not changed:
                self.dialog.close()
                ui.notify("Nothing changed.")
                return
            command = commands.UpdateClient(client_id=self.client.id, **changed)
        stored: Client | None = await send_form(
            command, self.save, self.errors, self.dialog, "{name} saved."
        )
        if stored is None:
            return
        await self.on_saved(stored)


def _clock(moment: time | None) -> str:
    return moment.strftime("%H:%M") if moment else ""


def _input(label: str, value: str) -> ui.input:
    return (
        ui.input(label, value=value).props(f'outlined dense aria-label="{label}"').classes("w-full")
    )
