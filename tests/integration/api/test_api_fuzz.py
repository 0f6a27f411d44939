"""Schemathesis sends generated requests, valid and invalid, to every operation of the
published schema, on SQLite and on PostgreSQL: none may answer with a server error, and
every refusal has the documented shape naming what is wrong.

Each operation is a test of its own, so the operations spread over the suite's workers.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode

from fleetline.api.app import create_app
from fleetline.bootstrap import Services, bootstrap
from fleetline.clock import FixedClock
from fleetline.domain.access import Role
from fleetline.network.crowflies import CrowFliesTravelTimes
from fleetline.operations.access import issue_token
from fleetline.settings import Settings
from fleetline.store.migrate import upgrade

from ..conftest import postgres_schema

EXAMPLES = 10
"""Generated requests per operation, mode (valid, invalid) and database."""

# The schema is the same whatever the services: list its operations once, at collection.
_PUBLISHED = schemathesis.openapi.from_asgi("/openapi.json", create_app(cast(Services, None)))
OPERATIONS = sorted(
    result.ok().label
    for result in _PUBLISHED.get_all_operations()
    # The live stream never ends by design; it is tested on its own.
    if not result.ok().path.endswith("/live/stream")
)


def test_the_schema_publishes_the_whole_api() -> None:
    """An integrator finds every part of the API in the schema."""
    prefixes = {label.split(" ")[1].split("/")[3] for label in OPERATIONS if "/api/v1/" in label}
    assert {"orders", "plans", "live", "exceptions", "clients", "vehicles", "tokens"} <= prefixes
    assert len(OPERATIONS) >= 60


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ],
)
def fuzzed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, dict[str, str]]]:
    """A company's server on one database, with an admin token: the schema to fuzz and the
    headers to send."""
    if request.param == "sqlite":
        database = Path(tmp_path_factory.mktemp("fuzz")) / "fleetline.db"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite_template"), database)
        urls: Iterator[str] = iter([f"sqlite:///{database}"])
    else:
        urls = postgres_schema(request.getfixturevalue("postgres_server"))
    for url in urls:
        if request.param == "postgresql":
            upgrade(url)
        services = bootstrap(
            Settings(database_url=url, solver_processes=0, solver_time_limit_s=0.2),
            clock=FixedClock(datetime(2026, 11, 25, 6, 0, tzinfo=UTC)),
            travel_times=CrowFliesTravelTimes(),
            recover=False,
        )
        with services.uow_factory() as uow:
            secret, _ = issue_token(uow, services.bus.context, Role.ADMIN, "fuzz")
            uow.commit()
        schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(services))
        try:
            yield schema, {"Authorization": f"Bearer {secret}"}
        finally:
            services.close()


@pytest.mark.parametrize("label", OPERATIONS)
def test_no_request_makes_a_server_error(label: str, fuzzed: tuple[Any, dict[str, str]]) -> None:
    """Whatever an integrator sends to this operation, valid or not, the answer is never a
    5xx, and an error has the documented shape naming what is wrong."""
    schema, headers = fuzzed
    method, path = label.split(" ", 1)
    operation = schema[path][method]
    sent = dict.fromkeys(GenerationMode, 0)
    for mode in GenerationMode:
        try:
            _fuzz(operation, mode, headers, sent)
        except Unsatisfiable:
            # An operation whose inputs take any text has no invalid variant to send.
            assert mode is GenerationMode.NEGATIVE
            assert not _has_constrained_inputs(operation), label
    assert sent[GenerationMode.POSITIVE] > 0


def _has_constrained_inputs(operation: Any) -> bool:
    definition = operation.definition.raw
    constrained = [
        parameter
        for parameter in definition.get("parameters", [])
        if parameter.get("in") != "header"
        and set(parameter.get("schema", {})) - {"type", "title", "description"}
    ]
    return bool(constrained or definition.get("requestBody"))


def _fuzz(
    operation: Any, mode: GenerationMode, headers: dict[str, str], sent: dict[Any, int]
) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Case) -> None:
        sent[mode] += 1
        response = case.call(headers=headers)
        assert response.status_code < 500, (operation.label, mode, response.text)
        if response.status_code >= 400:
            if response.headers.get("content-type", [""])[0].startswith("text/html"):
                # The client's tracking page is a page for people: its refusals are pages.
                assert operation.path.startswith("/track/{token}"), (operation.label, response.text)
                assert "<title>" in response.text
                return
            error = response.json()["error"]
            assert error["code"]
            assert error["message"]

    check()


def test_the_schema_says_which_operations_need_a_bearer_token() -> None:
    """A client generated from the schema sends ``Authorization: Bearer`` to every API v1
    operation and nothing to the health check and the client's tracking page."""
    document = create_app(cast(Services, None)).openapi()
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for path, operations in document["paths"].items():
        for operation in operations.values():
            public = path == "/health" or path.startswith("/track/")
            assert operation["security"] == ([] if public else [{"bearer": []}]), path
