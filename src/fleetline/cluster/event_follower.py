"""The engine handles every process's events, in the order of the event log.

The follower reads the log after its cursor every ``LOOK_EVERY_S`` (at once when this
process recorded events itself) and hands the events to the engine's bus, which is where
the live picture, exceptions, re-plans, solves and messages are started. Writers send no
notification: a ``NOTIFY`` would make their commits wait for each other. The cursor is
saved in the lease row after each batch: an engine that takes over starts where the last
one stopped, so an event committed while no engine ran is still handled (an event handled
just before a crash may be handled twice; its handlers allow that).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from fleetline.bus import MessageBus
from fleetline.cluster.lease import EngineLease
from fleetline.operations.ports import LogCursor, UnitOfWork

log = logging.getLogger(__name__)

BATCH = 500
"""Events read from the log at a time."""
LOOK_EVERY_S = 0.2
"""How often the log is read: an index look, the most a change waits to be handled."""


class EventFollower:
    """Reads the event log after its cursor and delivers what it finds to the bus.

    Parameters
    ----------
    uow_factory
        Opens a unit of work.
    bus
        The engine's bus; its events are delivered from here (``bus.relay`` is set).
    lease
        Where the cursor is saved.
    cursor
        Where the last event already handled is.
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        bus: MessageBus,
        lease: EngineLease,
        cursor: LogCursor,
    ) -> None:
        self._uow_factory = uow_factory
        self._bus = bus
        self._lease = lease
        self.cursor = cursor
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="event-log", daemon=True)
        bus.relay = lambda _events: self._wake.set()

    def start(self) -> None:
        """Start following the log."""
        self._thread.start()

    def wake(self) -> None:
        """Read the log now (this process committed events)."""
        self._wake.set()

    def close(self) -> None:
        """Stop following (after the batch under way)."""
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(timeout=LOOK_EVERY_S)
            self._wake.clear()
            try:
                while not self._stopping.is_set() and self._follow_once() == BATCH:
                    pass
            except Exception:
                log.exception("reading the event log failed; trying again")
                self._stopping.wait(LOOK_EVERY_S)

    def _follow_once(self) -> int:
        with self._uow_factory() as uow:
            batch = uow.events.committed_after(self.cursor, limit=BATCH)
        if not batch:
            return 0
        self._bus.deliver([logged.event for logged in batch])
        self.cursor = batch[-1].cursor
        self._lease.save_cursor(self.cursor)
        return len(batch)
