"""The dispatcher's decisions: the exceptions inbox, manual edits and plan versions."""

from __future__ import annotations


def register() -> None:
    """Register the exceptions inbox and the plan page."""
    from fleetline.ui.dispatch_edits import exceptions_page, plan_page

    exceptions_page.register()
    plan_page.register()
