"""A dispatched day with tracking links: the ``day`` fixture of the live tests, plus helpers."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from fleetline.comms.tracking_links import issue_link

from ...api_client import Api
from ...live.conftest import Day, at, day, report

__all__ = ["Day", "at", "day", "issue", "report", "visitor"]

ZONE = ZoneInfo("Europe/Vaduz")


def issue(api: Api, order_id: str) -> str:
    """Issue a tracking link for an order, as a message to its client would carry it."""
    with api.services.uow_factory() as uow:
        order = uow.orders.get(order_id)
        assert order is not None
        token = issue_link(uow, order, api.services.clock.now(), ZONE)
        uow.commit()
    return token


def visitor(api: Api, address: str) -> TestClient:
    """A client of the same application, calling from another address."""
    return TestClient(api.client.app, client=(address, 40000), raise_server_exceptions=False)
