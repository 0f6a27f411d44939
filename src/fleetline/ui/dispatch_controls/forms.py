"""What every form of the controls shares: errors next to their field, and the bus.

A form checks what it can in the browser's session before it sends (the same rules the
domain applies), sends one command through the bus in a worker thread, and puts a
refusal next to the field it names, or under the form when it names none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nicegui import ui

from fleetline.domain.errors import Conflict, DomainError, InvalidField, NotFound
from fleetline.ui.context import services
from fleetline.ui.dispatch_edits.reading import in_worker

TOGGLE = "dense no-caps unelevated color=blue-grey-1 text-color=blue-grey-9 toggle-color=primary"
"""Props of a choice between a few options (ui.toggle): each option a visible button."""


def _quoted(text: str) -> str:
    return '"' + text.replace('"', "'") + '"'


class FieldErrors:
    """The error messages of one form: each next to its field, or under the form.

    Parameters
    ----------
    fields
        The form's widgets by the field names the domain uses (the last part of a path
        such as ``area.radius_m`` is enough).
    general
        Where a message naming no known field goes.
    """

    def __init__(self, fields: Mapping[str, ui.element], general: ui.label) -> None:
        self.fields = dict(fields)
        self.general = general
        self.general.set_visibility(False)
        self.count = 0

    def clear(self) -> None:
        """Take every message away."""
        for widget in self.fields.values():
            widget.props(remove="error error-message")
        self.general.text = ""
        self.general.set_visibility(False)
        self.count = 0

    def add(self, field: str | None, message: str) -> None:
        """Show ``message`` next to ``field`` (under the form when no widget has it)."""
        self.count += 1
        widget = None
        if field:
            widget = self.fields.get(field) or self.fields.get(field.rsplit(".", 1)[-1])
        if widget is None:
            self.general.text = message
            self.general.set_visibility(True)
            return
        widget.props(f"error error-message={_quoted(message)}")

    @property
    def ok(self) -> bool:
        """Whether no message was added since the last :meth:`clear`."""
        return self.count == 0

    def refused(self, error: DomainError) -> None:
        """Show the server's refusal next to the field it names."""
        if isinstance(error, InvalidField):
            self.add(error.field, error.message)
        elif isinstance(error, Conflict | NotFound):
            self.add(error.field, str(error))
        else:
            self.add(None, str(error))


async def send(command: Any, errors: FieldErrors) -> Any | None:
    """Handle ``command`` on the bus; on a refusal show it and return ``None``."""
    try:
        return await in_worker(services().bus.handle, command)
    except DomainError as error:
        errors.refused(error)
        return None


def number(value: Any) -> float | None:
    """A field's value as a finite number, ``None`` when empty or not a number."""
    if value is None or value == "":
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if result == result and abs(result) != float("inf") else None
