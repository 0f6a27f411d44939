"""The services the consoles act on.

NiceGUI keeps its pages in one process-wide application, so the pages find the
services of the running server here rather than in a closure: :func:`use` is called
once by :func:`fleetline.ui.mount.mount_consoles`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fleetline.bootstrap import Services

_current: list[Services] = []


def use(services: Services) -> None:
    """Make ``services`` the ones every console page acts on."""
    _current[:] = [services]


def services() -> Services:
    """Return the services of the running server.

    Raises
    ------
    RuntimeError
        When the consoles were not mounted on a server.
    """
    if not _current:
        raise RuntimeError("the consoles are not mounted on a server")
    return _current[0]
