"""The dispatcher's controls of the day: traffic, a driver's call, the message hold, policies."""

from __future__ import annotations


def register() -> None:
    """Register the controls page."""
    from fleetline.ui.dispatch_controls import page

    page.register()
