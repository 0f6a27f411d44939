"""Every console's header is one row at a desk and on a phone: nothing wraps, nothing
overlaps, nothing is cut off; on a phone the links fold into a menu that still leads to
every console of the role and to Sign out."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import DESKTOP, PHONE, Served, screenshot

PAGES = [
    ("admin", "/dispatch", "dispatch"),
    ("admin", "/dispatch/exceptions", "exceptions"),
    ("admin", "/dispatch/plan", "plan"),
    ("admin", "/dispatch/controls", "controls"),
    ("admin", "/dispatch/figures", "figures"),
    ("admin", "/service", "service"),
    ("agent", "/service", "service-agent"),
    ("admin", "/admin", "admin"),
    ("driver", "/driver", "driver"),
]
"""Each page: who opens it (an admin has the most links), its address, its picture's name."""

ONE_ROW_PX = 64
"""The tallest a header of one row may be."""

_ITEMS = """
header => [...header.querySelectorAll('.fl-head-item')]
  .filter(el => el.offsetParent !== null && el.getBoundingClientRect().width > 0)
  .map(el => {
    const box = el.getBoundingClientRect();
    return {text: el.innerText.trim(), x: box.x, y: box.y, w: box.width, h: box.height,
            clipped: el.scrollWidth > el.clientWidth + 1};
  })
"""


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (
        a["x"] < b["x"] + b["w"] - 0.5
        and b["x"] < a["x"] + a["w"] - 0.5
        and a["y"] < b["y"] + b["h"] - 0.5
        and b["y"] < a["y"] + a["h"] - 0.5
    )


def _check_one_row(page: Any, size: dict[str, int]) -> list[dict[str, Any]]:
    header = page.get_by_test_id("console-header")
    header.wait_for()
    box = header.bounding_box()
    assert box is not None
    assert box["height"] <= ONE_ROW_PX, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"] + 0.5, box
    items: list[dict[str, Any]] = header.evaluate(_ITEMS)
    assert len(items) >= 2, items
    for item in items:
        assert item["x"] >= 0 and item["x"] + item["w"] <= size["width"] + 0.5, item
        assert box["y"] <= item["y"] and item["y"] + item["h"] <= box["y"] + box["height"], item
    centres = [item["y"] + item["h"] / 2 for item in items]
    assert max(centres) - min(centres) <= 8, items  # one row, not two
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            assert not _overlap(a, b), (a, b)
    assert not any(i["clipped"] for i in items if i["text"] in {"Fleetline", "Sign out"}), items
    nav = page.locator(".fl-nav")
    if nav.count():  # the dispatcher console's sections and day, under the header
        sections = nav.first.evaluate(
            "el => ({fits: el.scrollWidth <= el.clientWidth + 1,"
            " right: Math.max(...[...el.querySelectorAll('a, .q-field')]"
            ".map(c => c.getBoundingClientRect().right)),"
            " top: el.getBoundingClientRect().top})"
        )
        assert sections["fits"] and sections["right"] <= size["width"] + 0.5, sections
        assert sections["top"] >= box["y"] + box["height"] - 0.5, sections
    content = page.locator(".q-page-container")
    top = content.evaluate("el => parseFloat(getComputedStyle(el).paddingTop)")
    assert top >= box["height"] - 0.5, (top, box)  # the page starts below the header
    return items


@pytest.mark.parametrize(("role", "path", "name"), PAGES, ids=[p[2] for p in PAGES])
def test_on_a_phone_the_header_is_one_row_and_its_menu_holds_the_links(
    open_page: Any, served: Served, role: str, path: str, name: str
) -> None:
    """At 390 px the header is one row of boxes that do not overlap; the staff consoles
    fold their links into a menu, which opens over the page with every console of the
    role and Sign out."""
    page = open_page(role, path, PHONE)
    items = _check_one_row(page, PHONE)
    texts = {item["text"] for item in items}
    if role == "driver":
        assert "Sign out" in texts and page.get_by_test_id("console-menu").count() == 0
        screenshot(page, f"header-{name}-phone")
        return
    header = page.get_by_test_id("console-header")
    assert "Sign out" not in texts
    assert not header.get_by_role("link", name="Customer service").is_visible()
    screenshot(page, f"header-{name}-phone")
    page.get_by_test_id("console-menu").click()
    menu = page.get_by_test_id("console-menu-list")
    menu.wait_for()
    expected = (
        ["Customer service"] if role == "agent" else ["Dispatch", "Customer service", "Admin"]
    )
    for console in [*expected, "Sign out"]:
        assert menu.get_by_text(console, exact=True).is_visible(), console
    if role == "agent":
        assert menu.get_by_text("Dispatch", exact=True).count() == 0
    page.wait_for_timeout(300)  # let the menu finish opening before the picture
    screenshot(page, f"header-{name}-phone-menu")
    page.keyboard.press("Escape")


@pytest.mark.parametrize(("role", "path", "name"), PAGES, ids=[p[2] for p in PAGES])
def test_at_a_desk_the_header_is_one_row_with_its_links_in_view(
    open_page: Any, served: Served, role: str, path: str, name: str
) -> None:
    """At 1440 px the same holds with the links, the name and Sign out in the header and
    no menu button."""
    page = open_page(role, path, DESKTOP)
    texts = {item["text"] for item in _check_one_row(page, DESKTOP)}
    assert "Sign out" in texts
    if role == "admin":
        assert {"Dispatch", "Customer service", "Admin"} <= texts
    assert not page.get_by_test_id("console-menu").is_visible()
    screenshot(page, f"header-{name}-desktop")


def test_a_console_chosen_in_the_phone_menu_opens(open_page: Any, served: Served) -> None:
    """From the dispatcher console on a phone, the menu's Customer service opens it."""
    page = open_page("admin", "/dispatch", PHONE)
    page.get_by_test_id("console-menu").click()
    page.get_by_test_id("console-menu-list").get_by_text("Customer service", exact=True).click()
    page.wait_for_url("**/service")
    _check_one_row(page, PHONE)


@pytest.mark.parametrize("width", [360, 600, 760, 1024])
def test_between_a_phone_and_a_desk_the_header_stays_one_row(
    open_page: Any, served: Served, width: int
) -> None:
    """The longest title with the most links, at the widths of small phones and tablets,
    either side of where the links fold into the menu."""
    size = {"width": width, "height": 900}
    page = open_page("admin", "/service", size)
    _check_one_row(page, size)
    assert page.get_by_test_id("console-menu").is_visible() is (width < 760)
