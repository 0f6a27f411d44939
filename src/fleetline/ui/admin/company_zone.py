"""The company's time zone in the admin console: shown with where it came from, and its form.

The zone says what "today" is for the company and how local times are shown and read
(order files' too); a depot's own zone governs only its trucks' shifts. The form checks
the zone against the list before it sends ``SetCompanyTimezone``, and shows the
server's refusal (a day still dispatched) next to the field.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from nicegui import ui

from fleetline.domain import commands
from fleetline.domain.company import CompanyZone, ZoneSource
from fleetline.domain.model import Depot
from fleetline.ui.admin.common import FieldErrors, local, send_form
from fleetline.ui.admin.depot_form import zone_names
from fleetline.ui.auth import current


def company_zone_choices() -> list[str]:
    """The zones the company may take: UTC, then every IANA zone name."""
    return ["UTC", *zone_names()]


def zone_origin(company: CompanyZone, depots: Sequence[Depot]) -> str:
    """Where the company's zone came from, as an admin reads it."""
    names = {depot.id: depot.name for depot in depots}
    depot = names.get(company.depot_id or "", "a depot since renamed or removed")
    when = local(company.changed_at, company.zone, "%Y-%m-%d")
    if company.source is ZoneSource.FIRST_DEPOT:
        return f"Taken from {depot}, the first depot created ({when})."
    if company.source is ZoneSource.EARLIER_RULE:
        return f"Kept from {depot} when the setting was introduced ({when})."
    if company.source is ZoneSource.ADMIN:
        return f"Set by {company.changed_by or 'an admin'} ({when})."
    return "UTC until the first depot is created, unless you choose one now."


def company_zone_row(
    company: CompanyZone, depots: Sequence[Depot], on_edit: Callable[[], None]
) -> None:
    """One row: the company's time zone, where it came from, and a button to change it."""
    with (
        ui.row()
        .classes("w-full items-center no-wrap gap-2 q-pt-sm")
        .props('data-testid="company-zone"')
    ):
        ui.icon("schedule", color="blue-grey-7")
        with ui.column().classes("gap-0 col"):
            ui.label(f"Company time zone: {company.timezone}").classes("text-subtitle2")
            ui.label(
                f"{zone_origin(company, depots)} Today and every local time follow it; "
                "renaming or adding a depot never changes it."
            ).classes("text-body2 text-grey-8")
        ui.button(icon="edit", on_click=on_edit).props(
            'flat round color=primary aria-label="Edit company time zone"'
        ).tooltip("Change the company's time zone")


class CompanyZoneForm:
    """A dialog to change the company's time zone; ``on_saved`` gets the stored zone.

    Parameters
    ----------
    company
        The zone in force.
    on_saved
        Called after the new zone was stored (the section refreshes).
    """

    def __init__(
        self, company: CompanyZone, on_saved: Callable[[CompanyZone], Awaitable[None]]
    ) -> None:
        self.company = company
        self.on_saved = on_saved
        self.dialog = ui.dialog().props("persistent")
        with (
            self.dialog,
            ui.card().classes("fl-form-card").props('data-testid="company-zone-form"'),
        ):
            ui.label("Company time zone").classes("text-h6")
            ui.label(
                "What today is for the company, and how local times are shown and read "
                "(order files too). A depot's own zone governs only its trucks' shifts."
            ).classes("text-body2 text-grey-8")
            self.zone = (
                ui.select(
                    company_zone_choices(),
                    label="Time zone",
                    value=company.timezone,
                    with_input=True,
                )
                .props('outlined dense aria-label="Time zone" data-testid="company-zone-select"')
                .classes("w-full")
            )
            general = ui.label("").classes("text-negative text-body2").props('role="alert"')
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=self.dialog.close).props("flat no-caps")
                self.save = ui.button("Save", icon="save", on_click=self.submit).props(
                    'unelevated color=primary no-caps data-testid="company-zone-save"'
                )
        self.errors = FieldErrors({"timezone": self.zone}, general)

    def open(self) -> None:
        """Show the dialog."""
        self.dialog.open()

    def _command(self) -> commands.SetCompanyTimezone | None:
        self.errors.clear()
        zone = self.zone.value
        if zone not in company_zone_choices():
            self.errors.show("timezone", "Choose a time zone from the list.")
            return None
        principal = current()
        return commands.SetCompanyTimezone(
            timezone=str(zone), by=principal.name if principal else ""
        )

    async def submit(self) -> None:
        """Check the form, send it, close the dialog; or show what is wrong."""
        command = self._command()
        if command is None:
            return
        if command.timezone == self.company.timezone and self.company.changed_at is not None:
            self.dialog.close()
            return
        done = f"The company's time zone is now {command.timezone}."
        stored: CompanyZone | None = await send_form(
            command, self.save, self.errors, self.dialog, done
        )
        if stored is None:
            return
        await self.on_saved(stored)
