"""The morning plan and the live picture use the same travel times."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from fleetline.clock import FixedClock
from fleetline.domain.live import Risk
from fleetline.sim.company import CompanySpec, seed_company

from ..api_client import Api


def test_a_fresh_plan_is_not_late_before_the_day_starts(api: Api) -> None:
    """Right after dispatch, before any truck has left, the live picture agrees with the
    plan: both read the hour of day in the company's own time zone, and the plan's single
    matrix reflects the whole working day. Only the morning rush, slower than the day's
    average the plan is made with, may put a few stops a little late."""
    spec = CompanySpec(trucks=8, orders=120, seed=5)
    seed_company(api.services.bus, spec)
    plan_id = api.post("/api/v1/plans", {"date": spec.day.isoformat(), "time_limit_s": 2}).json()[
        "id"
    ]
    plan = api.wait_for_plan(plan_id)
    assert plan["status"] == "ready"
    assert api.post(f"/api/v1/plans/{plan_id}/dispatch", None).status_code == 200
    clock = api.services.clock
    assert isinstance(clock, FixedClock)
    clock.set(datetime.combine(spec.day, time(6, 29), tzinfo=ZoneInfo(spec.area.timezone)))
    picture = api.services.live.refresh(spec.day)
    served = sum(len(route["stops"]) for route in plan["routes"])
    assert len(picture.forecasts) == served
    late = [f for f in picture.forecasts.values() if f.risk is Risk.LATE]
    assert len(late) <= served // 10
    assert max((f.lateness_s for f in late), default=0) <= 30 * 60
