"""Signing in and out, and the landing page."""

from __future__ import annotations

from nicegui import ui

from fleetline.ui.auth import HOME_OF, current, sign_in, sign_out


def register() -> None:
    """Register the sign-in, sign-out and landing pages."""

    @ui.page("/login")
    def login_page(token: str | None = None) -> None:
        ui.page_title("Sign in · Fleetline")
        if token:
            principal = sign_in(token)
            if principal is not None:
                ui.navigate.to(HOME_OF[principal.role])
                return
        with ui.column().classes("absolute-center items-stretch w-96 max-w-full q-pa-md"):
            ui.label("Fleetline").classes("text-h4 text-weight-bold text-blue-grey-9")
            ui.label("Sign in with the access token your administrator gave you.").classes(
                "text-body2 text-grey-8"
            )
            field = ui.input("Access token", password=True, password_toggle_button=True).props(
                "outlined autofocus"
            )
            problem = ui.label("").classes("text-negative text-body2")
            if token:
                problem.text = "That link is no longer valid."

            def attempt() -> None:
                principal = sign_in(field.value or "")
                if principal is None:
                    problem.text = "This token is unknown or revoked."
                    field.props("error")
                    return
                ui.navigate.to(HOME_OF[principal.role])

            field.on("keydown.enter", attempt)
            ui.button("Sign in", on_click=attempt).props("unelevated color=primary")

    @ui.page("/logout")
    def logout_page() -> None:
        sign_out()
        ui.navigate.to("/login")

    @ui.page("/")
    def landing_page() -> None:
        principal = current()
        ui.navigate.to(HOME_OF[principal.role] if principal else "/login")
