"""The simulated clients: who calls when a delivery is late or its time uncertain."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from fleetline.sim.inquiries import Clients, InquiryModel, draws, told_by

T = datetime.fromisoformat("2026-11-26T10:00:00+01:00")
SURE = InquiryModel(
    p_late_untold=1.0, p_late_told=0.0, p_uncertain_untold=1.0, p_uncertain_told=0.0
)


def _message(kind: str, sent: datetime, status: str = "recorded") -> dict[str, object]:
    return {"event": kind, "status": status, "sent_at": sent.isoformat()}


def test_a_late_client_told_in_time_calls_less_than_one_left_in_the_dark() -> None:
    """A delivery still missing 15 min after its window: the client calls when nobody
    told it, and not when a delay message reached it before the window ended."""
    clients = Clients(SURE, seed=1)
    clients.promise("o1", "PO-1", T, T + timedelta(hours=2))
    clients.promise("o2", "PO-2", T, T + timedelta(hours=2))
    assert clients.due(T + timedelta(hours=2, minutes=14), {}) == []
    fired = clients.due(T + timedelta(hours=2, minutes=15), {})
    assert [(o, rule) for o, rule, _ in fired] == [("o1", "late"), ("o2", "late")]
    untold = clients.answer("o1", "late", fired[0][2], [])
    told = clients.answer("o2", "late", fired[1][2], [_message("delay", T + timedelta(hours=1))])
    assert untold.called and not untold.told
    assert told.told and not told.called
    assert untold.at == (T + timedelta(hours=2, minutes=15)).isoformat()


def test_a_delivery_on_time_or_a_message_too_late_changes_the_answer() -> None:
    """A truck that arrived inside the window fires nothing; a delay message that left
    after the window ended does not count as told."""
    clients = Clients(SURE, seed=1)
    clients.promise("o1", "PO-1", T, T + timedelta(hours=2))
    clients.promise("o2", "PO-2", T, T + timedelta(hours=2))
    arrived = {"o1": T + timedelta(minutes=30)}
    fired = clients.due(T + timedelta(hours=3), arrived)
    assert [o for o, _, _ in fired] == ["o2"]
    late_news = [_message("delay", T + timedelta(hours=2, minutes=5))]
    assert not told_by(late_news, frozenset({"delay"}), T + timedelta(hours=2))
    queued = [_message("delay", T, status="queued")]
    assert not told_by(queued, frozenset({"delay"}), T + timedelta(hours=2))


def test_a_wide_window_without_a_time_makes_the_client_ask_at_its_middle() -> None:
    """An all-day window (8 h) with no delivery by noon: the client asks where it is,
    once; having called, it does not call again when the delivery is late too."""
    clients = Clients(SURE, seed=1)
    clients.promise("o1", "PO-1", T - timedelta(hours=2), T + timedelta(hours=6))
    fired = clients.due(T + timedelta(hours=2), {})
    assert [(o, rule) for o, rule, _ in fired] == [("o1", "uncertain")]
    call = clients.answer("o1", "uncertain", fired[0][2], [])
    assert call.called
    assert clients.due(T + timedelta(hours=8), {}) == []


def test_a_client_who_moved_its_window_expects_the_new_one() -> None:
    """A client that moved its window 60 min later is not late until the new one ends."""
    clients = Clients(SURE, seed=1)
    clients.promise("o1", "PO-1", T, T + timedelta(hours=2))
    clients.moved("o1", 60)
    assert clients.due(T + timedelta(hours=2, minutes=30), {}) == []
    assert clients.due(T + timedelta(hours=3, minutes=15), {})[0][1] == "late"


def test_each_order_draws_the_same_in_every_mode_and_the_probability_decides() -> None:
    """The draws depend on the seed and the order alone, so the same circumstances give
    the same call in both modes; the stated probability is what separates them."""
    assert draws(3, "PO-7") == draws(3, "PO-7")
    assert draws(3, "PO-7") != draws(4, "PO-7")
    model = InquiryModel(p_late_untold=0.6, p_late_told=0.15)
    calls = 0
    for n in range(2000):
        clients = Clients(model, seed=5)
        clients.promise("o", f"PO-{n}", T, T + timedelta(hours=1))
        clients.due(T + timedelta(hours=2), {})
        calls += clients.answer("o", "late", T + timedelta(hours=2), []).called
    assert calls / 2000 == pytest.approx(0.6, abs=0.04)


def test_probabilities_outside_zero_and_one_are_refused() -> None:
    """A mistyped probability is named instead of silently skewing the study."""
    with pytest.raises(ValueError, match="p_late_told"):
        InquiryModel(p_late_told=1.5)
