"""Clients told before they ask: the promised window at dispatch, a delay with a new
window, delivered or failed, quiet hours, and one delay per client after a breakdown."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from fleetline.clock import FixedClock
from fleetline.comms.forecast_rules import has_started
from fleetline.comms.tracking_links import order_of_token
from fleetline.domain.live import Risk
from fleetline.domain.messages import NoticeKind, NoticeStatus, Notification
from fleetline.domain.model import Channel
from fleetline.operations.eta_window import eta_window

from ...api_client import DAY, Api
from ...live.conftest import Day, at, report
from .conftest import messages

PROMISED = (datetime.fromisoformat(at("08:00")), datetime.fromisoformat(at("09:30")))


def _orders(day: Day) -> list[str]:
    return [order_id for stops in day.routes.values() for order_id in stops]


def _advance(api: Api, minutes: int) -> datetime:
    clock = api.services.clock
    assert isinstance(clock, FixedClock)
    return clock.advance(timedelta(minutes=minutes))


def _token(notification: Notification) -> str:
    return notification.body.split("/track/")[1].split()[0]


def test_dispatch_tells_each_order_its_promised_window_once_per_channel(day: Day) -> None:
    """Dispatching the plan queues one promised-window message per order and channel the
    client wants, in the client's language, with a tracking link that opens that order;
    dispatching a new version with the same windows tells nobody anything twice."""
    api = day.api
    promised = messages(api, _orders(day), NoticeKind.PROMISED_WINDOW)
    with api.services.uow_factory() as uow:
        clients = {c.id: c for c in uow.clients.list()}
        orders = {o.id: o for o in uow.orders.get_many(_orders(day))}
        for order_id, order in orders.items():
            client = clients[order.client_id]
            told = [n for n in promised if n.order_id == order_id]
            assert sorted(n.channel for n in told) == sorted(client.preferences.channels)
            for notification in told:
                assert (notification.window_start, notification.window_end) == PROMISED
                assert "08:00\u201309:30" in notification.body
                assert order.reference and order.reference in notification.subject
                assert order_of_token(uow, _token(notification), api.services.clock.now()) == (
                    order_id
                )
            if client.preferences.locale == "de":
                assert all(n.subject.startswith("Ihre Lieferung") for n in told)
    email = next(n for n in promised if n.channel is Channel.EMAIL)
    assert email.html_body and "<strong>08:00\u201309:30</strong>" in email.html_body
    sms = next(n for n in promised if n.channel is Channel.SMS)
    assert sms.html_body is None

    again = api.wait_for_plan(
        api.post("/api/v1/plans", {"date": DAY, "time_limit_s": 1}).json()["id"]
    )
    assert api.post(f"/api/v1/plans/{again['id']}/dispatch", None).status_code == 200
    assert len(messages(api, _orders(day))) == len(promised)


def test_quiet_hours_hold_a_message_until_they_end(day: Day) -> None:
    """The plan is dispatched at 18:00 local: the client with quiet hours from 17:30 hears
    at 07:30 the next morning; the others at once."""
    api = day.api
    promised = messages(api, _orders(day), NoticeKind.PROMISED_WINDOW)
    quiet = [n for n in promised if n.locale == "fr"]
    loud = [n for n in promised if n.locale != "fr"]
    assert quiet and loud
    assert all(n.not_before == datetime.fromisoformat(at("07:30")) for n in quiet)
    assert all(n.not_before == n.created_at for n in loud)
    evening = quiet[0].created_at + timedelta(minutes=5)
    with api.services.uow_factory() as uow:
        due = {n.id for n in uow.notifications.due(evening, limit=1000)}
    assert not due & {n.id for n in quiet}


def test_a_late_truck_tells_one_delay_with_a_window_and_no_flood(day: Day) -> None:
    """At 08:30 a truck still at the depot makes stops late: each late order's client hears
    one delay with the ETA window; refreshes five and ten minutes later (the window
    moved less than 20 minutes) tell nothing new; 25 minutes later, one more."""
    api = day.api
    picture = api.services.live.refresh()
    late = sorted(o for o, f in picture.forecasts.items() if f.risk is Risk.LATE)
    assert late, "a truck that has not left by 08:30 runs late"
    first = picture.forecasts[late[-1]]
    delays = messages(api, late, NoticeKind.DELAY)
    assert {n.order_id for n in delays} == set(late)
    told = [n for n in delays if n.order_id == first.order_id]
    expected = eta_window(first.eta, picture.computed_at)
    assert {(n.window_start, n.window_end) for n in told} == {expected}
    assert all("08:00\u201309:30" in n.body for n in told)
    for minutes in (5, 5):
        _advance(api, minutes)
        api.services.live.refresh()
        assert len(messages(api, late, NoticeKind.DELAY)) == len(delays)
    _advance(api, 15)
    later = api.services.live.refresh()
    now_told = messages(api, [first.order_id], NoticeKind.DELAY)
    assert len(now_told) == 2 * len(told)
    newest = max(now_told, key=lambda n: n.created_at)
    assert newest.window_start is not None
    assert newest.window_start - expected[0] >= timedelta(minutes=20)
    assert (
        newest.window_start == eta_window(later.forecasts[first.order_id].eta, later.computed_at)[0]
    )


def test_delivered_with_proof_and_failed_with_the_reason(day: Day) -> None:
    """A completed stop tells ``delivered`` (with its proof) and cancels the stop's
    queued window and delay news; a failed one tells ``failed`` with the reason in the
    client's words and a link to choose a new time."""
    api = day.api
    api.services.live.refresh()
    done, failed = day.stop_of(0, 0), day.stop_of(1, 0)
    before = [n for n in messages(api, [done]) if n.kind is not NoticeKind.PROMISED_WINDOW]
    assert before, "the first stop of a truck hears its narrowed window or a delay"
    assert report(day, done, "completed", "08:29", proof="signature:J. Doe").status_code == 200
    assert report(day, failed, "failed", "08:29", reason="client_absent").status_code == 200
    delivered = messages(api, [done], NoticeKind.DELIVERED)
    proof = {"en": "proof of delivery", "de": "Zustellnachweis", "fr": "preuve de livraison"}
    assert delivered and all("08:29" in n.body for n in delivered)
    assert all(proof[n.locale] in n.body for n in delivered)
    stale = [n for n in messages(api, [done]) if n.id in {b.id for b in before}]
    assert all(n.status is NoticeStatus.CANCELLED for n in stale)
    told = messages(api, [failed], NoticeKind.FAILED)
    assert told
    for notification in told:
        assert "/track/" in notification.body
        words = {"en": "nobody was there", "de": "niemand war da", "fr": "personne"}
        assert words[notification.locale] in notification.body
    _advance(api, 30)
    api.services.live.refresh()
    after = [n for n in messages(api, [done]) if n.kind is not NoticeKind.PROMISED_WINDOW]
    assert len(after) == len(before) + len(delivered)


def test_after_a_breakdown_each_affected_client_hears_one_delay_after_the_decision(
    day: Day,
) -> None:
    """A truck breaks down: while the dispatcher decides, its clients hear nothing; once
    an option is applied, every affected order still on today's plan and late (or at risk
    on a truck already on the road) gets exactly one delay (or a reschedule), before its
    promised window ends, however often the picture is refreshed."""
    api = day.api
    broken = sorted(day.routes)[0]
    report(day, day.routes[broken][0], "completed", "08:20")
    affected = day.routes[broken][1:]
    response = api.post(
        f"/api/v1/vehicles/{broken}/events", {"type": "breakdown", "at": at("08:25")}
    )
    assert response.status_code == 200
    api.services.exceptions.wait()
    api.services.live.refresh()
    [exception] = api.get("/api/v1/exceptions", status="open").json()
    assert not messages(api, affected, NoticeKind.DELAY)
    decided = _advance(api, 3)
    resolved = api.post(
        f"/api/v1/exceptions/{exception['id']}/resolve",
        {"option_id": exception["options"][0]["id"]},
    )
    assert resolved.status_code == 200, resolved.text
    for minutes in (0, 5, 5):
        _advance(api, minutes)
        picture = api.services.live.refresh()
    started = {run.vehicle_id for run in picture.snapshot.vehicles if has_started(run)}
    late = {
        o
        for o in affected
        if o in picture.forecasts
        and (
            picture.forecasts[o].risk is Risk.LATE
            or (
                picture.forecasts[o].risk is Risk.AT_RISK
                and picture.forecasts[o].vehicle_id in started
            )
        )
    }
    told = [
        n for n in messages(api, affected) if n.kind in (NoticeKind.DELAY, NoticeKind.RESCHEDULED)
    ]
    news = Counter(n.order_id for n in told if n.channel is Channel.EMAIL)
    assert news, "moving a broken truck's stops at 08:30 makes some of them late"
    assert late <= set(news)
    assert all(count == 1 for count in news.values()), news
    assert all(n.created_at >= decided for n in told)
    assert all(n.created_at < PROMISED[1] for n in told)
