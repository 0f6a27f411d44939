"""Tokens from the API: listed without secrets, created with the secret once, revoked at once."""

from __future__ import annotations

from fleetline.domain.access import Role

from .conftest import Api

PATH = "/api/v1/tokens"


def _as(api: Api, secret: str, path: str = "/api/v1/vehicles") -> int:
    status: int = api.client.get(path, headers={"Authorization": f"Bearer {secret}"}).status_code
    return status


def _rows(api: Api) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = api.get(PATH, role=Role.ADMIN).json()
    return rows


def test_a_new_token_works_at_once_and_its_secret_is_never_listed(api: Api) -> None:
    """The admin creates a dispatcher token; it signs in, and the list shows no secret."""
    answer = api.post(PATH, {"role": "dispatcher", "name": "night desk"}, role=Role.ADMIN)
    assert answer.status_code == 201, answer.text
    created = answer.json()
    assert created["token"].startswith("flt_") and created["role"] == "dispatcher"
    assert _as(api, created["token"]) == 200
    listed = api.client.get(PATH, headers=api.headers(Role.ADMIN)).text
    assert created["token"] not in listed and "hash" not in listed
    row = next(r for r in _rows(api) if r["id"] == created["id"])
    assert row["name"] == "night desk" and row["revoked"] is False and row["created_at"]


def test_a_revoked_token_stops_working_at_once_and_revoking_twice_is_a_409(api: Api) -> None:
    """After the admin revokes a token its very next request is refused; again is a 409."""
    created = api.post(PATH, {"role": "agent", "name": "temp"}, role=Role.ADMIN).json()
    assert _as(api, created["token"]) == 200
    revoked = api.client.delete(f"{PATH}/{created['id']}", headers=api.headers(Role.ADMIN))
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked"] is True and revoked.json()["revoked_at"]
    assert _as(api, created["token"]) == 401
    again = api.client.delete(f"{PATH}/{created['id']}", headers=api.headers(Role.ADMIN))
    assert again.status_code == 409
    assert again.json()["error"]["details"][0]["field"] == "token_id"
    with api.services.uow_factory() as uow:
        kinds = [logged.event.type_name for logged in uow.events.list()]
    assert kinds.count("TokenRevoked") == 1 and "TokenIssued" in kinds


def test_an_admin_cannot_revoke_the_token_in_use_nor_an_unknown_one(api: Api) -> None:
    """Locking oneself out is refused (409); a token that does not exist is a 404."""
    own = next(r for r in _rows(api) if r["role"] == "admin")
    answer = api.client.delete(f"{PATH}/{own['id']}", headers=api.headers(Role.ADMIN))
    assert answer.status_code == 409
    assert "signed in with" in answer.json()["error"]["message"]
    assert _as(api, api.tokens[Role.ADMIN]) == 200
    missing = api.client.delete(f"{PATH}/tok_nope", headers=api.headers(Role.ADMIN))
    assert missing.status_code == 404


def test_the_last_admin_token_cannot_be_revoked(api: Api) -> None:
    """With two admin tokens one may go; the other, now the last, may not."""
    second = api.post(PATH, {"role": "admin", "name": "deputy"}, role=Role.ADMIN).json()
    first = next(r for r in _rows(api) if r["role"] == "admin" and r["id"] != second["id"])
    headers = {"Authorization": f"Bearer {second['token']}"}
    assert api.client.delete(f"{PATH}/{first['id']}", headers=headers).status_code == 200
    last = api.client.delete(f"{PATH}/{second['id']}", headers=api.headers(Role.ADMIN))
    assert last.status_code == 401  # the first admin token was just revoked
    own = api.client.delete(f"{PATH}/{second['id']}", headers=headers)
    assert own.status_code == 409


def test_a_driver_token_needs_a_known_driver_and_changes_nothing_otherwise(api: Api) -> None:
    """Unknown driver, a missing driver, a driver on another role, an unknown role: 422."""
    before = _rows(api)
    cases = [
        ({"role": "driver", "name": "x", "driver_id": "drv_nope"}, "driver_id", 422),
        ({"role": "driver", "name": "x"}, "driver_id", 422),
        ({"role": "agent", "name": "x", "driver_id": "drv_nope"}, "driver_id", 422),
        ({"role": "boss", "name": "x"}, "role", 422),
        ({"role": "agent", "name": "   "}, "name", 422),
        ({"role": "agent", "name": "x", "secret": "mine"}, "secret", 422),
    ]
    for body, field, status in cases:
        answer = api.post(PATH, body, role=Role.ADMIN)
        assert answer.status_code == status, (body, answer.text)
        assert answer.json()["error"]["details"][0]["field"] == field, body
    assert _rows(api) == before


def test_a_driver_token_acts_for_its_driver(api: Api) -> None:
    """A token made for a driver carries that driver."""
    driver = api.post("/api/v1/drivers", {"name": "Mia Meier"}).json()
    body = {"role": "driver", "name": "Mia's phone", "driver_id": driver["id"]}
    created = api.post(PATH, body, role=Role.ADMIN).json()
    assert created["driver_id"] == driver["id"]
    assert _as(api, created["token"], "/api/v1/driver/route") != 401


def test_a_retried_creation_makes_one_token_and_never_repeats_the_secret(api: Api) -> None:
    """The secret is shown once: a retry with the same key answers the token without it."""
    body = {"role": "integration", "name": "erp"}
    first = api.post(PATH, body, role=Role.ADMIN, key="tok-1")
    again = api.post(PATH, body, role=Role.ADMIN, key="tok-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["token"] and again.json()["token"] is None
    assert again.json()["id"] == first.json()["id"]
    assert sum(1 for r in _rows(api) if r["name"] == "erp") == 1


def test_only_admins_manage_tokens(api: Api) -> None:
    """A dispatcher or an integration can neither list nor create tokens."""
    for role in (Role.DISPATCHER, Role.INTEGRATION, Role.AGENT):
        assert api.get(PATH, role=role).status_code == 403
        assert api.post(PATH, {"role": "admin", "name": "x"}, role=role).status_code == 403
