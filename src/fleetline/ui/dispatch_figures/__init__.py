"""The dispatcher console's figures: the day's KPIs, their charts, and the last days."""

from __future__ import annotations


def register() -> None:
    """Register the figures page."""
    from fleetline.ui.dispatch_figures import page

    page.register()
