"""How the company is run on a simulated day: unified (Fleetline as built) or siloed.

- **unified**: the re-planning policies stay as the product ships them, client messages
  leave as the rules queue them, and the simulated dispatcher applies each exception's
  first-ranked option a few minutes after it opened.
- **siloed**: the 6 AM plan is never re-optimized by the system (every re-planning policy
  is set to ``approve``), no message reaches a client (the message hold is on all day),
  and a dispatcher who learns of a problem by phone applies the simplest manual remedy
  after a longer delay plus a phone call to each driver the remedy concerns; re-plans the
  system proposes (changed windows, late trucks, closures) are dismissed: the plan stays.

Everything is set through the public API, as a customer would configure the product.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

UNIFIED, SILOED = "unified", "siloed"
MODES = (UNIFIED, SILOED)

SILOED_REMEDIES: dict[str, tuple[str, ...]] = {
    "breakdown": ("rescue", "redistribute", "postpone"),
    "failed_delivery": ("postpone",),
}
"""The siloed dispatcher's remedy per kind of exception, the first offered one applied.

A breakdown: one truck is phoned to take over the load (``rescue``); only when the system
offers no rescuer, the neighbours reload (``redistribute``), else the stops wait for
tomorrow. A failed delivery: the goods come back and go out tomorrow (``postpone``). Any
other kind (re-plans waiting for approval): dismissed, the morning plan stays.
"""

DRIVERS_CALLED: dict[str, int] = {
    "rescue": 2,
    "redistribute": 3,
    "postpone": 1,
    "retry_today": 1,
    "replan": 2,
}
"""Drivers the dispatcher phones to carry out a remedy (the broken truck's, the helpers')."""


@dataclass(frozen=True, slots=True)
class OperatorModel:
    """How exceptions are decided and what the system is allowed to do by itself.

    Attributes
    ----------
    mode
        ``unified`` or ``siloed``.
    delay_s
        The dispatcher's delay from an exception's opening to the decision, drawn uniformly
        from this range (seconds) for each exception.
    phone_s
        Seconds of phone call per driver a remedy concerns (:data:`DRIVERS_CALLED`),
        added to the delay: the plan changes once the last driver is told.
    remedies
        Per kind of exception, the option kinds to apply, the first offered one; a kind
        not listed takes the first-ranked option, an empty list is dismissed. ``None``:
        every exception takes its first-ranked option.
    hold_messages
        Keep the message hold on all day (no message reaches a client).
    approve_all
        Set every re-planning policy to ``approve`` (nothing applies itself).
    """

    mode: str = UNIFIED
    delay_s: tuple[int, int] = (120, 300)
    phone_s: int = 0
    remedies: Mapping[str, tuple[str, ...]] | None = None
    hold_messages: bool = False
    approve_all: bool = False

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        low, high = self.delay_s
        if not 0 <= low <= high:
            raise ValueError("delay_s must be two seconds counts, low then high")
        if self.phone_s < 0:
            raise ValueError("phone_s must not be negative")

    @classmethod
    def unified(cls, delay_s: tuple[int, int] = (120, 300)) -> OperatorModel:
        """Fleetline as built: product policies, messages on, ranked options in minutes."""
        return cls(UNIFIED, delay_s)

    @classmethod
    def siloed(cls, delay_s: tuple[int, int] = (900, 2700), phone_s: int = 180) -> OperatorModel:
        """The plan is never re-optimized, no messages, manual remedies by phone."""
        return cls(SILOED, delay_s, phone_s, dict(SILOED_REMEDIES), True, True)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready values."""
        out = dataclasses.asdict(self)
        out["delay_s"] = list(self.delay_s)
        if self.remedies is not None:
            out["remedies"] = {k: list(v) for k, v in self.remedies.items()}
        return out

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> OperatorModel:
        """The model :meth:`as_dict` wrote."""
        kwargs = dict(values)
        kwargs["delay_s"] = tuple(kwargs.get("delay_s", (120, 300)))
        if kwargs.get("remedies") is not None:
            kwargs["remedies"] = {k: tuple(v) for k, v in kwargs["remedies"].items()}
        return cls(**kwargs)

    def options_to_try(self, exception: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The options to apply, in order of preference (empty: dismiss the exception)."""
        options = sorted(exception.get("options") or (), key=lambda o: o["rank"])
        if self.remedies is None or exception["kind"] not in self.remedies:
            return list(options) if self.remedies is None or self.mode == UNIFIED else []
        wanted = self.remedies[exception["kind"]]
        return [o for kind in wanted for o in options if o.get("kind") == kind]

    def delay(self, exception: Mapping[str, Any], seed: int, number: int) -> timedelta:
        """The delay of the ``number``-th exception of the day (seeded, mode-independent).

        The draw depends on the seed, the exception's kind and its number among the day's
        exceptions, plus the phone calls of the remedy that will be applied.
        """
        low, high = self.delay_s
        rng = random.Random(f"{seed}/decision/{exception['kind']}/{number}")
        seconds = rng.uniform(low, high)
        chosen = self.options_to_try(exception)
        if chosen:
            seconds += self.phone_s * DRIVERS_CALLED.get(str(chosen[0].get("kind")), 1)
        return timedelta(seconds=round(seconds))


@dataclass(slots=True)
class ModeSetup:
    """What was set through the API before the day started (for the report)."""

    policies: list[dict[str, Any]] = field(default_factory=list)
    hold: dict[str, Any] | None = None


def prepare_mode(api: Any, model: OperatorModel) -> ModeSetup:
    """Configure the installation for the mode through the API, before the day starts.

    Parameters
    ----------
    api
        A :class:`~fleetline.sim.client.FleetApi`.
    model
        The operator model.

    Returns
    -------
    ModeSetup
        The policies in force and the hold, as the API answered.
    """
    setup = ModeSetup()
    if model.approve_all:
        for policy in api.need("GET", "/api/v1/replan-policies"):
            body: dict[str, Any] = {"mode": "approve"}
            api.need("PUT", f"/api/v1/replan-policies/{policy['trigger']}", body)
    if model.hold_messages:
        reason = "siloed operation: clients hear nothing from the system"
        setup.hold = api.need("PUT", "/api/v1/notifications/hold", {"held": True, "reason": reason})
    setup.policies = list(api.need("GET", "/api/v1/replan-policies"))
    return setup


def due_at(opened_at: str, delay: timedelta) -> datetime:
    """When the dispatcher decides an exception opened at ``opened_at``."""
    return datetime.fromisoformat(opened_at) + delay


def kinds_of(options: Sequence[Mapping[str, Any]]) -> list[str]:
    """The option kinds offered, in rank order."""
    return [str(o.get("kind")) for o in sorted(options, key=lambda o: o["rank"])]
