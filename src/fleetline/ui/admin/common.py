"""What every admin form shares: work off the page's loop, and errors next to their field.

A form checks what it can before it sends (the rules the domain applies), sends one
command through the bus in a worker thread, and puts a refusal next to the field it
names; what names no field is shown under the form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from nicegui import ui

from fleetline.domain.access import Role
from fleetline.domain.commands import Command
from fleetline.domain.errors import Conflict, DomainError, InvalidField, NotFound
from fleetline.ui.auth import current
from fleetline.ui.context import services
from fleetline.ui.dispatch_edits.reading import in_worker as in_worker  # one for every console

CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
"""A local time of day as the forms take it: ``HH:MM``."""


class SignedOut(DomainError):
    """The admin's token was revoked (or their role changed) since the page was opened."""

    def __init__(self) -> None:
        super().__init__("your sign-in is no longer valid: sign in again")


async def send(command: Command) -> Any:
    """Handle ``command`` on the bus in a worker thread and return its result.

    The sender's token is checked first, so a token revoked while its page was open
    changes nothing more.

    Raises
    ------
    SignedOut
        When the browser's token no longer signs an admin in (the page goes to sign-in).
    """
    principal = current()
    if principal is None or principal.role is not Role.ADMIN:
        ui.navigate.to("/login")
        raise SignedOut
    return await in_worker(services().bus.handle, command)


async def send_form(
    command: Command, save: Any, errors: FieldErrors, dialog: Any, saved: str
) -> Any | None:
    """Send a dialog's command with its Save button held; close it and say so when stored.

    Parameters
    ----------
    command
        What the form asks for.
    save
        The dialog's Save button (off while the command is handled).
    errors
        Where a refusal is shown, next to the field it names.
    dialog
        Closed when the command is stored.
    saved
        What to tell the admin then, given the result's ``name`` as ``{name}``.

    Returns
    -------
    object or None
        The command's result; ``None`` when it was refused (the refusal is shown).
    """
    save.disable()
    try:
        stored = await send(command)
    except DomainError as error:
        errors.refused(error)
        return None
    finally:
        save.enable()
    dialog.close()
    ui.notify(saved.format(name=getattr(stored, "name", "")), type="positive")
    return stored


def sentence(message: str) -> str:
    """A domain message as a sentence: ``must not be empty`` -> ``Must not be empty.``."""
    text = message.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def refusal(error: DomainError) -> tuple[str, str]:
    """The field a refusal names (``""`` when none) and the sentence to show."""
    if isinstance(error, InvalidField):
        return error.field, sentence(error.message)
    if isinstance(error, NotFound):
        return error.field or "", sentence(str(error).replace("'", ""))
    if isinstance(error, Conflict):
        return error.field or "", sentence(str(error))
    return "", sentence(str(error))


class FieldErrors:
    """The widgets of a form by the field names the domain uses, and a line for the rest.

    Parameters
    ----------
    widgets
        Each domain field (``name``, ``contact.email``, ``capacity.pallets``) and its widget.
    general
        Where an error that names no widget is written.
    """

    def __init__(self, widgets: Mapping[str, Any], general: ui.label) -> None:
        self.widgets = dict(widgets)
        self.general = general
        for widget in self.widgets.values():
            # An error stays until the next Save: NiceGUI would otherwise wipe it on the
            # value echo that follows a blur (a number input reformatting its value).
            if hasattr(widget, "without_auto_validation"):
                widget.without_auto_validation()

    def clear(self) -> None:
        """Remove every error shown."""
        for widget in self.widgets.values():
            widget.error = None
        self.general.text = ""

    def show(self, field: str, message: str) -> None:
        """Show ``message`` next to ``field``'s widget (or under the form)."""
        widget = self.widgets.get(field)
        if widget is None:
            widget = self.widgets.get(field.split(".")[0])
        if widget is None:
            self.general.text = message
            return
        widget.error = message

    def refused(self, error: DomainError) -> None:
        """Show the server's refusal next to the field it names."""
        field, message = refusal(error)
        self.show(field, message)


def text_of(widget: Any) -> str:
    """The stripped text of an input (``""`` when empty)."""
    return str(widget.value or "").strip()


def local(moment: datetime | None, zone: tzinfo, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A moment as the admin reads it, in the company's zone (``—``: none)."""
    if moment is None:
        return "—"
    return moment.astimezone(zone).strftime(pattern)


def quoted(text: str) -> str:
    """Text safe inside a Quasar prop written as ``name="..."``."""
    return '"' + text.replace('"', "'") + '"'


def section_title(title: str, caption: str) -> None:
    """The title and one line of help above a section."""
    with ui.column().classes("gap-0"):
        ui.label(title).classes("text-h6")
        ui.label(caption).classes("text-body2 text-grey-7")
