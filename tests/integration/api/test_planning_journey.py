"""An integrator sets up a company, plans a day and dispatches it through the API alone."""

from __future__ import annotations

from datetime import datetime

from fleetline.domain.access import Role

from .conftest import DAY, Api, Company, order_body, window


def test_plan_a_day_and_dispatch_it(api: Api, company: Company) -> None:
    """A requested plan is solved in the background, serves every order in its window, and
    once dispatched is the live plan of the day with its orders marked dispatched."""
    spots = [(47.05 + 0.01 * i, 9.50 + 0.005 * i) for i in range(8)]
    bodies = [
        order_body(company.client_ids[i % 3], location={"lat": lat, "lon": lon}, reference=f"R-{i}")
        for i, (lat, lon) in enumerate(spots)
    ]
    created = api.post("/api/v1/orders", bodies)
    assert created.status_code == 201, created.text
    accepted = api.post("/api/v1/plans", {"date": DAY, "time_limit_s": 1})
    assert accepted.status_code == 202
    assert accepted.json()["status"] == "solving"
    plan = api.wait_for_plan(accepted.json()["id"])
    assert plan["status"] == "ready", plan
    assert plan["unassigned"] == []
    stops = [stop for route in plan["routes"] for stop in route["stops"]]
    assert sorted(s["order_id"] for s in stops) == sorted(o["id"] for o in created.json())
    for stop in stops:
        start = datetime.fromisoformat(stop["service_start"])
        assert any(
            datetime.fromisoformat(w["start"]) <= start <= datetime.fromisoformat(w["end"])
            for w in stop["time_windows"]
        )
    for route in plan["routes"]:
        assert route["distance_m"] > 0 and route["duration_s"] > 0
        assert route["load"]["pallets"] == sum(1 for _ in route["stops"])
    dispatched = api.post(f"/api/v1/plans/{plan['id']}/dispatch", None)
    assert dispatched.status_code == 200, dispatched.text
    assert dispatched.json()["live"] is True
    versions = api.get("/api/v1/plans", date=DAY).json()
    assert [(v["version"], v["live"]) for v in versions] == [(1, True)]
    states = {o["state"] for o in api.get("/api/v1/orders", date=DAY).json()["orders"]}
    assert states == {"dispatched"}


def test_every_change_makes_a_new_version(api: Api, company: Company) -> None:
    """Planning the same day twice keeps both versions; the second names the live one as
    its parent, and the first stays live until the second is dispatched."""
    api.post("/api/v1/orders", [order_body(company.client_ids[0])])
    first = api.wait_for_plan(api.post("/api/v1/plans", {"date": DAY}).json()["id"])
    api.post(f"/api/v1/plans/{first['id']}/dispatch", None)
    second_id = api.post("/api/v1/plans", {"date": DAY}).json()["id"]
    second = api.wait_for_plan(second_id)
    assert second["version"] == 2
    assert second["parent_id"] == first["id"]
    assert api.get(f"/api/v1/plans/{first['id']}").json()["live"] is True
    api.post(f"/api/v1/plans/{second_id}/dispatch", None)
    assert api.get(f"/api/v1/plans/{first['id']}").json()["live"] is False


def test_orders_nobody_can_serve_are_unassigned_with_a_reason(api: Api, company: Company) -> None:
    """An order needing a skill no truck has, or more pallets than any truck takes, is not an
    error: the plan leaves it out and says why in words a dispatcher understands."""
    crane = api.post("/api/v1/orders", order_body(company.client_ids[0], required_skills=["crane"]))
    heavy = api.post("/api/v1/orders", order_body(company.client_ids[1], demand={"pallets": 40}))
    fine = api.post("/api/v1/orders", order_body(company.client_ids[2]))
    assert {crane.status_code, heavy.status_code, fine.status_code} == {201}
    plan = api.wait_for_plan(api.post("/api/v1/plans", {"date": DAY}).json()["id"])
    reasons = {u["order_id"]: u for u in plan["unassigned"]}
    assert reasons[crane.json()["id"]]["reason_code"] == "no_vehicle_with_skills"
    assert "crane" in reasons[crane.json()["id"]]["reason"]
    assert reasons[heavy.json()["id"]]["reason_code"] == "demand_exceeds_capacity"
    assert fine.json()["id"] not in reasons


def test_a_plan_made_elsewhere_is_kept_as_it_is(api: Api, company: Company) -> None:
    """An imported plan keeps its sequence (even a poor one), gets ETAs from the road
    network, and lists the day's other orders as not planned."""
    far, near, left = (
        api.post(
            "/api/v1/orders",
            order_body(
                company.client_ids[0], location=loc, time_windows=[window("07:00", "16:00")]
            ),
        ).json()
        for loc in (
            {"lat": 47.06, "lon": 9.52},
            {"lat": 47.16, "lon": 9.51},
            {"lat": 47.10, "lon": 9.52},
        )
    )
    response = api.post(
        "/api/v1/plans",
        {
            "date": DAY,
            "routes": [
                {
                    "vehicle_id": company.vehicle_ids[0],
                    "stops": [{"order_id": far["id"]}, {"order_id": near["id"]}],
                }
            ],
        },
    )
    assert response.status_code == 201, response.text
    plan = api.get(f"/api/v1/plans/{response.json()['id']}").json()
    assert plan["source"] == "imported" and plan["status"] == "ready"
    route = plan["routes"][0]
    assert [s["order_id"] for s in route["stops"]] == [far["id"], near["id"]]
    first, second = route["stops"]
    assert datetime.fromisoformat(first["departure"]) < datetime.fromisoformat(second["eta"])
    assert [u["order_id"] for u in plan["unassigned"]] == [left["id"]]
    assert plan["unassigned"][0]["reason_code"] == "not_planned"


def test_an_imported_plan_with_an_unknown_order_names_it(api: Api, company: Company) -> None:
    """A route naming an order that does not exist is refused, pointing at that stop, and
    no plan version is stored."""
    real = api.post("/api/v1/orders", order_body(company.client_ids[0])).json()
    response = api.post(
        "/api/v1/plans",
        {
            "date": DAY,
            "routes": [
                {
                    "vehicle_id": company.vehicle_ids[0],
                    "stops": [{"order_id": real["id"]}, {"order_id": "ord_nope"}],
                }
            ],
        },
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "routes[0].stops[1].order_id"
    assert api.get("/api/v1/plans", date=DAY).json() == []


def test_only_a_ready_plan_can_be_dispatched(api: Api, company: Company) -> None:
    """Dispatching a plan that does not exist is a 404; the agent role cannot dispatch."""
    assert api.post("/api/v1/plans/pln_missing/dispatch", None).status_code == 404
    api.post("/api/v1/orders", order_body(company.client_ids[0]))
    plan = api.wait_for_plan(api.post("/api/v1/plans", {"date": DAY}).json()["id"])
    refused = api.post(f"/api/v1/plans/{plan['id']}/dispatch", None, role=Role.AGENT)
    assert refused.status_code == 403
    assert api.get(f"/api/v1/plans/{plan['id']}").json()["live"] is False
