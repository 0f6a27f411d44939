"""A morning's thousands of ETA-driven messages are queued in short transactions: every
message is queued once, in its order, and an order's messages are weighed together."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, strategies as st

from fleetline.comms.forecast_rules import orders_in_batches
from fleetline.domain.commands import ForecastNotice

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
KINDS = ("out_for_delivery", "narrowed_window", "delay")


def _notice(order: int, kind: str) -> ForecastNotice:
    return ForecastNotice(
        order_id=f"o{order}", kind=kind, window_start=START, window_end=START + timedelta(hours=1)
    )


@given(
    st.lists(st.tuples(st.integers(0, 30), st.sampled_from(KINDS)), max_size=120),
    st.integers(1, 12),
)
def test_batches_keep_every_notice_once_and_an_orders_notices_together(
    pairs: list[tuple[int, str]], per_batch: int
) -> None:
    notices = [_notice(order, kind) for order, kind in pairs]
    batches = orders_in_batches(notices, per_batch)
    flat = [n for batch in batches for n in batch]
    assert sorted(flat, key=repr) == sorted(notices, key=repr)
    assert all(batch for batch in batches)
    owner: dict[str, int] = {}
    for index, batch in enumerate(batches):
        orders = {n.order_id for n in batch}
        assert len(orders) <= per_batch
        for order_id in orders:
            assert owner.setdefault(order_id, index) == index
    for order_id in owner:  # an order's notices keep the order they came in
        assert [n for n in flat if n.order_id == order_id] == [
            n for n in notices if n.order_id == order_id
        ]


def test_a_morning_of_messages_goes_in_short_commits() -> None:
    notices = [_notice(order, "out_for_delivery") for order in range(4000)]
    batches = orders_in_batches(notices, 50)
    assert len(batches) == 80
    assert orders_in_batches([], 50) == []
