"""Solver worker processes that never outlive the process that started them."""

from __future__ import annotations

import atexit
import multiprocessing
import multiprocessing.connection
import os
import threading
from concurrent.futures import ProcessPoolExecutor

_WHAT_IF_POOL: list[ProcessPoolExecutor] = []
_WHAT_IF_POOL_LOCK = threading.Lock()


def end_with_parent() -> None:
    """In a worker (as a pool's initializer): end it as soon as its parent has ended.

    A process killed outright (SIGKILL, an expired timeout) runs no exit handler, and its
    workers would otherwise wait for work forever.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    sentinel = parent.sentinel

    def watch() -> None:
        multiprocessing.connection.wait([sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


def what_if_pool() -> ProcessPoolExecutor:
    """The what-if solves' two worker processes, started on first use and kept for later.

    They come from a fork server: forking the server process itself, which runs threads
    (the API, the live refresher), could copy a lock held by another thread. They are
    stopped by :func:`stop_what_if_workers`, at the latest when the process exits, and
    end by themselves when it is killed.
    """
    with _WHAT_IF_POOL_LOCK:
        if not _WHAT_IF_POOL:
            context = multiprocessing.get_context("forkserver")
            _WHAT_IF_POOL.append(
                ProcessPoolExecutor(max_workers=2, mp_context=context, initializer=end_with_parent)
            )
            atexit.unregister(stop_what_if_workers)  # registered once, however many starts
            atexit.register(stop_what_if_workers)
        return _WHAT_IF_POOL[0]


def stop_what_if_workers() -> None:
    """Stop the worker processes of the what-if solves, after the solves under way.

    Parallel options asked for later start new workers.
    """
    with _WHAT_IF_POOL_LOCK:
        pool = _WHAT_IF_POOL.pop() if _WHAT_IF_POOL else None
    if pool is not None:
        pool.shutdown(wait=True)
