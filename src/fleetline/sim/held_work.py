"""The server's background work of a simulated day, run when the day says so.

In a server, a breakdown's options and a neighbourhood re-plan are solved on threads of
their own while requests go on. A simulated day's clock runs as fast as the machine, so
such a thread would read the day at whichever moment it got to it, and could read a stop
report sent in the same simulated second, or not. :class:`HeldWork` keeps the work until
the day runs it, once every report and position of the moment is in: the solves read the
same day on every run and every machine.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any


class HeldWork(Executor):
    """An executor whose work waits for :meth:`run_all`, in the order it was given."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]]
        self._queue = deque()
        self._shut = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Keep ``fn(*args, **kwargs)`` for the next :meth:`run_all`; return its future."""
        future: Future[Any] = Future()
        with self._lock:
            if self._shut:
                raise RuntimeError("cannot schedule new futures after shutdown")
            self._queue.append((future, fn, args, kwargs))
        return future

    def run_all(self) -> int:
        """Run the work kept, and the work it gives in turn, until none is left.

        Returns
        -------
        int
            How many pieces of work ran.
        """
        ran = 0
        while True:
            with self._lock:
                if not self._queue:
                    return ran
                future, fn, args, kwargs = self._queue.popleft()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn(*args, **kwargs)
            except BaseException as error:  # handed to whoever waits on the future
                future.set_exception(error)
            else:
                future.set_result(result)
            ran += 1

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Take no more work; cancel what waits, or run it when ``wait`` and not cancelled."""
        with self._lock:
            self._shut = True
            dropped = list(self._queue) if cancel_futures else []
            if cancel_futures:
                self._queue.clear()
        for future, *_ in dropped:
            future.cancel()
        if wait and not cancel_futures:
            self.run_all()
