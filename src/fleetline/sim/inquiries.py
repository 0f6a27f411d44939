"""Simulated clients who call customer service: when a delivery is late or its time uncertain.

The model is judged from what happened on the simulated day, as the client lived it:

- **late**: the delivery has not arrived ``grace_min`` minutes after the promised window
  ended (late, failed, postponed or never served). The client calls with probability
  ``p_late_told`` when a message about it (a delay, a new window, the failed attempt)
  reached them before the promised window ended, else ``p_late_untold``.
- **uncertain**: the promised window is at least ``wide_window_h`` long and the delivery
  has not arrived by its middle. The client calls with probability ``p_uncertain_told``
  when a message with a time (its window, a narrowed window, out for delivery, a delay)
  reached them by then, else ``p_uncertain_untold``.

A client calls at most once per order, at the moment the rule fires (the first that
does), and the call is logged as a real inquiry (``POST /api/v1/orders/{id}/inquiries``)
so that ``GET /api/v1/kpis`` counts it. Each order has its own random draws from the
seed and its reference, the same in every mode: a client facing the same circumstances
makes the same choice, and only what differs between modes changes the calls.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

LEFT = frozenset({"sent", "recorded"})
"""Message statuses that mean the message left the outbox (reached the client)."""
LATE_NEWS = frozenset({"delay", "rescheduled", "failed"})
"""Messages that tell a client its delivery will not come as promised."""
TIME_NEWS = frozenset(
    {"promised_window", "narrowed_window", "out_for_delivery", "delay", "rescheduled"}
)
"""Messages that tell a client when its delivery comes."""


@dataclass(frozen=True, slots=True)
class InquiryModel:
    """When simulated clients call (see the module's description).

    Attributes
    ----------
    grace_min
        Minutes after the promised window's end a client waits before calling.
    p_late_untold, p_late_told
        Probability that a client whose delivery is late calls, not told / told in time.
    wide_window_h
        Windows at least this long (hours) leave a client unsure when the truck comes.
    p_uncertain_untold, p_uncertain_told
        Probability that a client with a wide window calls at its middle, no time told /
        a time told.
    channel
        The channel the inquiries are logged with.
    """

    grace_min: int = 15
    p_late_untold: float = 0.6
    p_late_told: float = 0.15
    wide_window_h: float = 4.0
    p_uncertain_untold: float = 0.25
    p_uncertain_told: float = 0.05
    channel: str = "phone"

    def __post_init__(self) -> None:
        for name in ("p_late_untold", "p_late_told", "p_uncertain_untold", "p_uncertain_told"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        if self.grace_min < 0 or self.wide_window_h <= 0:
            raise ValueError("grace_min must not be negative and wide_window_h must be positive")

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready values."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> InquiryModel:
        """The model :meth:`as_dict` wrote."""
        return cls(**values)


@dataclass(frozen=True, slots=True)
class Call:
    """One client's decision at the moment a rule fired (called or not)."""

    order: str
    rule: str
    at: str
    told: bool
    probability: float
    draw: float
    called: bool


def draws(seed: int, reference: str) -> tuple[float, float]:
    """The order's two uniform draws (late rule, uncertain rule), the same in every mode."""
    rng = random.Random(f"{seed}/inquiry/{reference}")
    return rng.random(), rng.random()


def told_by(messages: Iterable[Mapping[str, Any]], kinds: frozenset[str], moment: datetime) -> bool:
    """Whether a message of one of ``kinds`` left the outbox before ``moment``."""
    for message in messages:
        sent = message.get("sent_at")
        left = message.get("event") in kinds and message.get("status") in LEFT
        if left and sent and datetime.fromisoformat(sent) < moment:
            return True
    return False


def decide(
    model: InquiryModel, rule: str, told: bool, draw: float, order: str, at: datetime
) -> Call:
    """Whether the client calls when ``rule`` fires, given what it was told and its draw."""
    if rule == "late":
        probability = model.p_late_told if told else model.p_late_untold
    else:
        probability = model.p_uncertain_told if told else model.p_uncertain_untold
    return Call(order, rule, at.isoformat(), told, probability, round(draw, 6), draw < probability)


@dataclass(slots=True)
class _Watch:
    order_id: str
    reference: str
    start: datetime
    end: datetime
    done: bool = False
    uncertain_checked: bool = False


@dataclass(slots=True)
class Clients:
    """The day's clients: watch promised windows, and call when a rule fires.

    Parameters
    ----------
    model
        The inquiry model.
    seed
        The day's seed (the clients' draws).
    """

    model: InquiryModel
    seed: int
    calls: list[Call] = field(default_factory=list)
    _watched: dict[str, _Watch] = field(default_factory=dict)

    def promise(self, order_id: str, reference: str, start: datetime, end: datetime) -> None:
        """The window the client was promised (the first one stays; see :meth:`moved`)."""
        if order_id not in self._watched:
            self._watched[order_id] = _Watch(order_id, reference, start, end)

    def moved(self, order_id: str, minutes: int) -> None:
        """The client asked for its window to move later: it now expects the new one."""
        watch = self._watched.get(order_id)
        if watch is not None:
            delta = timedelta(minutes=minutes)
            watch.start, watch.end = watch.start + delta, watch.end + delta

    @property
    def watched(self) -> int:
        """Orders whose promised window is known."""
        return len(self._watched)

    def due(
        self, now: datetime, arrived: Mapping[str, datetime]
    ) -> list[tuple[str, str, datetime]]:
        """The rules that fire by ``now``: ``(order_id, rule, moment)``, in time order.

        At the same moment, by the order's reference: every replay calls in the same order.

        An order arrived before a rule's moment never fires it.
        """
        fired = []
        grace = timedelta(minutes=self.model.grace_min)
        wide = timedelta(hours=self.model.wide_window_h)
        for watch in self._watched.values():
            if watch.done:
                continue
            came = arrived.get(watch.order_id)
            middle = watch.start + (watch.end - watch.start) / 2
            if not watch.uncertain_checked and watch.end - watch.start >= wide and middle <= now:
                watch.uncertain_checked = True
                if came is None or came > middle:
                    fired.append((watch.order_id, "uncertain", middle))
                    continue
            late_at = watch.end + grace
            if late_at <= now:
                watch.done = True
                if came is None or came > late_at:
                    fired.append((watch.order_id, "late", late_at))
        references = {w.order_id: w.reference for w in self._watched.values()}
        return sorted(fired, key=lambda f: (f[2], references[f[0]], f[1]))

    def answer(
        self, order_id: str, rule: str, moment: datetime, messages: Iterable[Mapping[str, Any]]
    ) -> Call:
        """The client's decision when ``rule`` fired at ``moment``, from its messages."""
        watch = self._watched[order_id]
        late_draw, uncertain_draw = draws(self.seed, watch.reference)
        if rule == "late":
            told = told_by(messages, LATE_NEWS, watch.end)
            call = decide(self.model, rule, told, late_draw, watch.reference, moment)
        else:
            told = told_by(messages, TIME_NEWS, moment)
            call = decide(self.model, rule, told, uncertain_draw, watch.reference, moment)
        if call.called:
            watch.done = True
        self.calls.append(call)
        return call
