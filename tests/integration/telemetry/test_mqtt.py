"""Positions over MQTT, end to end: published to the machine's broker, stored by the feed.

Each test listens on its own topic prefix; the tests skip when no broker answers on
127.0.0.1:1883.
"""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import time as clock_time, timedelta
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from fleetline.adapters.mqtt_positions import MqttPositionFeed
from fleetline.bootstrap import Services, bootstrap
from fleetline.clock import FixedClock
from fleetline.domain.model import Depot, Location, Vehicle
from fleetline.network.crowflies import CrowFliesTravelTimes
from fleetline.settings import Settings

from .conftest import START

BROKER = ("127.0.0.1", 1883)


@pytest.fixture
def prefix() -> str:
    try:
        socket.create_connection(BROKER, timeout=1).close()
    except OSError:
        pytest.skip("no MQTT broker on 127.0.0.1:1883")
    return f"fleetline-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def services(database_url: str, prefix: str) -> Iterator[Services]:
    settings = Settings(
        database_url=database_url,
        solver_processes=0,
        mqtt_url=f"mqtt://{BROKER[0]}:{BROKER[1]}/{prefix}",
    )
    services = bootstrap(
        settings, clock=FixedClock(START), travel_times=CrowFliesTravelTimes(), recover=False
    )
    with services.uow_factory() as uow:
        uow.depots.add(Depot("dep_1", "Schaan", Location(47.17, 9.5), "Europe/Vaduz"))
        for truck in ("veh_1", "veh_2"):
            uow.vehicles.add(
                Vehicle(truck, truck, "dep_1", {"pallets": 18}, clock_time(7), clock_time(16))
            )
        uow.commit()
    assert services.mqtt is not None
    assert services.mqtt.wait_connected(10), "the feed did not subscribe"
    yield services
    services.close()


@pytest.fixture
def publish(prefix: str) -> Iterator[Callable[[str, Any], None]]:
    client = mqtt.Client(CallbackAPIVersion.VERSION2)
    client.connect(*BROKER)
    client.loop_start()

    def send(vehicle_id: str, payload: Any) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        client.publish(f"{prefix}/vehicles/{vehicle_id}/positions", data, qos=1).wait_for_publish(5)

    yield send
    client.loop_stop()
    client.disconnect()


def ping(minute: int, **extra: Any) -> dict[str, Any]:
    at = START - timedelta(minutes=60 - minute)
    return {"lat": 47.1, "lon": 9.5, "recorded_at": at.isoformat()} | extra


def wait_for(condition: Callable[[], bool], timeout_s: float = 10) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def stored(services: Services, vehicle_id: str) -> int:
    with services.uow_factory() as uow:
        return len(uow.positions.track(vehicle_id, START - timedelta(days=1)))


def test_published_positions_are_stored(
    services: Services, publish: Callable[[str, Any], None]
) -> None:
    """A telematics gateway publishing to the broker puts its trucks on the map."""
    publish("veh_1", ping(1, speed_mps=8.0, heading=45))
    publish("veh_1", [ping(2), ping(3), ping(1)])
    publish("veh_2", [ping(5, vehicle_id="veh_2")])
    assert wait_for(lambda: stored(services, "veh_1") == 3 and stored(services, "veh_2") == 1)
    with services.uow_factory() as uow:
        last = uow.positions.last("veh_1")
    assert last is not None and last.recorded_at == START - timedelta(minutes=57)
    assert last.source == "mqtt"
    feed = services.mqtt
    assert feed is not None
    assert wait_for(lambda: feed.stats.accepted == 4)
    assert feed.stats.duplicates == 1


def test_bad_messages_are_counted_and_spoil_nothing(
    services: Services, publish: Callable[[str, Any], None]
) -> None:
    """A broken tracker neither stops the feed nor loses the other trucks' positions."""
    publish("veh_1", b"{not json")
    publish("veh_1", ping(1, speed="fast"))
    publish("veh_1", ping(1, vehicle_id="veh_2"))
    publish("veh_unknown", ping(1))
    publish("veh_1", ping(2, recorded_at="2026-11-25T12:00:00"))
    publish("veh_1", ping(4))
    publish("veh_2", ping(4))
    feed = services.mqtt
    assert feed is not None
    assert wait_for(lambda: stored(services, "veh_1") == 1 and stored(services, "veh_2") == 1)
    assert wait_for(lambda: feed.stats.rejected == 1)
    assert feed.stats.malformed == 4
    assert feed.stats.messages == 7


def test_a_feed_retries_until_the_broker_answers() -> None:
    """A feed pointed at a broker that is down does not fail the server; it keeps trying."""
    feed = MqttPositionFeed("mqtt://127.0.0.1:9", lambda command: None)
    feed.start()
    try:
        assert not feed.wait_connected(0.5)
    finally:
        feed.stop()
