"""Client messages of a simulated day, sent at the simulated moment they were queued.

In a server the outbox sends from a thread of its own as soon as messages are queued. A
simulated day moves its clock as fast as the machine goes, so a thread would stamp a
message with whatever simulated moment it reached: a busier machine, or messages queued
in several transactions, would tell clients later and change the day. In-process, the
day runs the outbox itself before its clock moves on: what was queued at a moment leaves
at that moment, on every machine.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

from fleetline.clock import Clock
from fleetline.comms.outbox import OutboxDispatcher

RETRY_LOOK = timedelta(minutes=1)
"""With nothing newly queued, how often the outbox is still looked at (retries fall due)."""


class SimulatedSends:
    """Runs the outbox between two moves of a simulated clock.

    Parameters
    ----------
    outbox
        The installation's outbox, its own thread not started.
    clock
        The simulated clock.
    """

    def __init__(self, outbox: OutboxDispatcher, clock: Clock) -> None:
        self._outbox = outbox
        self._clock = clock
        self._queued = threading.Event()
        self._next_look: datetime | None = None

    def on_event(self, _event: Any) -> None:
        """Event handler: messages were queued, or the hold on them changed."""
        self._queued.set()

    def __call__(self) -> int:
        """Send what is due now; return how many messages changed status.

        Looks when something was queued since the last call, or once a simulated minute
        (retries scheduled by a failed send fall due with the clock).
        """
        now = self._clock.now()
        if not self._queued.is_set() and self._next_look is not None and now < self._next_look:
            return 0
        self._queued.clear()
        self._next_look = now + RETRY_LOOK
        return self._outbox.drain().moved
