"""Hands the stored traffic incidents to travel times that follow traffic.

Called before every refresh of the live picture, so that an incident reported through the
API (or one that starts or ends on its own schedule) is in the ETAs of the next refresh,
within about a second. The traffic layer compares what is in force and does nothing when
nothing changed, so a feed of many repeated updates costs a query and a comparison.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from fleetline.clock import Clock
from fleetline.domain.live import TrafficIncident
from fleetline.operations.ports import UnitOfWork


@runtime_checkable
class FollowsTraffic(Protocol):
    """Travel times that take the incidents in force into account."""

    def update(self, incidents: Sequence[TrafficIncident], now: datetime) -> bool:
        """Take the incidents; return whether travel times changed."""
        ...


class TrafficFeed:
    """Keeps traffic-aware travel times in step with the incidents in the store."""

    def __init__(
        self, uow_factory: Callable[[], UnitOfWork], clock: Clock, target: FollowsTraffic
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._target = target

    def sync(self) -> bool:
        """Give the travel times the incidents active now; return whether they changed."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            incidents = uow.traffic.active(now)
        return self._target.update(incidents, now)
