"""``fleetline worker``: the engine of a split installation, or its standby.

It waits for the engine lease (logging who holds it), then builds the engine's services
(:func:`fleetline.bootstrap.bootstrap` with ``role="engine"``) and runs them until it is
stopped, or until its lease's connection is lost: an engine that may no longer hold the
lease stops at once, and its supervisor (systemd, compose) starts it again as a standby.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time

from fleetline.bootstrap import bootstrap
from fleetline.cluster.lease import EngineLease
from fleetline.settings import Settings
from fleetline.store.database import is_postgresql

log = logging.getLogger(__name__)

SWITCH_INTERVAL_S = 0.001
"""As in :data:`fleetline.server.SWITCH_INTERVAL_S`: the event follower and the outbox wait
on the database while the refresher computes."""
LEASE_LOST_EXIT = 75
"""The exit code of an engine that lost its lease's connection (EX_TEMPFAIL)."""


class NeedsPostgreSQL(ValueError):
    """A split installation was asked for on a database that is not PostgreSQL."""


def run_worker(settings: Settings | None = None, *, poll_s: float = 1.0) -> int:
    """Wait for the engine lease, then run the engine until stopped; return the exit code.

    Parameters
    ----------
    settings
        Configuration; read from the environment when not given.
    poll_s
        Seconds between a standby's looks at the lease, and between the engine's checks
        that it still holds it.
    """
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    settings = settings or Settings()
    if not is_postgresql(settings.database_url):
        raise NeedsPostgreSQL(
            "fleetline worker needs PostgreSQL: set FLEETLINE_DATABASE_URL "
            "(the embedded default runs everything in `fleetline serve`)"
        )
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    lease = EngineLease(settings.database_url)
    log.info("engine %s: waiting for the engine lease", lease.holder)
    if not lease.wait(stop, poll_s):
        lease.release()
        return 0
    took = time.monotonic()
    log.info("engine %s: took the engine lease; starting the engine", lease.holder)
    services = bootstrap(settings, role="engine", lease=lease)
    log.info("engine %s: running (started in %.1f s)", lease.holder, time.monotonic() - took)
    code = 0
    while not stop.wait(poll_s):
        if not lease.alive():
            log.error("engine %s: lost the engine lease's connection; stopping", lease.holder)
            code = LEASE_LOST_EXIT
            break
    closing = threading.Thread(target=services.close, name="closing", daemon=True)
    closing.start()
    closing.join(timeout=30)
    lease.release()
    if code:
        os._exit(code)  # threads that still work must not act without the lease
    log.info("engine %s: stopped; the lease is free", lease.holder)
    return code
