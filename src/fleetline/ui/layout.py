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


def frame(principal: Principal, title: str, *, compact: bool = False) -> None:
    """Draw the header of a console page and the lost-connection banner.

    Parameters
    ----------
    principal
        Who is signed in (their consoles are linked, their name shown).
    title
        The page's title, in the header and the browser tab.
    compact
        A phone-sized header (the driver app).
    """
    ui.page_title(f"{title} · Fleetline")
    ui.add_head_html(_BANNER_SCRIPT)
    ui.html(
        '<div id="fl-offline" role="alert" style="display:none;position:fixed;top:0;left:0;'
        "right:0;z-index:9999;background:#b71c1c;color:white;text-align:center;"
        'padding:6px;font-weight:600">Connection lost: reconnecting… Your last actions '
        "are kept and will be sent.</div>",
        sanitize=False,
    )
    with ui.header(elevated=True).classes("items-center justify-between bg-blue-grey-9 q-px-md"):
        with ui.row().classes("items-center no-wrap gap-4"):
            ui.label("Fleetline").classes("text-h6 text-weight-bold")
            if not compact:
                ui.label(title).classes("text-subtitle1 text-blue-grey-2")
        with ui.row().classes("items-center no-wrap gap-3"):
            if not compact:
                for name, path, roles in CONSOLES:
                    if principal.role in roles:
                        ui.link(name, path).classes("text-white no-underline")
            ui.label(principal.name).classes("text-blue-grey-2 text-caption")
            ui.link("Sign out", "/logout").classes("text-white text-caption")
