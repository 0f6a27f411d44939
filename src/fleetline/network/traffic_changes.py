"""The incidents a traffic-aware provider follows, and when a change of them takes effect.

Only what changes travel times tells two incident lists apart (see :func:`incident_key`):
an incident whose note, source or end time changed is the same incident to the roads.
A change takes effect through ``apply`` (the road network's customization), at most once
every ``min_interval_s`` when applying is costly; a change arriving sooner is held and
taken up, with the latest state, by the first call after the interval (or a timer).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime

from fleetline.domain.live import TrafficIncident

IncidentKey = tuple[str, str, float | None, object]
"""An incident as the roads see it: id, kind, factor and area."""


def incident_key(incident: TrafficIncident) -> IncidentKey:
    """What about an incident changes travel times (not its note, source or end time)."""
    return (incident.id, incident.kind.value, incident.factor, incident.area)


class TrafficChanges:
    """Which incidents are in force, and when a change of them takes effect.

    Parameters
    ----------
    apply
        Makes incidents take effect (sorted by id), before they count as applied;
        ``None`` when that costs nothing, and then no change is ever held back.
    on_change
        Called with the new :attr:`version` each time incidents took effect, before the
        listeners.
    min_interval_s
        With ``apply``: changes take effect at least this far apart.
    monotonic
        Seconds for ``min_interval_s``.
    background
        Take up a held change with a timer thread when its interval is over.
    """

    def __init__(
        self,
        apply: Callable[[list[TrafficIncident]], None] | None,
        on_change: Callable[[int], None],
        *,
        min_interval_s: float,
        monotonic: Callable[[], float] = time.monotonic,
        background: bool = False,
    ) -> None:
        self._apply = apply
        self._on_change = on_change
        self._min_interval_s = min_interval_s
        self._monotonic = monotonic
        self._background = background
        self._lock = threading.RLock()
        self._apply_lock = threading.Lock()
        self._incidents: tuple[TrafficIncident, ...] = ()
        self._wanted: dict[IncidentKey, TrafficIncident] = {}
        self._applied: dict[IncidentKey, TrafficIncident] = {}
        self._next_change: datetime | None = None
        self._last_apply: float | None = None
        self._timer: threading.Timer | None = None
        self._listeners: list[Callable[[int], None]] = []
        self.version = 0
        """Grows by one each time incidents take effect."""

    @property
    def pending(self) -> bool:
        """Whether a change of incidents is waiting for its turn to take effect."""
        with self._lock:
            return self._wanted.keys() != self._applied.keys()

    @property
    def applied(self) -> tuple[TrafficIncident, ...]:
        """The incidents in effect, in the order of the list they came in."""
        with self._lock:
            return tuple(self._applied.values())

    def update(self, incidents: Sequence[TrafficIncident], now: datetime) -> bool:
        """Take the latest incident list, read at ``now``; whether travel times changed."""
        with self._lock:
            self._incidents = tuple(incidents)
            self._evaluate(now)
        return self._apply_if_due()

    def poll(self, now: datetime | None = None) -> bool:
        """Read the known incidents again at ``now`` (when given) and apply a held change."""
        if now is not None:
            with self._lock:
                self._evaluate(now)
        return self._apply_if_due()

    def catch_up(self, now: Callable[[], datetime] | None) -> None:
        """Take up, before an answer, what is due: incidents started or ended by ``now()``.

        Without a clock (``now`` is ``None``), or when nothing started or ended, a held
        change whose interval is over.
        """
        if now is not None:
            with self._lock:
                due = self._next_change is not None and now() >= self._next_change
            if due:
                self.poll(now())
                return
        if self.pending:
            self._apply_if_due()

    def subscribe(self, listener: Callable[[int], None]) -> None:
        """Call ``listener(version)`` after every change of travel times."""
        with self._lock:
            self._listeners.append(listener)

    def close(self) -> None:
        """Stop the timer of a held change."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()

    def _evaluate(self, now: datetime) -> None:
        """Work out the wanted incidents at ``now``; the lock must be held."""
        wanted: dict[IncidentKey, TrafficIncident] = {}
        upcoming: list[datetime] = []
        for incident in self._incidents:
            if incident.active_at(now):
                wanted[incident_key(incident)] = incident
                if incident.ends_at is not None:
                    upcoming.append(incident.ends_at)
            elif incident.starts_at > now:
                upcoming.append(incident.starts_at)
        self._wanted = wanted
        self._next_change = min(upcoming, default=None)

    def _apply_if_due(self) -> bool:
        with self._lock:
            if self._wanted.keys() == self._applied.keys():
                return False
            if self._apply is not None and self._last_apply is not None:
                wait = self._last_apply + self._min_interval_s - self._monotonic()
                if wait > 0:
                    self._schedule(wait)
                    return False
        with self._apply_lock:
            with self._lock:
                wanted = dict(self._wanted)
                if wanted.keys() == self._applied.keys():
                    return False  # another thread applied it meanwhile
            if self._apply is not None:
                self._apply(sorted(wanted.values(), key=lambda i: i.id))
            with self._lock:
                self._applied = wanted
                self._last_apply = self._monotonic()
                self.version += 1
                version, listeners = self.version, list(self._listeners)
        self._on_change(version)
        for listener in listeners:
            listener(version)
        return True

    def _schedule(self, wait: float) -> None:
        """Start a timer for a held change (``background`` only); the lock must be held."""
        if not self._background or (self._timer is not None and self._timer.is_alive()):
            return
        self._timer = threading.Timer(wait + 0.01, self._apply_if_due)
        self._timer.daemon = True
        self._timer.start()
