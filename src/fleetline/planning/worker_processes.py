"""Solver worker processes that never outlive the process that started them."""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import threading


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
