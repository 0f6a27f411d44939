"""``fleetline serve``: the API, the consoles and the tracking pages.

Alone it runs everything in one process (the embedded default, SQLite or PostgreSQL).
With ``--workers N`` it runs N faces of a split installation (PostgreSQL only) on ports
``port`` to ``port + N - 1``, each a process of its own that this one supervises, and
leaves the engine to ``fleetline worker`` (see :mod:`fleetline.cluster`). The consoles
keep a live connection to the process that drew them: a load balancer in front of the
faces keeps each browser on one face (sticky sessions); the API alone is stateless.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading

import uvicorn
from fastapi import FastAPI

from fleetline.api.app import create_app
from fleetline.api.redaction import RedactSecrets, server_logging
from fleetline.bootstrap import Services, bootstrap
from fleetline.domain.access import Role
from fleetline.operations.access import has_admin, issue_token
from fleetline.settings import Settings
from fleetline.store.database import is_postgresql
from fleetline.store.migrate import upgrade
from fleetline.worker import NeedsPostgreSQL

log = logging.getLogger(__name__)

SWITCH_INTERVAL_S = 0.001
"""How long a thread computing (a picture, a page) keeps the interpreter before a thread
whose database answer has come may run: a request's every round trip waits for it, while
holding its transaction open. Python's default is 5 ms."""


def build_app(services: Services) -> FastAPI:
    """Return the web application of ``services``: API, tracking pages and consoles."""
    from fleetline.ui.mount import mount_consoles

    app = create_app(services)
    mount_consoles(app, services, services.settings.ui_secret)
    return app


def ensure_admin(services: Services) -> str | None:
    """Create an admin token on a database that has none; return it (shown once)."""
    with services.uow_factory() as uow:
        if has_admin(uow):
            return None
        secret, _ = issue_token(uow, services.bus.context, Role.ADMIN, "first admin")
        uow.commit()
    return secret


def serve(services: Services, host: str, port: int) -> None:
    """Serve ``services`` until interrupted, then stop the workers."""
    try:
        uvicorn.run(
            build_app(services),
            host=host,
            port=port,
            log_level="info",
            log_config=server_logging(),
        )
    finally:
        services.close()


def run_server(
    host: str | None, port: int | None, workers: int | None = None, face: bool = False
) -> None:
    """Start Fleetline on the configured database and road network.

    Parameters
    ----------
    host, port
        Where to listen (the settings' when not given).
    workers
        Run this many faces, each a process, on consecutive ports; the engine runs
        apart (``fleetline worker``). ``None``: one process does everything.
    face
        This process is one face of a split installation (started by ``--workers``).
    """
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactSecrets())
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    settings = Settings()
    if host:
        settings.host = host
    if port:
        settings.port = port
    if (workers is not None or face) and not is_postgresql(settings.database_url):
        raise NeedsPostgreSQL(
            "--workers needs PostgreSQL: set FLEETLINE_DATABASE_URL "
            "(the embedded default runs everything in one process)"
        )
    if workers is not None:
        upgrade(settings.database_url)
        first = bootstrap(settings, role="face", migrate=False)
        try:
            _print_first_admin(first)  # once, before the faces start
        finally:
            first.close()
        raise SystemExit(supervise_faces(settings, workers))
    services = bootstrap(settings, role="face" if face else "all", migrate=not face)
    if not face:
        _print_first_admin(services)
    serve(services, settings.host, settings.port)


def _print_first_admin(services: Services) -> None:
    secret = ensure_admin(services)
    if secret:
        print(f"A new admin token (shown once, keep it safe): {secret}", flush=True)


def supervise_faces(settings: Settings, workers: int, restart_after_s: float = 1.0) -> int:
    """Run ``workers`` faces on consecutive ports; start again any that ends; stop on a signal.

    Returns
    -------
    int
        The exit code: 0 once stopped by SIGTERM or SIGINT.
    """
    if workers < 1:
        raise ValueError("--workers must be at least 1")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())

    def start(index: int) -> subprocess.Popen[bytes]:
        port = settings.port + index
        command = [sys.executable, "-m", "fleetline", "serve", "--face"]
        command += ["--host", settings.host, "--port", str(port)]
        face = subprocess.Popen(command)
        log.info(
            "face %d of %d: pid %d at http://%s:%d",
            index + 1,
            workers,
            face.pid,
            settings.host,
            port,
        )
        return face

    faces = [start(index) for index in range(workers)]
    while not stop.wait(restart_after_s):
        for index, face in enumerate(faces):
            if face.poll() is not None:
                log.warning(
                    "face %d ended (exit %s); starting it again", index + 1, face.returncode
                )
                faces[index] = start(index)
    for face in faces:
        face.terminate()
    for face in faces:
        try:
            face.wait(timeout=30)
        except subprocess.TimeoutExpired:
            face.kill()
    return 0
