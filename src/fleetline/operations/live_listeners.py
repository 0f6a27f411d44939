"""What follows a new live picture, kept off the refresher's path.

The consumers of each picture (the ETA-driven client messages, the re-planner's lateness
watch) read and write the store and may take a while on a large day. The refresher hands
them each picture it publishes and goes back to computing the next one, so a position
reaches the consoles without waiting for them. Pictures of a day that pile up while the
listeners are busy are coalesced: they see only the newest, since each rule reads the
whole picture. Listeners never run twice at once, nor on a picture older than one they
have already seen.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fleetline.operations.live_service import LivePicture

log = logging.getLogger(__name__)

Listener = Callable[["LivePicture"], None]


class PictureListeners:
    """Runs the listeners of the live picture, inline or on their own thread.

    Parameters
    ----------
    listeners
        Returns the listeners to call (read at each run, so listeners added later count).
    """

    def __init__(self, listeners: Callable[[], Iterable[Listener]]) -> None:
        self._listeners = listeners
        self._pending: dict[date, LivePicture] = {}
        self._seen: dict[date, int] = {}
        self._guard = threading.Lock()
        self._running = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def run_now(self, picture: LivePicture) -> None:
        """Call every listener with ``picture`` in the calling thread, after any run under way."""
        with self._guard:
            self._pending.pop(picture.snapshot.date, None)
        self._run(picture)

    def hand_over(self, picture: LivePicture) -> None:
        """Queue ``picture`` for the listeners' thread, replacing an older one of its day."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="live-listeners", daemon=True)
            self._thread.start()
        with self._guard:
            self._pending[picture.snapshot.date] = picture
        self._wake.set()

    def close(self) -> None:
        """Stop the listeners' thread; pictures still queued are dropped."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait()
            self._wake.clear()
            while not self._stopping.is_set():
                with self._guard:
                    if not self._pending:
                        break
                    day = min(self._pending)
                    picture = self._pending.pop(day)
                self._run(picture)

    def _run(self, picture: LivePicture) -> None:
        day = picture.snapshot.date
        with self._running:
            if self._seen.get(day, -1) >= picture.version:
                return
            self._seen[day] = picture.version
            for listener in list(self._listeners()):
                try:
                    listener(picture)
                except Exception:
                    log.exception("a listener of the live picture of %s failed", day)
