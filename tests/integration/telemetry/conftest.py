"""The shared API client fixtures, plus a driver who drives truck 1."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from fleetline.domain.access import Role
from fleetline.operations.access import issue_token
from tests.integration.api_client import START, Api, Company, api, company

__all__ = ["START", "Api", "Company", "api", "company"]


@dataclass
class Trucks:
    """Two trucks, and a driver token bound to the first one."""

    own: str
    other: str
    driver_token: str


@pytest.fixture
def trucks(api: Api, company: Company) -> Trucks:
    own, other = company.vehicle_ids
    driver = api.post("/api/v1/drivers", {"name": "Tom Truck", "vehicle_id": own}).json()
    with api.services.uow_factory() as uow:
        secret, _ = issue_token(uow, api.services.bus.context, Role.DRIVER, "tom", driver["id"])
        uow.commit()
    return Trucks(own, other, secret)
