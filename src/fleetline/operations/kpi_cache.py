"""The day's figures, computed once for all their readers rather than once for each.

Computing a 200-truck day's figures reads every order, stop report, message and sampled
prediction of the day: seconds of work. Every dispatcher's KPI strip, the Figures page
and ``GET /api/v1/kpis`` ask for them, so they are kept per day and shared. A change this
process sees (any event but a position) makes the next read compute them again; without
one they are computed again in the background once ``max_age_s`` old, while readers get
the last figures meanwhile, so that no read waits on the computation but the first.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from fleetline.domain.events import Event, PositionsReceived
from fleetline.operations.kpis import DayKpis, day_kpis
from fleetline.operations.ports import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Kept:
    figures: DayKpis
    computed_at: float
    """``time.monotonic()`` when the computation started."""


class DayFigures:
    """Each day's figures, shared by every reader of this process.

    Parameters
    ----------
    uow_factory
        Opens a unit of work.
    max_age_s
        Seconds after which figures are computed again (in the background) although
        this process saw no change: the changes other processes make, and the messages
        sent and predictions recorded meanwhile.
    compute
        Computes a day's figures (:func:`~fleetline.operations.kpis.day_kpis`).
    follows_engine
        A face of a split installation: the engine computes the figures and sends them
        with its pictures (:meth:`adopt`); this process computes them only before the
        engine's first arrive.
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        max_age_s: float = 10.0,
        compute: Callable[[UnitOfWork, date], DayKpis] = day_kpis,
        *,
        follows_engine: bool = False,
    ) -> None:
        self._follows_engine = follows_engine
        self._uow_factory = uow_factory
        self._compute_figures = compute
        self._max_age_s = max_age_s
        self._lock = threading.Lock()
        self._kept: dict[date, _Kept] = {}
        self._changed_at = 0.0
        self._computing: dict[date, threading.Lock] = {}
        self._refreshing: set[date] = set()

    def of(self, day: date) -> DayKpis:
        """Return the day's figures: the kept ones, unless a change came after them."""
        with self._lock:
            kept = self._kept.get(day)
            changed_at = self._changed_at
        if kept is not None and self._follows_engine:
            return kept.figures
        if kept is None or kept.computed_at < changed_at:
            return self._compute(day, newer_than=0.0)
        if time.monotonic() - kept.computed_at >= self._max_age_s:
            self._refresh_in_background(day)
        return kept.figures

    def latest(self, day: date) -> DayKpis | None:
        """Return the kept figures of the day at once (``None`` before the first).

        New ones are computed in the background when a change or their age calls for it:
        the engine sends these with its pictures and never waits for the computation.
        """
        with self._lock:
            kept = self._kept.get(day)
            changed_at = self._changed_at
        if (
            kept is None
            or kept.computed_at < changed_at
            or time.monotonic() - kept.computed_at >= self._max_age_s
        ):
            self._refresh_in_background(day)
        return kept.figures if kept is not None else None

    def adopt(self, figures: DayKpis) -> None:
        """Keep figures computed elsewhere (by the engine) as the day's."""
        with self._lock:
            self._kept[figures.date] = _Kept(figures, time.monotonic())

    def on_event(self, event: Event) -> None:
        """Note a change: the next read computes the figures again (positions aside)."""
        if isinstance(event, PositionsReceived):
            return
        self.forget()

    def forget(self) -> None:
        """Compute every day's figures again at its next read (e.g. after messages left)."""
        with self._lock:
            self._changed_at = time.monotonic()

    def _compute(self, day: date, newer_than: float) -> DayKpis:
        """Compute the day's figures, once for every reader waiting on it.

        A computation that started after the last change (and after ``newer_than``) and
        ended while this one waited for its turn is used as it is.
        """
        with self._lock:
            computing = self._computing.setdefault(day, threading.Lock())
        with computing:
            with self._lock:
                kept = self._kept.get(day)
                wanted_after = max(newer_than, self._changed_at)
            if kept is not None and kept.computed_at >= wanted_after:
                return kept.figures
            started = time.monotonic()
            with self._uow_factory() as uow:
                figures = self._compute_figures(uow, day)
            with self._lock:
                self._kept[day] = _Kept(figures, started)
            return figures

    def _refresh_in_background(self, day: date) -> None:
        with self._lock:
            if day in self._refreshing:
                return
            self._refreshing.add(day)

        def refresh() -> None:
            try:
                self._compute(day, newer_than=time.monotonic())
            except Exception:
                log.exception("computing the figures of %s failed", day)
            finally:
                with self._lock:
                    self._refreshing.discard(day)

        threading.Thread(target=refresh, name="day-figures", daemon=True).start()
