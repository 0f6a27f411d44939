"""The message hold: stop client messages during a major incident, and let them go.

Shows whether messages are held, by whom, since when and why, and how many messages
wait in the outbox; holding needs a reason, releasing lets the waiting ones leave.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from fleetline.domain import commands
from fleetline.operations.message_hold import MAX_REASON
from fleetline.ui.dispatch_controls.forms import FieldErrors, send
from fleetline.ui.dispatch_controls.reading import ControlsLook, clock


class HoldCard:
    """The hold's state and the one button that changes it.

    Parameters
    ----------
    by
        Who holds or releases (the signed-in dispatcher's name).
    on_changed
        Called after the hold changed (the page reads the day again).
    """

    def __init__(self, by: str, on_changed: Callable[[], Awaitable[None]]) -> None:
        self.by = by
        self.on_changed = on_changed
        self.held = False
        with ui.card().classes("w-full fl-card").props('flat bordered data-testid="hold"'):
            with ui.row().classes("w-full items-center justify-between no-wrap"):
                ui.label("Client messages").classes("text-subtitle1 text-weight-medium")
                self.badge = ui.badge("").props('data-testid="hold-badge"')
            self.state = ui.label("").classes("text-body2").props('data-testid="hold-state"')
            self.waiting = (
                ui.label("").classes("text-caption text-grey-8").props('data-testid="hold-waiting"')
            )
            self.reason = (
                ui.input(
                    "Reason (clients are not told)",
                    placeholder="e.g. Flooding on the A13: ETAs unreliable",
                )
                .props(f'outlined dense maxlength={MAX_REASON} data-testid="hold-reason"')
                .classes("w-full")
            )
            self.general = ui.label("").classes("text-negative text-caption")
            self.button = ui.button("", on_click=self._toggle).props(
                'unelevated data-testid="hold-toggle"'
            )
        self.errors = FieldErrors({"reason": self.reason}, self.general)

    def show(self, look: ControlsLook) -> None:
        """Show the hold as it stands."""
        hold = look.hold
        self.held = hold.held
        count = f"{look.waiting:,}"
        noun = "message waits" if look.waiting == 1 else "messages wait"
        if hold.held:
            since = clock(hold.since, look.zone)
            self.state.text = f"Held since {since} by {hold.by or 'someone'}: {hold.reason}"
            self.badge.text = "Held"
            self.badge.props("color=negative")
            self.waiting.text = f"{count} {noun} to be sent when you release them."
            self.button.text = "Release messages"
            self.button.props("color=positive")
            self.reason.set_visibility(False)
        else:
            self.state.text = "Messages go out as usual: delay warnings, ETAs, tracking links."
            if hold.since is not None:
                self.state.text += (
                    f" Last released at {clock(hold.since, look.zone)} by {hold.by or 'someone'}."
                )
            self.badge.text = "Flowing"
            self.badge.props("color=positive")
            self.waiting.text = f"{count} {noun} in the outbox for their time."
            self.button.text = "Hold messages"
            self.button.props("color=negative")
            self.reason.set_visibility(True)

    async def _toggle(self) -> None:
        self.errors.clear()
        holding = not self.held
        reason = str(self.reason.value or "").strip()
        if holding and not reason:
            self.errors.add("reason", "Say why messages are held (e.g. the incident).")
        if len(reason) > MAX_REASON:
            self.errors.add("reason", f"At most {MAX_REASON} characters.")
        if not self.errors.ok:
            return
        command = commands.SetMessageHold(
            held=holding, reason=reason if holding else "", by=self.by
        )
        self.button.disable()
        try:
            hold = await send(command, self.errors)
        finally:
            self.button.enable()
        if hold is None:
            return
        if not holding:
            self.reason.value = ""
        ui.notify("Client messages held." if holding else "Client messages released.")
        await self.on_changed()
