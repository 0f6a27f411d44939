"""Who is using a console: signing in with a Fleetline token, per browser.

A person signs in with the bearer token an admin gave them (or a link holding it, as
the demo prints). The browser's session then holds who they are (token id, name, role,
driver) in NiceGUI's per-user storage; every page checks the role it needs, and a token
revoked since is refused at the next page load.
"""

from __future__ import annotations

from dataclasses import dataclass

from nicegui import app, ui

from fleetline.domain.access import Role
from fleetline.operations.access import authenticate
from fleetline.ui.context import services

HOME_OF = {
    Role.ADMIN: "/admin",
    Role.DISPATCHER: "/dispatch",
    Role.AGENT: "/service",
    Role.DRIVER: "/driver",
    Role.INTEGRATION: "/login",
}
"""Where each role lands after signing in."""

_KEY = "principal"


@dataclass(frozen=True, slots=True)
class Principal:
    """The person signed in to this browser."""

    token_id: str
    name: str
    role: Role
    driver_id: str | None
    secret: str
    """Their bearer token, so a page may call the API from the browser (the driver app's
    offline queue does)."""


def sign_in(secret: str) -> Principal | None:
    """Check ``secret`` and remember its holder in this browser; ``None`` when refused."""
    secret = secret.strip()
    if not secret or len(secret) > 200:
        return None
    with services().uow_factory() as uow:
        token = authenticate(uow, secret)
    if token is None:
        return None
    app.storage.user[_KEY] = {
        "token_id": token.id,
        "name": token.name,
        "role": token.role.value,
        "driver_id": token.driver_id,
        "secret": secret,
    }
    return current()


def sign_out() -> None:
    """Forget who is signed in to this browser."""
    app.storage.user.pop(_KEY, None)


def current() -> Principal | None:
    """Return who is signed in to this browser, if their token is still valid."""
    stored = app.storage.user.get(_KEY)
    if not stored:
        return None
    with services().uow_factory() as uow:
        token = authenticate(uow, stored["secret"])
    if token is None or token.id != stored["token_id"]:
        sign_out()
        return None
    return Principal(
        token_id=token.id,
        name=token.name,
        role=token.role,
        driver_id=token.driver_id,
        secret=stored["secret"],
    )


def require(*roles: Role) -> Principal | None:
    """Return the signed-in person if their role is one of ``roles``.

    Otherwise send the browser to the sign-in page (not signed in) or say the page is not
    for them, and return ``None``: the page then builds nothing more.
    """
    principal = current()
    if principal is None:
        ui.navigate.to("/login")
        return None
    if principal.role not in roles:
        with ui.column().classes("w-full items-center q-pa-xl"):
            ui.label("This page is not part of your role.").classes("text-h6")
            ui.link("Go to your console", HOME_OF[principal.role])
        return None
    return principal
