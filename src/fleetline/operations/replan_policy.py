"""Re-optimization policies: per trigger, apply re-plans by themselves or ask a dispatcher.

A policy never set is the trigger's default (:data:`DEFAULT_POLICIES`); setting one is a
command, recorded as a :class:`~fleetline.domain.events.ReplanPolicyChanged` event.
"""

from __future__ import annotations

from dataclasses import dataclass

from fleetline.bus import Context
from fleetline.domain import commands, events
from fleetline.domain.errors import InvalidField
from fleetline.domain.live import ExceptionKind, ReplanMode, ReplanTrigger
from fleetline.operations.ports import UnitOfWork

MIN_THRESHOLD_S, MAX_THRESHOLD_S = 60, 4 * 3600


@dataclass(frozen=True, slots=True)
class ReplanPolicy:
    """What a trigger does: apply re-plans by themselves (``auto``) or ask (``approve``).

    ``threshold_s`` is the lateness from which a vehicle counts as running late
    (``vehicle_late`` only); ``default`` tells a policy nobody has set yet.
    """

    trigger: ReplanTrigger
    mode: ReplanMode
    threshold_s: int | None = None
    default: bool = False

    def __post_init__(self) -> None:
        if self.threshold_s is not None and self.trigger is not ReplanTrigger.VEHICLE_LATE:
            raise InvalidField("threshold_s", "only vehicle_late has a threshold")
        if self.threshold_s is not None and not (
            MIN_THRESHOLD_S <= self.threshold_s <= MAX_THRESHOLD_S
        ):
            raise InvalidField("threshold_s", "must be between 60 s and 4 hours")


DEFAULT_POLICIES = {
    p.trigger: p
    for p in (
        ReplanPolicy(ReplanTrigger.BREAKDOWN, ReplanMode.APPROVE, default=True),
        ReplanPolicy(ReplanTrigger.FAILED_DELIVERY, ReplanMode.APPROVE, default=True),
        ReplanPolicy(ReplanTrigger.WINDOW_CHANGE, ReplanMode.AUTO, default=True),
        ReplanPolicy(ReplanTrigger.URGENT_ORDER, ReplanMode.AUTO, default=True),
        ReplanPolicy(ReplanTrigger.VEHICLE_LATE, ReplanMode.APPROVE, 1200, default=True),
        ReplanPolicy(ReplanTrigger.ROAD_CLOSURE, ReplanMode.APPROVE, default=True),
    )
}
"""The policy of each trigger until a dispatcher sets one."""

EXCEPTION_OF = {
    ReplanTrigger.WINDOW_CHANGE: ExceptionKind.WINDOW_UNMET,
    ReplanTrigger.URGENT_ORDER: ExceptionKind.WINDOW_UNMET,
    ReplanTrigger.VEHICLE_LATE: ExceptionKind.VEHICLE_LATE,
    ReplanTrigger.ROAD_CLOSURE: ExceptionKind.ROAD_CLOSURE,
}
"""The kind of exception a trigger's re-plan waits in for approval."""
TRIGGER_OF_KIND = {
    ExceptionKind.BREAKDOWN: ReplanTrigger.BREAKDOWN,
    ExceptionKind.FAILED_DELIVERY: ReplanTrigger.FAILED_DELIVERY,
}
"""Exceptions opened elsewhere whose best option an ``auto`` policy applies."""


def policy_of(uow: UnitOfWork, trigger: ReplanTrigger) -> ReplanPolicy:
    """The policy in force for ``trigger``: the stored one, else the default."""
    stored = uow.replan_policies.get(trigger)
    if stored is None:
        return DEFAULT_POLICIES[trigger]
    return ReplanPolicy(trigger, stored[0], stored[1])


def all_policies(uow: UnitOfWork) -> list[ReplanPolicy]:
    """The policy of every trigger, in the order of :class:`ReplanTrigger`."""
    return [policy_of(uow, trigger) for trigger in ReplanTrigger]


def set_replan_policy(
    command: commands.SetReplanPolicy, uow: UnitOfWork, context: Context
) -> ReplanPolicy:
    """Set a trigger's policy; ``vehicle_late`` keeps its threshold unless a new one is given."""
    threshold = command.threshold_s
    if threshold is None and command.trigger is ReplanTrigger.VEHICLE_LATE:
        threshold = policy_of(uow, command.trigger).threshold_s
    policy = ReplanPolicy(command.trigger, command.mode, threshold)
    uow.replan_policies.put(policy.trigger, policy.mode, policy.threshold_s)
    uow.record(
        events.ReplanPolicyChanged(
            occurred_at=context.clock.now(),
            trigger=policy.trigger.value,
            mode=policy.mode.value,
            threshold_s=policy.threshold_s,
        )
    )
    return policy
