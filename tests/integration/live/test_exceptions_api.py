"""Exceptions through the API: a breakdown and a failed delivery, from the event to the
dispatcher's decision, with ranked options and a new live plan."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fleetline.clock import FixedClock

from ..api_client import DAY
from .conftest import Day, at, report


def _open_exceptions(day: Day) -> list[dict[str, Any]]:
    day.api.services.exceptions.wait()
    response = day.api.get("/api/v1/exceptions", status="open")
    assert response.status_code == 200
    result: list[dict[str, Any]] = response.json()
    return result


def _advance(day: Day, minutes: int) -> None:
    clock = day.api.services.clock
    assert isinstance(clock, FixedClock)
    clock.advance(timedelta(minutes=minutes))


def test_a_breakdown_gets_ranked_options_and_one_click_applies_one(day: Day) -> None:
    """A truck breaks down: one exception lists its remaining stops with their clients'
    priority, offers ranked options with their impact, and resolving the best one makes a
    new live plan where none of those stops is left on the broken truck."""
    api = day.api
    broken = sorted(day.routes)[0]
    done = day.routes[broken][0]
    report(day, done, "completed", "08:20")
    response = api.post(
        f"/api/v1/vehicles/{broken}/events",
        {"type": "breakdown", "at": at("08:25"), "note": "flat tyre"},
    )
    assert response.status_code == 200
    [exception] = _open_exceptions(day)
    assert exception["kind"] == "breakdown" and exception["vehicle_id"] == broken
    affected = [a["order_id"] for a in exception["affected_orders"]]
    assert sorted(affected) == sorted(day.routes[broken][1:])
    assert all(1 <= a["priority"] <= 5 and a["client_name"] for a in exception["affected_orders"])
    options = exception["options"]
    assert 2 <= len(options) <= 4
    assert [o["rank"] for o in options] == list(range(1, len(options) + 1))
    assert exception["options_ready_s"] is not None and exception["options_ready_s"] >= 0
    for option in options:
        assert option["summary"]
        assert set(option["impact"]) >= {
            "late_orders",
            "priority_weighted_lateness",
            "extra_distance_m",
            "overtime_s",
            "cost",
        }
    _advance(day, 3)
    resolved = api.post(
        f"/api/v1/exceptions/{exception['id']}/resolve", {"option_id": options[0]["id"]}
    )
    assert resolved.status_code == 200, resolved.text
    body = resolved.json()
    assert body["status"] == "resolved" and body["response_s"] == 180
    plan = api.get(f"/api/v1/plans/{body['plan_id']}").json()
    assert plan["live"] is True and plan["version"] == 2 and plan["source"] == "revised"
    routes = {r["vehicle_id"]: [s["order_id"] for s in r["stops"]] for r in plan["routes"]}
    assert not set(affected) & set(routes.get(broken, []))
    assert done in routes[broken]
    unassigned = {u["order_id"] for u in plan["unassigned"]}
    for order_id in affected:
        order = api.get(f"/api/v1/orders/{order_id}").json()
        placed = any(order_id in stops for stops in routes.values())
        postponed = order["date"] == (date.fromisoformat(DAY) + timedelta(days=1)).isoformat()
        assert placed or postponed or order_id in unassigned, order
    again = api.post(
        f"/api/v1/exceptions/{exception['id']}/resolve", {"option_id": options[0]["id"]}
    )
    assert again.status_code == 409
    kpis = api.get("/api/v1/kpis", date=DAY).json()
    assert kpis["exception_response_s_median"] == 180
    assert kpis["plan_versions"] == 2 and kpis["orders_completed"] == 1


def test_a_failed_delivery_can_be_moved_to_tomorrow(day: Day) -> None:
    """A delivery fails (client absent): the exception offers to try again later or to
    move it to tomorrow; choosing tomorrow takes it off today's plan with a new date."""
    api = day.api
    stop = day.stop_of(1)
    failed = report(day, stop, "failed", "08:25", reason="client_absent", note="closed")
    assert failed.status_code == 200
    [exception] = _open_exceptions(day)
    assert exception["kind"] == "failed_delivery" and exception["order_id"] == stop
    kinds = {o["kind"]: o for o in exception["options"]}
    tomorrow = next(
        o
        for o in exception["options"]
        if "tomorrow" in o["summary"].lower() or o["kind"].startswith("postpone")
    )
    assert len(kinds) >= 1
    resolved = api.post(
        f"/api/v1/exceptions/{exception['id']}/resolve", {"option_id": tomorrow["id"]}
    )
    assert resolved.status_code == 200, resolved.text
    order = api.get(f"/api/v1/orders/{stop}").json()
    assert order["state"] == "open"
    assert order["date"] == (date.fromisoformat(DAY) + timedelta(days=1)).isoformat()
    plan = api.get(f"/api/v1/plans/{resolved.json()['plan_id']}").json()
    assert stop not in [s["order_id"] for r in plan["routes"] for s in r["stops"]]


def test_a_bad_resolution_changes_nothing(day: Day) -> None:
    """An unknown option is refused naming the field; an unknown exception is a 404; the
    exception stays open and the plan stays as it was."""
    api = day.api
    broken = sorted(day.routes)[0]
    api.post(f"/api/v1/vehicles/{broken}/events", {"type": "breakdown", "at": at("08:25")})
    [exception] = _open_exceptions(day)
    wrong = api.post(f"/api/v1/exceptions/{exception['id']}/resolve", {"option_id": "opt_x"})
    assert wrong.status_code == 422
    assert wrong.json()["error"]["details"][0]["field"] == "option_id"
    assert api.post("/api/v1/exceptions/exc_x/resolve", {"option_id": "a"}).status_code == 404
    assert [e["id"] for e in _open_exceptions(day)] == [exception["id"]]
    assert api.get(f"/api/v1/plans/{day.plan['id']}").json()["live"] is True


def test_options_out_of_date_are_refused_and_computed_again(day: Day) -> None:
    """Once the day moves on (a stop on the helping truck is completed), an option computed
    before is refused with a conflict rather than applied wrongly; fresh options follow and
    one of them applies."""
    api = day.api
    broken, helper = sorted(day.routes)
    api.post(f"/api/v1/vehicles/{broken}/events", {"type": "breakdown", "at": at("08:25")})
    [exception] = _open_exceptions(day)
    stale = exception["options"][0]
    report(day, day.routes[helper][0], "completed", "08:28")
    refused = api.post(f"/api/v1/exceptions/{exception['id']}/resolve", {"option_id": stale["id"]})
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["details"][0]["field"] == "option_id"
    [fresh] = _open_exceptions(day)
    assert fresh["id"] == exception["id"]
    assert fresh["options"] and fresh["options"][0]["id"] != stale["id"]
    applied = api.post(
        f"/api/v1/exceptions/{exception['id']}/resolve", {"option_id": fresh["options"][0]["id"]}
    )
    assert applied.status_code == 200, applied.text


def _times_listed(order_id: str, sequences: list[list[str]]) -> int:
    return sum(sequence.count(order_id) for sequence in sequences)


def test_a_delivery_tried_again_today_is_one_stop_at_its_new_place(day: Day) -> None:
    """A failed delivery tried again later today is one stop, at the retry, in the plan,
    the live picture and the driver's list; once the driver is back at it, a breakdown of
    the other truck gets options that apply (the earlier attempt is not a second stop)."""
    api = day.api
    stop = day.stop_of(1)
    truck = day.vehicle_of(stop)
    assert report(day, stop, "failed", "08:15", reason="client_absent").status_code == 200
    [exception] = _open_exceptions(day)
    retry = next(o for o in exception["options"] if o["kind"] == "retry_today")
    resolved = api.post(f"/api/v1/exceptions/{exception['id']}/resolve", {"option_id": retry["id"]})
    assert resolved.status_code == 200, resolved.text
    plan = api.get(f"/api/v1/plans/{resolved.json()['plan_id']}").json()
    routes = {r["vehicle_id"]: [s["order_id"] for s in r["stops"]] for r in plan["routes"]}
    assert _times_listed(stop, list(routes.values())) == 1
    before = routes[truck][: routes[truck].index(stop)]
    assert 0 < len(before) <= 5, "the retry comes after the stops still to do"

    _advance(day, 50)
    for n, order_id in enumerate(before):
        minutes = 30 + 8 * n
        served = report(day, order_id, "completed", f"{8 + minutes // 60:02d}:{minutes % 60:02d}")
        assert served.status_code == 200, served.text
    assert report(day, stop, "arrived", "09:16").status_code == 200
    api.services.live.refresh()
    live = api.get("/api/v1/live", date=DAY).json()
    remaining = {v["vehicle_id"]: [s["order_id"] for s in v["remaining"]] for v in live["vehicles"]}
    assert remaining[truck][0] == stop
    assert _times_listed(stop, list(remaining.values())) == 1

    other = next(v for v in day.routes if v != truck)
    broke = api.post(f"/api/v1/vehicles/{other}/events", {"type": "breakdown", "at": at("09:17")})
    assert broke.status_code == 200
    [breakdown] = [e for e in _open_exceptions(day) if e["kind"] == "breakdown"]
    assert breakdown["options"]
    applied = api.post(
        f"/api/v1/exceptions/{breakdown['id']}/resolve",
        {"option_id": breakdown["options"][0]["id"]},
    )
    assert applied.status_code == 200, applied.text
    after = api.get(f"/api/v1/plans/{applied.json()['plan_id']}").json()
    sequences = {r["vehicle_id"]: [s["order_id"] for s in r["stops"]] for r in after["routes"]}
    assert _times_listed(stop, list(sequences.values())) == 1
    assert stop in sequences[truck], "the stop being served stays on its truck"
