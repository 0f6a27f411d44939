"""The client's tracking page: what it shows, what it hides, and who may not open it."""

from __future__ import annotations

from datetime import timedelta

from fleetline.clock import FixedClock
from fleetline.operations.eta_window import eta_window

from .conftest import ZONE, Day, at, issue, report, visitor

PROOF = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYAAAAAMAA"
    "SsJTYQAAAAASUVORK5CYII="
)


def _assign_driver(day: Day, order_id: str) -> None:
    vehicle_id = day.vehicle_of(order_id)
    created = day.api.post(
        "/api/v1/drivers",
        {"name": "Marta Keller-Vogt", "phone": "+423 791 55 12", "vehicle_id": vehicle_id},
    )
    assert created.status_code == 201, created.text
    moved = day.api.post(
        "/api/v1/telemetry/positions",
        {
            "positions": [
                {"vehicle_id": vehicle_id, "lat": 47.10, "lon": 9.51, "recorded_at": at("08:29")}
            ]
        },
    )
    assert moved.status_code == 202, moved.text


def _hm(moment: object) -> str:
    return moment.astimezone(ZONE).strftime("%H:%M")  # type: ignore[attr-defined]


def test_the_page_shows_the_live_eta_window_and_the_drivers_first_name_only(day: Day) -> None:
    """A client opens their link: the page says their truck is on its way with how many
    stops come first, shows the same ETA window as every face (from the live picture) and
    the promised window, and names the driver by first name; the surname, the phone and
    other clients' orders never appear."""
    order_id = day.stop_of(0, 1)
    _assign_driver(day, order_id)
    token = issue(day.api, order_id)
    page = day.api.client.get(f"/track/{token}")
    assert page.status_code == 200, page.text
    picture = day.api.services.live.picture()
    forecast = picture.forecasts[order_id]
    start, end = eta_window(forecast.eta, day.api.services.clock.now())
    html = page.text
    assert f"{_hm(start)}\u2013{_hm(end)}" in html
    assert "On its way" in html and "1 stop before yours" in html
    assert "Marta" in html
    for secret in ("Keller", "Vogt", "791", "+423"):
        assert secret not in html
    others = [o for stops in day.routes.values() for o in stops if o != order_id]
    assert not any(other in html for other in others)
    assert "L-" in html  # the client's own reference
    status = day.api.client.get(f"/track/{token}/status").json()
    assert status["eta_window"]["start"] == start.astimezone(ZONE).isoformat()
    assert status["stops_before"] == 1 and status["driver_first_name"] == "Marta"
    assert status["truck"]["lat"] == 47.10
    assert page.headers["referrer-policy"] == "no-referrer"


def test_a_wrong_or_expired_token_is_a_plain_not_found(day: Day) -> None:
    """A made-up token and a real one after its delivery day both answer the same plain 404
    that names no order, no reference and no client."""
    order_id = day.stop_of(0, 0)
    token = issue(day.api, order_id)
    wrong = day.api.client.get("/track/" + "x" * 43)
    assert wrong.status_code == 404
    assert day.api.client.get(f"/track/{token}").status_code == 200
    clock = day.api.services.clock
    assert isinstance(clock, FixedClock)
    clock.set(clock.now().replace(hour=0, minute=0) + timedelta(days=1, minutes=1))
    expired = day.api.client.get(f"/track/{token}")
    assert expired.status_code == 404
    assert expired.text == wrong.text
    assert order_id not in expired.text and "L-" not in expired.text
    assert day.api.client.get(f"/track/{token}/status").status_code == 404


def test_guessing_tokens_is_rate_limited_per_address(day: Day) -> None:
    """Six guessed tokens from one address use up its minute; the seventh request is told
    to wait (429 with Retry-After), even with a good token, while a client at another
    address still opens their page."""
    token = issue(day.api, day.stop_of(1, 0))
    guesser = visitor(day.api, "203.0.113.7")
    for n in range(6):
        assert guesser.get(f"/track/guess{n:038d}").status_code == 404
    refused = guesser.get(f"/track/{token}")
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert visitor(day.api, "198.51.100.20").get(f"/track/{token}").status_code == 200


def test_a_delivered_order_shows_its_proof(day: Day) -> None:
    """Once the driver reports the delivery with a photo, the page says delivered, at what
    time, and shows the photo; the truck is no longer on a map."""
    order_id = day.stop_of(1, 0)
    token = issue(day.api, order_id)
    assert report(day, order_id, "arrived", "08:20").status_code == 200
    done = report(day, order_id, "completed", "08:28", proof=PROOF)
    assert done.status_code == 200, done.text
    page = day.api.client.get(f"/track/{token}")
    assert page.status_code == 200
    assert "Delivered" in page.text and "08:28" in page.text
    assert f'src="{PROOF}"' in page.text
    status = day.api.client.get(f"/track/{token}/status").json()
    assert status["state"] == "completed" and status["truck"] is None
    assert status["proof_image"] == PROOF


def test_a_failed_delivery_says_why_and_a_text_proof_is_shown_as_text(day: Day) -> None:
    """A failed delivery shows the reason in words; a proof that is not a picture is shown
    as (escaped) text, never as markup."""
    failed_id, done_id = day.stop_of(0, 0), day.stop_of(1, 0)
    report(day, failed_id, "failed", "08:25", reason="client_absent")
    report(day, done_id, "completed", "08:26", proof="<b>Signed</b> by reception")
    failed = day.api.client.get(f"/track/{issue(day.api, failed_id)}")
    assert "could not deliver" in failed.text and "nobody was there" in failed.text
    done = day.api.client.get(f"/track/{issue(day.api, done_id)}")
    assert "&lt;b&gt;Signed&lt;/b&gt; by reception" in done.text
    assert "<b>Signed" not in done.text


def test_the_map_is_served_without_a_cdn(day: Day) -> None:
    """Leaflet's script, style and marker images come from the application itself."""
    for name, kind in (
        ("leaflet.js", "javascript"),
        ("leaflet.css", "css"),
        ("images/marker-icon.png", "image/png"),
        ("tracking.js", "javascript"),
    ):
        answer = day.api.client.get(f"/track-assets/{name}")
        assert answer.status_code == 200, name
        assert kind in answer.headers["content-type"]
    assert day.api.client.get("/track-assets/../settings.py").status_code == 404
