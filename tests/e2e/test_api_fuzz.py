"""Schemathesis sends generated requests, valid and invalid, to every operation of the
published schema: none may answer with a server error or break the documented shape."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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

TOKEN: dict[str, str] = {}


@pytest.fixture(scope="module")
def fuzzed_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    database = Path(tmp_path_factory.mktemp("fuzz")) / "fleetline.db"
    services = bootstrap(
        Settings(database_url=f"sqlite:///{database}", solver_processes=0, solver_time_limit_s=0.2),
        clock=FixedClock(datetime(2026, 11, 25, 6, 0, tzinfo=UTC)),
        travel_times=CrowFliesTravelTimes(),
        recover=False,
    )
    with services.uow_factory() as uow:
        TOKEN["admin"], _ = issue_token(uow, services.bus.context, Role.ADMIN, "fuzz")
        uow.commit()
    yield services
    services.close()


@pytest.mark.timeout(1200)  # every operation of the API, valid and invalid requests
def test_no_request_makes_a_server_error(fuzzed_services: Services) -> None:
    """Whatever an integrator sends, the answer is never a 5xx, and an error has the
    documented shape naming what is wrong."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(fuzzed_services))
    headers = {"Authorization": f"Bearer {TOKEN['admin']}"}
    # The live stream never ends by design; it is tested on its own.
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if not result.ok().path.endswith("/live/stream")
    ]
    assert len(operations) >= 12

    calls = dict.fromkeys(GenerationMode, 0)
    for operation, mode in itertools.product(operations, GenerationMode):
        try:
            _fuzz(operation, mode, headers, calls)
        except Unsatisfiable:
            # An operation without inputs has no invalid variant to send.
            assert mode is GenerationMode.NEGATIVE
    assert calls[GenerationMode.POSITIVE] > 100
    assert calls[GenerationMode.NEGATIVE] > 100


def _fuzz(
    operation: Any, mode: GenerationMode, headers: dict[str, str], calls: dict[Any, int]
) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def check(case: Case) -> None:
        calls[mode] += 1
        response = case.call(headers=headers)
        assert response.status_code < 500, (operation.label, mode, response.text)
        if response.status_code >= 400:
            if response.headers.get("content-type", [""])[0].startswith("text/html"):
                # The client's tracking page is a page for people: its refusals are pages.
                assert operation.path == "/track/{token}", (operation.label, response.text)
                assert "<title>" in response.text
                return
            error = response.json()["error"]
            assert error["code"]
            assert error["message"]

    check()
