"""Tokens: who may sign in, by role and name; create one (its secret shown once), revoke one."""

from __future__ import annotations

from nicegui import ui

from fleetline.domain import commands
from fleetline.domain.access import ApiToken, Role
from fleetline.domain.errors import DomainError
from fleetline.operations.admin_tokens import IssuedToken
from fleetline.ui.admin.common import (
    FieldErrors,
    in_worker,
    local,
    refusal,
    section_title,
    send,
    text_of,
)
from fleetline.ui.admin.reading import Access, read_access
from fleetline.ui.auth import Principal

ROLE_WORDS = {
    Role.ADMIN: "Admin",
    Role.DISPATCHER: "Dispatcher",
    Role.AGENT: "Customer service",
    Role.DRIVER: "Driver",
    Role.INTEGRATION: "Integration (machine)",
}


class TokensPanel:
    """The tokens section.

    Parameters
    ----------
    principal
        The admin signed in (their own token cannot be revoked here).
    base_url
        The address people sign in at, shown with a new token.
    """

    def __init__(self, principal: Principal, base_url: str) -> None:
        self._principal = principal
        self._base_url = base_url.rstrip("/")
        self._access: Access | None = None
        with ui.row().classes("w-full items-end justify-between gap-2"):
            section_title("Tokens", "Each person or system signs in with a token of its own.")
            ui.button("Create a token", icon="key", on_click=self._open_new).props(
                'unelevated color=primary no-caps data-testid="token-add"'
            )
        self._show_revoked = ui.switch("Show revoked tokens", on_change=lambda: self._draw())
        self._list = ui.column().classes("w-full gap-0")
        self._dialogs = ui.element("div")

    async def load(self) -> None:
        """Read the tokens and draw the list."""
        self._access = await in_worker(read_access)
        self._draw()

    def _draw(self) -> None:
        access = self._access
        self._list.clear()
        if access is None:
            return
        shown = [t for t in access.tokens if self._show_revoked.value or not t.revoked]
        drivers = {d.id: d.name for d in access.drivers}
        with self._list:
            if not shown:
                ui.label("No tokens.").classes("text-grey-7 q-pa-sm")
                return
            with ui.list().props("bordered separator").classes("w-full rounded-borders"):
                for token in shown:
                    self._row(token, drivers, access)

    def _row(self, token: ApiToken, drivers: dict[str, str], access: Access) -> None:
        with ui.item().classes("fl-admin-row").props(f'data-token="{token.name}"'):
            with ui.item_section():
                with ui.row().classes("items-center gap-2"):
                    ui.item_label(token.name).classes("text-weight-medium")
                    ui.badge(ROLE_WORDS[token.role], color="blue-grey").props("outline")
                    if token.revoked:
                        ui.badge("revoked", color="negative").props("outline")
                    if token.id == self._principal.token_id:
                        ui.badge("you", color="primary")
                made = f"Created {local(token.created_at, access.zone)}"
                if token.driver_id:
                    made += f" · for {drivers.get(token.driver_id, token.driver_id)}"
                if token.revoked_at:
                    made += f" · revoked {local(token.revoked_at, access.zone)}"
                ui.item_label(made).props("caption")
            with ui.item_section().props("side"):
                if not token.revoked:
                    button = ui.button(
                        "Revoke", icon="block", on_click=lambda _e, t=token: self._confirm(t)
                    ).props(f'flat no-caps color=negative aria-label="Revoke {token.name}"')
                    if token.id == self._principal.token_id:
                        button.disable()
                        button.tooltip("You are signed in with this token")

    # --- creating --------------------------------------------------------------------------

    def _open_new(self) -> None:
        access = self._access
        if access is None:
            return
        self._dialogs.clear()
        with (
            self._dialogs,
            ui.dialog().props("persistent") as dialog,
            ui.card().classes("fl-form-card").props('data-testid="token-form"'),
        ):
            ui.label("Create a token").classes("text-h6")
            role = (
                ui.select(
                    {r.value: ROLE_WORDS[r] for r in Role},
                    label="Role",
                    value=Role.DISPATCHER.value,
                )
                .props('outlined dense aria-label="Role" data-testid="token-role"')
                .classes("w-full")
            )
            name = (
                ui.input("Name (who or what holds it)")
                .props('outlined dense aria-label="Token name" hint="e.g. Anna, morning desk"')
                .classes("w-full")
            )
            driver = (
                ui.select(
                    {d.id: d.name for d in access.drivers},
                    label="Driver",
                    with_input=True,
                )
                .props('outlined dense aria-label="Driver" data-testid="token-driver"')
                .classes("w-full")
            )
            driver.bind_visibility_from(role, "value", value=Role.DRIVER.value)
            general = ui.label("").classes("text-negative text-body2").props('role="alert"')
            errors = FieldErrors(
                {"role": role, "name": name, "driver_id": driver, "driver": driver}, general
            )

            async def create() -> None:
                errors.clear()
                chosen = str(role.value or "")
                label = text_of(name)
                ok = True
                if not label or len(label) > 200:
                    errors.show("name", "Say who or what will use it (at most 200 characters).")
                    ok = False
                if chosen == Role.DRIVER.value and not driver.value:
                    errors.show("driver_id", "Choose the driver whose phone it is for.")
                    ok = False
                if not ok:
                    return
                command = commands.IssueToken(
                    role=chosen,
                    name=label,
                    driver_id=str(driver.value) if chosen == Role.DRIVER.value else None,
                )
                try:
                    issued: IssuedToken = await send(command)
                except DomainError as error:
                    errors.refused(error)
                    return
                dialog.close()
                self._show_secret(issued)
                await self.load()

            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=dialog.close).props("flat no-caps")
                ui.button("Create", icon="key", on_click=create).props(
                    'unelevated color=primary no-caps data-testid="token-create"'
                )
        dialog.open()

    def _show_secret(self, issued: IssuedToken) -> None:
        link = f"{self._base_url}/login?token={issued.secret}"
        with (
            self._dialogs,
            ui.dialog().props("persistent") as dialog,
            ui.card().classes("fl-form-card").props('data-testid="token-secret"'),
        ):
            ui.label(f"Token for {issued.token.name}").classes("text-h6")
            ui.label(
                "Copy it now and hand it over safely: it is shown only this once and "
                "cannot be read again."
            ).classes("text-body2 text-negative")
            with ui.row().classes("w-full items-center no-wrap gap-2"):
                secret = ui.input("Token", value=issued.secret).props(
                    'outlined dense readonly aria-label="New token"'
                )
                secret.classes("col font-mono")
                ui.button(
                    icon="content_copy", on_click=lambda: _copy(issued.secret, "Token")
                ).props('flat round color=primary aria-label="Copy token"').tooltip("Copy")
            if issued.token.role is not Role.INTEGRATION:
                ui.label("Or send this sign-in link:").classes("text-caption text-grey-8")
                with ui.row().classes("w-full items-center no-wrap gap-2"):
                    ui.label(link).classes("col text-caption font-mono ellipsis")
                    ui.button(icon="link", on_click=lambda: _copy(link, "Sign-in link")).props(
                        'flat round color=primary aria-label="Copy sign-in link"'
                    )
            with ui.row().classes("w-full justify-end"):
                ui.button("Done", on_click=dialog.close).props(
                    'unelevated color=primary no-caps data-testid="token-done"'
                )
        dialog.open()

    # --- revoking --------------------------------------------------------------------------

    def _confirm(self, token: ApiToken) -> None:
        self._dialogs.clear()
        with (
            self._dialogs,
            ui.dialog() as dialog,
            ui.card().classes("fl-form-card").props('data-testid="token-revoke-confirm"'),
        ):
            ui.label(f"Revoke {token.name}?").classes("text-h6")
            ui.label(
                f"Requests with this {ROLE_WORDS[token.role].lower()} token are refused at "
                "once, and a console signed in with it is signed out at its next page."
            ).classes("text-body2")
            problem = ui.label("").classes("text-negative text-body2").props('role="alert"')

            async def revoke() -> None:
                command = commands.RevokeToken(
                    token_id=token.id, by_token_id=self._principal.token_id
                )
                try:
                    await send(command)
                except DomainError as error:
                    problem.text = refusal(error)[1]
                    return
                dialog.close()
                ui.notify(f"{token.name} revoked.", type="positive")
                await self.load()

            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Keep it", on_click=dialog.close).props("flat no-caps")
                ui.button("Revoke", icon="block", on_click=revoke).props(
                    'unelevated color=negative no-caps data-testid="token-revoke-go"'
                )
        dialog.open()


def _copy(text: str, what: str) -> None:
    ui.clipboard.write(text)
    ui.notify(f"{what} copied.", type="positive")
