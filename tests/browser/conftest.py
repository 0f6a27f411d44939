"""A served Fleetline with a planned, dispatched day, and Debian's Chromium to look at it.

One server per test session (NiceGUI keeps one application per process): a synthetic
company of 4 trucks and 40 orders on a SQLite file, its day planned and dispatched, the
clock fixed at 08:30 local so that the live picture holds still while a test looks at it.
Tests make what they change themselves and do not rely on one another's changes.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import uvicorn

from fleetline.bootstrap import Services, bootstrap
from fleetline.clock import FixedClock
from fleetline.domain import commands
from fleetline.domain.access import Role
from fleetline.domain.model import PlanStatus
from fleetline.operations.access import issue_token
from fleetline.server import build_app
from fleetline.settings import Settings
from fleetline.sim.company import CompanySpec, SeededCompany, seed_company

CHROMIUM = "/usr/bin/chromium"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
SPEC = CompanySpec(trucks=4, orders=40, seed=11)
MORNING = datetime.combine(SPEC.day, clock_time(8, 30), tzinfo=ZoneInfo("Europe/Vaduz"))
SHOTS = Path(__file__).parent / "screenshots"


@dataclass
class Served:
    """The running server, its services and a token per role."""

    url: str
    services: Services
    company: SeededCompany
    plan_id: str
    tokens: dict[str, str] = field(default_factory=dict)
    """Secrets by role name; ``driver`` is the first truck's driver."""

    def api(self, role: str = "dispatcher") -> httpx.Client:
        """An HTTP client of the API with ``role``'s token."""
        headers = {"Authorization": f"Bearer {self.tokens[role]}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Fleetline served on a free port with a dispatched day of 4 trucks and 40 orders."""
    folder = tmp_path_factory.mktemp("served")
    port = _free_port()
    settings = Settings(
        database_url=f"sqlite:///{folder / 'fleetline.sqlite3'}",
        solver_processes=0,
        solver_max_iterations=400,
        options_max_iterations=100,
        public_url=f"http://127.0.0.1:{port}",
        mqtt_url=None,
    )
    settings.port = port
    services = bootstrap(settings, clock=FixedClock(MORNING), recover=False)
    company = seed_company(services.bus, SPEC)
    plan = services.bus.handle(commands.RequestPlan(date=SPEC.day, time_limit_s=2))
    deadline = time.monotonic() + 120
    while True:
        with services.uow_factory() as uow:
            stored = uow.plans.get(plan.id)
        assert stored is not None
        if stored.status is not PlanStatus.SOLVING or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert stored.status is PlanStatus.READY, stored.error
    services.bus.handle(commands.DispatchPlan(plan_id=plan.id))
    tokens: dict[str, str] = {}
    with services.uow_factory() as uow:
        for role in (Role.ADMIN, Role.DISPATCHER, Role.AGENT, Role.INTEGRATION):
            tokens[role.value], _ = issue_token(uow, services.bus.context, role, f"{role} Ann")
        tokens["driver"], _ = issue_token(
            uow, services.bus.context, Role.DRIVER, "Driver Bo", company.driver_ids[0]
        )
        uow.commit()
    server = uvicorn.Server(
        uvicorn.Config(build_app(services), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="served", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    try:
        yield Served(url, services, company, plan.id, tokens)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        services.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (skips the test without it)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).is_file():
        pytest.skip(f"Debian's Chromium not found at {CHROMIUM} (apt-get install chromium)")

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu"],
        )
        try:
            yield launched
        finally:
            launched.close()


def _settle(page: Any) -> None:
    """Wait until the page stops fetching; on a busy machine, until it has loaded.

    A console keeps talking to its server (its refresh timers); when the machine is busy
    (three test workers and their browsers on two cores) it may not fall quiet for 500 ms
    within the timeout. The page has loaded then, and each test waits for what it needs.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_load_state("networkidle", timeout=20_000)
    except PlaywrightTimeout:
        page.wait_for_load_state("load")


@pytest.fixture(scope="session")
def signed_in(browser: Any, served: Served) -> Callable[[str], dict[str, Any]]:
    """A role's signed-in browser state (its session cookie), made once per test worker.

    Signing in through ``/login?token=`` sends the browser on to the role's console; the
    state saved then opens every later page of that role signed in, without loading the
    sign-in and the console once more for each page.
    """
    states: dict[str, dict[str, Any]] = {}

    def state_of(role: str) -> dict[str, Any]:
        if role not in states:
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{served.url}/login?token={served.tokens[role]}")
            page.wait_for_url(lambda url: "/login" not in url)
            states[role] = context.storage_state()
            context.close()
        return states[role]

    return state_of


PageKey = tuple[str, int, int]
"""A signed-in page's role and viewport width and height."""


@pytest.fixture(scope="session")
def idle_pages(browser: Any) -> Iterator[dict[PageKey, list[Any]]]:
    """Signed-in pages between tests, by role and size, so that a test's page reuses the
    browser's warm renderer and caches instead of starting a new one (a third of the
    machine's work per page opened). A page comes back emptied: on a blank document,
    online, with nothing left in its storage."""
    idle: dict[PageKey, list[Any]] = {}
    yield idle
    for pages in idle.values():
        for page in pages:
            page.context.close()


@pytest.fixture
def open_page(
    browser: Any,
    served: Served,
    signed_in: Callable[[str], dict[str, Any]],
    idle_pages: dict[PageKey, list[Any]],
) -> Iterator[Any]:
    """Make a page signed in as a role (or not signed in), at desktop or phone size.

    Use as ``page = open_page("dispatcher", "/dispatch")``; page errors fail the test.
    A page not signed in always has a browser context of its own.
    """
    fresh: list[Any] = []
    borrowed: list[tuple[PageKey, Any]] = []
    errors: list[str] = []

    def note(error: Any) -> None:
        errors.append(str(error))

    def make(role: str | None, path: str, size: dict[str, int] = DESKTOP) -> Any:
        if role is None:
            context = browser.new_context(viewport=size)
            fresh.append(context)
            page = context.new_page()
        else:
            key = (role, size["width"], size["height"])
            waiting = idle_pages.setdefault(key, [])
            if waiting:
                page = waiting.pop()
            else:
                context = browser.new_context(viewport=size, storage_state=signed_in(role))
                page = context.new_page()
            borrowed.append((key, page))
        page.on("pageerror", note)
        page.goto(f"{served.url}{path}")
        _settle(page)
        return page

    yield make
    for context in fresh:
        context.close()
    for key, page in borrowed:
        page.remove_listener("pageerror", note)
        try:
            page.context.set_offline(False)
            if page.url.startswith(served.url):
                page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
            page.goto("about:blank")
        except Exception:  # a page the test broke is not used again
            page.context.close()
            continue
        idle_pages[key].append(page)
    assert errors == [], errors


def live_status(served: Served, vehicle_id: str, expected: str, timeout_s: float = 5.0) -> str:
    """A vehicle's status in ``GET /live`` once it is ``expected``, or the last one read.

    ``/live`` answers from the published picture, which follows a report within the
    refresher's interval (a second): a reader sees the report shortly after, not at once.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        vehicles = served.api("dispatcher").get("/api/v1/live").json()["vehicles"]
        status = str(next(v["status"] for v in vehicles if v["vehicle_id"] == vehicle_id))
        if status == expected or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under ``tests/browser/screenshots`` (to look at)."""
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
