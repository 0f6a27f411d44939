"""The figures page of the dispatcher console in a real browser, at desktop and phone
sizes: the day's headline figures, its charts, the last days compared, and a day
without data said in words."""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from fleetline.domain import events
from fleetline.domain.messages import NoticeKind, NoticeStatus, Notification
from fleetline.domain.model import Channel, Location, Order, OrderState, TimeWindow
from tests.browser.conftest import PHONE, SPEC, Served, screenshot
from tests.unit.operations.figure_days import at, exception, plan, report

BUILT = SPEC.day - timedelta(days=1)
EARLIER = SPEC.day - timedelta(days=2)
EMPTY = SPEC.day - timedelta(days=40)


def _order(order_id: str, client_id: str, day: date, state: OrderState) -> Order:
    return Order(
        order_id,
        client_id,
        day,
        Location(47.14, 9.52),
        (TimeWindow(at("07:00", day), at("12:00", day)),),
        {"weight_kg": 100},
        300,
        reference=f"FIG-{order_id}",
        state=state,
    )


def _message(order: Order, kind: NoticeKind, when: str) -> Notification:
    moment = at(when, order.date)
    return Notification(
        id=f"ntf_{secrets.token_hex(6)}",
        order_id=order.id,
        client_id=order.client_id,
        kind=kind,
        channel=Channel.EMAIL,
        recipient="client@example.com",
        subject="Your delivery",
        body="...",
        dedupe_key=f"figures:{secrets.token_hex(8)}",
        created_at=moment,
        cause_at=moment,
        not_before=moment,
        status=NoticeStatus.RECORDED,
        attempts=1,
        sent_at=moment + timedelta(seconds=20),
    )


def _store_day(served: Served, day: date, late: bool, response: str) -> None:
    """A past day: truck 1 planned a1-a4 and drove a1, a3, a2, a4 (a4 late when
    ``late``); truck 2 served b1, b2 failed; one breakdown decided at ``response``."""
    v1, v2 = served.company.vehicle_ids[:2]
    client = served.company.client_ids[0]
    tag = day.strftime("%m%d")
    a = [f"f{tag}_a{n}" for n in range(1, 5)]
    b = [f"f{tag}_b{n}" for n in range(1, 3)]
    orders = [_order(o, client, day, OrderState.COMPLETED) for o in [*a, b[0]]]
    orders.append(_order(b[1], client, day, OrderState.FAILED))
    reports = [
        report(a[0], v1, "arrived", "08:30", day),
        report(a[0], v1, "completed", "08:40", day),
        report(a[2], v1, "completed", "09:00", day),
        report(a[1], v1, "completed", "09:30", day),
        report(a[3], v1, "completed", "10:45" if late else "10:00", day),
        report(b[0], v2, "completed", "08:35", day),
        report(b[1], v2, "failed", "09:10", day),
    ]
    breakdown = exception(f"exc_{tag}", "09:00", ready="09:01", resolved=response, day=day)
    with served.services.uow_factory() as uow:
        uow.orders.add_many(orders)
        morning = plan(
            {v1: a, v2: b}, plan_id=f"pln_{tag}", dispatched_at=at("06:00", day), day=day
        )
        uow.plans.add(morning)
        uow.plans.set_live(day, morning.id)
        for stop_report in reports:
            uow.stop_events.add(stop_report)
        uow.exceptions.add(breakdown)
        uow.record(
            events.ExceptionOptionsReady(
                occurred_at=at("09:00:30", day),
                exception_id=breakdown.id,
                options=3,
                seconds_after_event=30.0,
            )
        )
        kinds = [NoticeKind.PROMISED_WINDOW] * 6 + [NoticeKind.DELAY] * 2
        kinds += [NoticeKind.DELIVERED] * 5
        uow.notifications.add_new(
            [_message(orders[n % len(orders)], kind, "07:00") for n, kind in enumerate(kinds)]
        )
        uow.eta_predictions.add_many(
            [
                (a[0], v1, at("07:30", day), at("08:36", day)),
                (a[0], v1, at("08:00", day), at("08:34", day)),
                (a[0], v1, at("08:15", day), at("08:31", day)),
            ]
        )
        uow.commit()


@pytest.fixture(scope="module")
def past_days(served: Served) -> None:
    """Two finished days before the served one, stored as the day left them."""
    _store_day(served, EARLIER, late=False, response="09:04")
    _store_day(served, BUILT, late=True, response="09:10")


def _figure(page: Any, key: str) -> Any:
    return page.get_by_test_id(f"figure-{key}")


def test_a_dispatcher_reads_a_days_figures_and_charts(
    open_page: Any, served: Served, past_days: None
) -> None:
    """A finished day: 80% on time, 5 completed and 1 failed, a 10-minute decision with
    options after 30 s, 67% of the sequence kept; the messages, ETA and both trends
    are drawn as charts. A dispatcher missing any of these could not judge the day."""
    page = open_page("dispatcher", f"/dispatch/figures?date={BUILT.isoformat()}")
    expect(page.locator('[data-section="figures"]')).to_have_class(re.compile("bg-primary"))
    expect(_figure(page, "on_time")).to_contain_text("80%")
    expect(_figure(page, "completed")).to_contain_text("5 / 1")
    expect(_figure(page, "response")).to_contain_text("10 min")
    expect(_figure(page, "response")).to_contain_text("options ready in 30 s")
    expect(_figure(page, "adherence")).to_contain_text("67%")
    expect(_figure(page, "adherence")).to_contain_text("100% on the planned truck")
    expect(_figure(page, "eta")).to_contain_text("60 min")
    expect(_figure(page, "inquiries")).to_contain_text("13 messages sent")
    for chart in ("messages", "eta", "on-time-trend", "response-trend"):
        expect(page.get_by_test_id(f"echart-{chart}").locator("canvas").first).to_be_visible()
    history = page.get_by_test_id("history")
    expect(history).to_contain_text(BUILT.isoformat())
    expect(history).to_contain_text(EARLIER.isoformat())
    page.wait_for_timeout(500)
    screenshot(page, "dispatch_figures_desktop")


def test_the_figures_page_fits_a_phone(open_page: Any, served: Served, past_days: None) -> None:
    """On a 390-pixel phone the figures and charts stack in one column and nothing makes
    the page scroll sideways."""
    page = open_page("dispatcher", f"/dispatch/figures?date={BUILT.isoformat()}", PHONE)
    expect(_figure(page, "on_time")).to_contain_text("80%")
    expect(page.get_by_test_id("echart-on-time-trend").locator("canvas").first).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, width
    chart = page.get_by_test_id("chart-messages").bounding_box()
    assert chart is not None and chart["width"] <= PHONE["width"]
    page.wait_for_timeout(500)
    screenshot(page, "dispatch_figures_phone")


def test_a_day_without_data_says_so_in_words(open_page: Any, served: Served) -> None:
    """A day with no orders shows sentences, not empty charts or zeros that look like
    results."""
    page = open_page("dispatcher", f"/dispatch/figures?date={EMPTY.isoformat()}")
    expect(page.get_by_test_id("no-orders")).to_contain_text("nothing to measure")
    expect(_figure(page, "on_time")).to_contain_text("No delivery judged yet")
    expect(_figure(page, "adherence")).to_contain_text("never dispatched")
    for chart in ("messages", "eta", "on-time-trend", "response-trend"):
        expect(page.get_by_test_id(f"empty-{chart}")).to_be_visible()
    expect(_figure(page, "distance")).to_contain_text("No plan on this day")
    expect(page.get_by_test_id("no-history")).to_contain_text("No order in the last 14 days")
    assert page.locator("canvas").count() == 0
    screenshot(page, "dispatch_figures_empty")


def test_the_figures_are_a_section_of_the_console_for_dispatchers_only(
    open_page: Any, served: Served
) -> None:
    """The console's tabs lead to Figures keeping the day; an agent is told the page is
    not part of their role."""
    page = open_page("dispatcher", f"/dispatch/plan?date={SPEC.day.isoformat()}")
    page.locator('[data-section="figures"]').click()
    page.wait_for_url(f"**/dispatch/figures?date={SPEC.day.isoformat()}")
    expect(_figure(page, "completed")).to_be_visible()
    agent = open_page("agent", "/dispatch/figures")
    expect(agent.get_by_text("This page is not part of your role.")).to_be_visible()
