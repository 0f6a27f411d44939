"""Re-planning policies: per trigger, whether a re-plan applies itself or asks first.

One row per trigger with its policy in force; a change is sent as
:class:`~fleetline.domain.commands.SetReplanPolicy` when the dispatcher saves the row.
A truck running late has its lateness threshold, in minutes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from fleetline.domain import commands
from fleetline.domain.live import ReplanMode, ReplanTrigger
from fleetline.operations.replan_policy import MAX_THRESHOLD_S, MIN_THRESHOLD_S, ReplanPolicy
from fleetline.ui.dispatch_controls.forms import TOGGLE, FieldErrors, number, send

TRIGGER_WORDS = {
    ReplanTrigger.WINDOW_CHANGE: ("A client changes a window", "the stops around it re-planned"),
    ReplanTrigger.URGENT_ORDER: ("An urgent order for today", "placed on the best truck"),
    ReplanTrigger.VEHICLE_LATE: ("A truck runs late", "its remaining stops re-planned"),
    ReplanTrigger.ROAD_CLOSURE: ("A road is closed", "the stops behind it re-planned"),
    ReplanTrigger.BREAKDOWN: ("A truck breaks down", "the best option of its exception"),
    ReplanTrigger.FAILED_DELIVERY: ("A delivery fails", "the best option of its exception"),
}
"""Each trigger: what sets it off, and what its re-plan does."""

MODES = {ReplanMode.AUTO.value: "Apply by itself", ReplanMode.APPROVE.value: "Ask me first"}


class PolicyRow:
    """One trigger's policy: the mode, the threshold (late trucks only), Save."""

    def __init__(self, policy: ReplanPolicy, on_saved: Callable[[], Awaitable[None]]) -> None:
        self.trigger = policy.trigger
        self.on_saved = on_saved
        key = policy.trigger.value
        title, effect = TRIGGER_WORDS[policy.trigger]
        with ui.element("div").classes("fl-policy w-full").props(f'data-testid="policy-{key}"'):
            with ui.column().classes("gap-0 fl-policy-words"):
                ui.label(title).classes("text-weight-medium")
                self.state = (
                    ui.label("")
                    .classes("text-caption text-grey-8")
                    .props(f'data-testid="policy-{key}-state"')
                )
                ui.label(f"Re-plan: {effect}.").classes("text-caption text-grey-7")
            with ui.row().classes("items-start gap-2 no-wrap fl-policy-inputs"):
                self.mode = ui.toggle(MODES, value=policy.mode.value).props(
                    f'{TOGGLE} data-testid="policy-{key}-mode"'
                )
                self.threshold = None
                if policy.trigger is ReplanTrigger.VEHICLE_LATE:
                    minutes = (policy.threshold_s or 1200) / 60
                    self.threshold = (
                        ui.number("Late from (min)", value=minutes, step=1, format="%.0f")
                        .props(f'outlined dense data-testid="policy-{key}-threshold"')
                        .style("width: 9.5rem")
                    )
                self.save = ui.button("Save", on_click=self._save).props(
                    f'unelevated dense color=primary data-testid="policy-{key}-save"'
                )
        self.general = ui.label("").classes("text-negative text-caption")
        fields: dict[str, ui.element] = {"mode": self.mode}
        if self.threshold is not None:
            fields["threshold_s"] = self.threshold
        self.errors = FieldErrors(fields, self.general)
        self.show(policy)

    def show(self, policy: ReplanPolicy) -> None:
        """Show the policy in force (after a save, or when the page refreshes)."""
        words = MODES[policy.mode.value].lower()
        state = f"Now: {words}"
        if policy.threshold_s is not None:
            state += f", from {round(policy.threshold_s / 60)} min late"
        self.state.text = state + (" (default)" if policy.default else "")

    def _threshold_s(self) -> int | None:
        if self.threshold is None:
            return None
        minutes = number(self.threshold.value)
        low, high = MIN_THRESHOLD_S // 60, MAX_THRESHOLD_S // 60
        if minutes is None or minutes != int(minutes) or not low <= minutes <= high:
            self.errors.add("threshold_s", f"Whole minutes from {low} to {high}.")
            return None
        return int(minutes) * 60

    async def _save(self) -> None:
        self.errors.clear()
        if self.mode.value not in MODES:
            self.errors.add("mode", "Choose how its re-plans apply.")
        threshold = self._threshold_s()
        if not self.errors.ok:
            return
        command = commands.SetReplanPolicy(
            trigger=self.trigger, mode=ReplanMode(self.mode.value), threshold_s=threshold
        )
        self.save.disable()
        try:
            policy = await send(command, self.errors)
        finally:
            self.save.enable()
        if policy is None:
            return
        self.show(policy)
        ui.notify(f"{TRIGGER_WORDS[self.trigger][0]}: {MODES[policy.mode.value].lower()}.")
        await self.on_saved()


class PoliciesCard:
    """The card of every trigger's policy.

    Parameters
    ----------
    policies
        The policies in force, one per trigger.
    on_saved
        Called after a policy is saved (the page reads the day again).
    """

    def __init__(
        self, policies: tuple[ReplanPolicy, ...], on_saved: Callable[[], Awaitable[None]]
    ) -> None:
        self.rows: dict[ReplanTrigger, PolicyRow] = {}
        with ui.card().classes("w-full fl-card").props('flat bordered data-testid="policies"'):
            ui.label("Re-planning").classes("text-subtitle1 text-weight-medium")
            ui.label(
                "When something changes the day, Fleetline re-plans around it. Choose per "
                "trigger whether the result applies by itself (only when it makes nothing "
                "worse) or waits for you in the Exceptions inbox."
            ).classes("text-caption text-grey-8")
            ordered = sorted(policies, key=lambda p: list(TRIGGER_WORDS).index(p.trigger))
            for policy in ordered:
                self.rows[policy.trigger] = PolicyRow(policy, on_saved)

    def show(self, policies: tuple[ReplanPolicy, ...]) -> None:
        """Show the policies in force (the forms keep what is being typed)."""
        for policy in policies:
            row = self.rows.get(policy.trigger)
            if row is not None:
                row.show(policy)
