"""A method a path does not answer is a 405 in the API's error shape, saying which do."""

from __future__ import annotations

from typing import cast

import pytest
from fastapi.testclient import TestClient

from fleetline.api.app import create_app
from fleetline.bootstrap import Services


@pytest.fixture(scope="module")
def client() -> TestClient:
    # A 405 is answered before any route runs: the application needs no services for it.
    return TestClient(create_app(cast(Services, None)))


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/v1/orders", ["GET", "POST"]),
        ("POST", "/api/v1/live", ["GET"]),
        ("PUT", "/api/v1/vehicles/veh_1", ["GET", "PATCH"]),
    ],
)
def test_a_method_the_path_does_not_answer_names_those_it_does(
    client: TestClient, method: str, path: str, allowed: list[str]
) -> None:
    """An integrator who sends ``PUT /api/v1/orders`` reads, in JSON and in the ``Allow``
    header, that the path answers GET and POST."""
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["allow"] == ", ".join(allowed)
    error = response.json()["error"]
    assert error["code"] == "method_not_allowed"
    assert error["message"] == f"{method} is not allowed on {path}: use {' or '.join(allowed)}"
