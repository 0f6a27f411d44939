"""Signing in to the consoles in a real browser."""

from __future__ import annotations

from typing import Any

from .conftest import PHONE, Served, screenshot


def test_a_wrong_token_is_refused_in_words(open_page: Any, served: Served) -> None:
    """A mistyped token: the page says it is unknown and stays on the sign-in form."""
    page = open_page(None, "/login")
    page.get_by_label("Access token").fill("not-a-token")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("This token is unknown or revoked.").wait_for()
    assert page.url.endswith("/login")
    screenshot(page, "sign-in-refused")


def test_a_console_asks_for_sign_in_first(open_page: Any, served: Served) -> None:
    """Opening a console without signing in leads to the sign-in form, phone-sized too."""
    page = open_page(None, "/", PHONE)
    page.wait_for_url("**/login")
    assert page.get_by_role("button", name="Sign in").is_visible()
    screenshot(page, "sign-in-phone")
