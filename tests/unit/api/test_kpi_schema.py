"""Integrators read the day's figures from the OpenAPI schema: every figure the API
answers is described there, and none is dropped on the way out."""

from __future__ import annotations

from datetime import date

from fleetline.api.routers.measures import kpis_body
from fleetline.api.schemas_measures import DayKpisOut, PlanAdherenceOut
from fleetline.operations.kpis import DayKpis
from fleetline.operations.plan_adherence import PlanAdherence


def _figures() -> DayKpis:
    adherence = PlanAdherence("p1", 1, 10, 1, 8, 7, 0.875, 120.0, 90.0, 60.0, 9, 0.9)
    return DayKpis(
        date=date(2026, 11, 26),
        orders=11,
        orders_completed=10,
        orders_failed=1,
        on_time_rate=0.9,
        late_orders=1,
        exception_response_s_median=240.0,
        exception_response_s_p90=300.0,
        exceptions=2,
        inquiries=1,
        notifications_sent=20,
        inquiries_per_100_orders=9.09,
        messages_by_kind={"delay": 2},
        messages_by_channel={"sms": 2},
        late_orders_warned_share=1.0,
        message_latency_s_median=3.0,
        distance_m=52_000,
        overtime_s=600,
        plan_versions=3,
        eta_mae_s={60: 300.0, 30: None},
        eta_samples={60: 4, 30: 0},
        eta_bias_s={60: -30.0},
        adherence=adherence,
        overtime_planned_s=0,
        overtime_actual_s=600,
    )


def test_every_figure_answered_is_a_documented_field() -> None:
    body = kpis_body(_figures())
    assert set(body) == set(DayKpisOut.model_fields)
    assert set(body["plan_adherence"]) == set(PlanAdherenceOut.model_fields)
    answered = DayKpisOut.model_validate(body).model_dump(mode="json")
    assert answered == body
    assert answered["overtime_actual_s"] == 600 and answered["eta_mae_s"]["30min"] is None


def test_every_field_has_a_description_for_integrators() -> None:
    for model in (DayKpisOut, PlanAdherenceOut):
        undescribed = [name for name, f in model.model_fields.items() if not f.description]
        assert undescribed == [], f"{model.__name__}: {undescribed}"
