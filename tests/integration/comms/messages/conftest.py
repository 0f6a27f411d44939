"""The live day of ``live/conftest.py`` with clients who can be told: email, SMS, locales."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from fleetline.domain.messages import NoticeKind, Notification

from ...api_client import Api, Company
from ...live.conftest import day

__all__ = ["day"]


@pytest.fixture(autouse=True)
def outbox_still(api: Api) -> None:
    """No message leaves during these tests: what is queued, and what not, stays visible."""
    assert api.services.outbox is not None
    api.services.outbox.close()


@pytest.fixture
def company(api: Api) -> Company:
    """The usual depot and two trucks; three clients with an email (English, German,
    French), the first with SMS too, the last with quiet hours from 17:30 to 07:30."""
    depot = api.post(
        "/api/v1/depots",
        {"name": "Schaan", "location": {"lat": 47.17, "lon": 9.50}, "timezone": "Europe/Vaduz"},
    ).json()
    vehicles = [
        api.post(
            "/api/v1/vehicles",
            {
                "name": f"Truck {n}",
                "depot_id": depot["id"],
                "capacity": {"weight_kg": 8000, "pallets": 18},
                "shift_start": "07:00",
                "shift_end": "16:00",
            },
        ).json()["id"]
        for n in (1, 2)
    ]
    clients = []
    for priority, locale, channels, quiet in (
        (1, "en", ["email", "sms"], {}),
        (3, "de", ["email"], {}),
        (5, "fr", ["email"], {"quiet_start": "17:30", "quiet_end": "07:30"}),
    ):
        response = api.post(
            "/api/v1/clients",
            {
                "name": f"Client {priority}",
                "priority": priority,
                "contact": {"email": f"client{priority}@example.com", "phone": "+423 555 0101"},
                "preferences": {"channels": channels, "locale": locale, **quiet},
            },
        )
        assert response.status_code == 201, response.text
        clients.append(response.json()["id"])
    return Company(depot["id"], vehicles, clients)


def messages(
    api: Api, order_ids: Iterable[str], kind: NoticeKind | None = None
) -> list[Notification]:
    """The outbox's messages about these orders (of one kind), oldest first."""
    with api.services.uow_factory() as uow:
        found = uow.notifications.for_orders(order_ids)
    return [n for n in found if kind is None or n.kind is kind]
