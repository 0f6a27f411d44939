"""The frame every console shares.

A header with the consoles of one's role, and a banner when the connection to the
server is lost.
"""

from __future__ import annotations

from nicegui import ui

from fleetline.domain.access import Role
from fleetline.ui.auth import Principal

CONSOLES: tuple[tuple[str, str, frozenset[Role]], ...] = (
    ("Dispatch", "/dispatch", frozenset({Role.DISPATCHER, Role.ADMIN})),
    ("Customer service", "/service", frozenset({Role.AGENT, Role.DISPATCHER, Role.ADMIN})),
    ("Admin", "/admin", frozenset({Role.ADMIN})),
    ("My route", "/driver", frozenset({Role.DRIVER})),
)
"""Each console: its title, its address, the roles it serves."""

_BANNER_SCRIPT = """
<script>
(function () {
  function banner(show) {
    var el = document.getElementById('fl-offline');
    if (el) { el.style.display = show ? 'block' : 'none'; }
  }
  window.addEventListener('offline', function () { banner(true); });
  window.addEventListener('online', function () { banner(false); });
  var tries = 0;
  var watch = setInterval(function () {
    var socket = window.socket;
    if (!socket) { if (++tries > 50) { clearInterval(watch); } return; }
    clearInterval(watch);
    socket.on('disconnect', function () { banner(true); });
    socket.on('connect', function () { banner(false); });
  }, 100);
})();
</script>
"""


HEADER_CSS = """
.fl-header { min-height: 56px; }
.fl-head-brand { min-width: 0; flex: 0 1 auto; }
.fl-head-title { min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.fl-head-name { max-width: 14rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.fl-head-links a { white-space: nowrap; }
.fl-head-menu { display: none !important; }
@media (max-width: 759px) {
  .fl-head-links { display: none !important; }
  .fl-head-menu { display: inline-flex !important; }
  .fl-header .text-h6 { font-size: 1.1rem; }
  .fl-header { padding: 8px 12px !important; }
  .fl-header.fl-has-menu { padding-right: 4px !important; }
}
@media (max-width: 359px) { .fl-head-title { display: none; } }
"""
"""The header in one row at every width: below 760 px the consoles, the name and Sign out
fold into a menu; on the smallest phones the page's title gives way to the menu too."""


def frame(principal: Principal, title: str, *, compact: bool = False) -> None:
    """Draw the header of a console page and the lost-connection banner.

    The header stays one row at every width: on a narrow screen the links to the other
    consoles, the name signed in and Sign out fold into a menu (see :data:`HEADER_CSS`).

    Parameters
    ----------
    principal
        Who is signed in (their consoles are linked, their name shown).
    title
        The page's title, in the header and the browser tab.
    compact
        A phone-sized header (the driver app): the name and Sign out only, no menu.
    """
    ui.page_title(f"{title} · Fleetline")
    ui.add_head_html(_BANNER_SCRIPT)
    ui.add_css(HEADER_CSS)
    ui.html(
        '<div id="fl-offline" role="alert" style="display:none;position:fixed;top:0;left:0;'
        "right:0;z-index:9999;background:#b71c1c;color:white;text-align:center;"
        'padding:6px;font-weight:600">Connection lost: reconnecting… Your last actions '
        "are kept and will be sent.</div>",
        sanitize=False,
    )
    consoles = [(name, path) for name, path, roles in CONSOLES if principal.role in roles]
    with (
        ui.header(elevated=True)
        .classes("fl-header items-center justify-between no-wrap bg-blue-grey-9 q-px-md")
        .classes("" if compact else "fl-has-menu")
        .props('data-testid="console-header"')
    ):
        with ui.row().classes("fl-head-brand items-center no-wrap gap-4"):
            ui.label("Fleetline").classes("fl-head-item text-h6 text-weight-bold")
            if not compact:
                ui.label(title).classes(
                    "fl-head-item fl-head-title text-subtitle1 text-blue-grey-2"
                )
        links = "fl-head-compact" if compact else "fl-head-links"
        with ui.row().classes(f"{links} items-center no-wrap gap-3 shrink-0"):
            if not compact:
                for name, path in consoles:
                    ui.link(name, path).classes("fl-head-item text-white no-underline")
            ui.label(principal.name).classes(
                "fl-head-item fl-head-name text-blue-grey-2 text-caption"
            )
            ui.link("Sign out", "/logout").classes("fl-head-item text-white text-caption")
        if not compact:
            _menu(principal, consoles)


def _menu(principal: Principal, consoles: list[tuple[str, str]]) -> None:
    """The button that holds the header's links on a narrow screen."""
    button = ui.button(icon="menu").props(
        'flat round color=white aria-label="Menu" data-testid="console-menu"'
    )
    button.classes("fl-head-item fl-head-menu shrink-0")
    with button, ui.menu().props('data-testid="console-menu-list"'):
        with ui.item().props("dense"), ui.item_section():
            ui.item_label(principal.name).classes("text-weight-medium")
            ui.item_label(f"Signed in as {principal.role.value}").props("caption")
        ui.separator()
        for name, path in consoles:
            ui.item(name).props(f'clickable href="{path}"')
        ui.separator()
        ui.item("Sign out").props('clickable href="/logout"')
