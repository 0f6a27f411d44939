"""The answers of the measures endpoints: a day's figures, and a range of days."""

from __future__ import annotations

from pydantic import BaseModel, Field

HORIZONS = "keyed by horizon before arrival: `60min`, `30min`, `15min`"


class PlanAdherenceOut(BaseModel):
    """The day as served against its morning plan (the first dispatched version)."""

    plan_id: str | None = Field(description="The morning plan; null when never dispatched.")
    plan_version: int | None = Field(description="Its version number.")
    stops_compared: int = Field(description="Served stops that the morning plan held.")
    stops_added: int = Field(description="Served stops that the morning plan did not hold.")
    sequence_pairs: int = Field(
        description="Consecutive pairs of stops served on the truck the morning plan gave them."
    )
    sequence_kept: int = Field(description="Of those pairs, the ones served in planned order.")
    sequence_kept_share: float | None = Field(
        description="`sequence_kept / sequence_pairs`; null without pairs."
    )
    arrival_diff_s_mean: float | None = Field(
        description="Mean absolute seconds between planned and actual arrival."
    )
    arrival_diff_s_median: float | None = Field(
        description="Median absolute seconds between planned and actual arrival."
    )
    arrival_delay_s_mean: float | None = Field(
        description="Mean of actual minus planned arrival in seconds (positive: later)."
    )
    on_planned_truck: int = Field(
        description="Compared stops served by the truck the morning plan gave them."
    )
    on_planned_truck_share: float | None = Field(
        description="`on_planned_truck / stops_compared`; null without compared stops."
    )


class DayKpisOut(BaseModel):
    """What a day achieved, comparable across days."""

    date: str = Field(description="The delivery day (ISO date).")
    orders: int = Field(description="Orders of the day.")
    on_time_rate: float | None = Field(
        description="Share of completed orders that arrived by the end of the window the "
        "morning plan promised (0 to 1); null before any was completed."
    )
    late_orders: int = Field(description="Completed orders that arrived after that window.")
    orders_completed: int = Field(description="Orders delivered.")
    orders_failed: int = Field(description="Orders whose delivery failed at the door.")
    exception_response_s_median: float | None = Field(
        description="Median seconds from an exception's event to its decision (resolved or "
        "dismissed); null without decided exceptions."
    )
    exception_response_s_p90: float | None = Field(
        description="90th percentile of the same, in seconds."
    )
    options_ready_s_median: float | None = Field(
        description="Median seconds from an exception's event to its first ranked options."
    )
    options_ready_s_p90: float | None = Field(
        description="90th percentile of the same, in seconds."
    )
    exceptions: int = Field(description="Exceptions opened on the day.")
    exceptions_resolved: int = Field(description="Exceptions resolved by an option.")
    exceptions_dismissed: int = Field(description="Exceptions dismissed without a change.")
    inquiries: int = Field(description="Client calls and messages logged about the day's orders.")
    notifications_sent: int = Field(
        description="Messages to clients sent (or recorded where no channel is configured)."
    )
    inquiries_per_100_orders: float | None = Field(
        description="Inquiries per 100 orders; null without orders."
    )
    messages_by_kind: dict[str, int] = Field(
        description="Messages sent by kind (e.g. `promised_window`, `delay`, `delivered`)."
    )
    messages_by_channel: dict[str, int] = Field(
        description="Messages sent by channel (`email`, `sms`, `webhook`)."
    )
    late_orders_warned_share: float | None = Field(
        description="Share of late orders whose client was warned before the promised window "
        "ended; null without late orders."
    )
    message_latency_s_median: float | None = Field(
        description="Median seconds from a change to its message leaving."
    )
    distance_m: int = Field(description="Distance of the live plan's routes, in metres.")
    overtime_s: int = Field(
        description="Overtime in seconds: `overtime_actual_s` once trucks have reported "
        "stops, `overtime_planned_s` before."
    )
    overtime_planned_s: int = Field(
        description="The live plan's overtime past the shifts' end, in seconds."
    )
    overtime_actual_s: int | None = Field(
        description="What the trucks worked past their shifts' end by their reports and "
        "positions (back at the depot after the last stop, or last seen; a breakdown ends "
        "the day), in seconds; null before any truck reported a stop."
    )
    plan_versions: int = Field(description="Plan versions made for the day.")
    eta_mae_s: dict[str, float | None] = Field(
        description=f"Mean absolute ETA error in seconds, {HORIZONS}; null without samples."
    )
    eta_samples: dict[str, int] = Field(description=f"ETA samples compared, {HORIZONS}.")
    eta_bias_s: dict[str, float | None] = Field(
        description=f"Mean signed ETA error in seconds, {HORIZONS} (negative: trucks came "
        "later than the ETA said)."
    )
    plan_adherence: PlanAdherenceOut | None = Field(
        description="The day as served against its morning plan; null before dispatch."
    )


class KpiDaysOut(BaseModel):
    """The figures of each day of a range, oldest first."""

    from_: str = Field(alias="from", description="First day of the range (ISO date).")
    to: str = Field(description="Last day of the range (ISO date).")
    days: list[DayKpisOut] = Field(description="Each day's figures, days without orders included.")
