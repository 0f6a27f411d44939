"""Positions over MQTT: a subscriber that batches trucks' pings into commands on the bus.

Telematics boxes and gateways publish to ``fleetline/vehicles/{vehicle_id}/positions`` a
JSON position, or a list of them, with the fields of ``POST /api/v1/telemetry/positions``
(``vehicle_id`` may be left out: the topic names the truck). Messages are gathered for up
to half a second or 500 positions and handled as one :class:`RecordPositions` command.

A malformed message is logged and counted, never fatal; a message the domain refuses
(an unknown truck, a time from the future) is refused alone, not with its batch. The
client reconnects by itself and subscribes again after each connection. The broker is the
security boundary of this feed: whoever may publish to the topic may report positions.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from fleetline.domain.commands import Command, PositionReport, RecordPositions
from fleetline.domain.errors import DomainError, InvalidField
from fleetline.domain.model import Location

log = logging.getLogger(__name__)

FIELDS = {"vehicle_id", "lat", "lon", "recorded_at", "speed_mps", "heading"}
STORE_ATTEMPTS = 3
"""How often a batch is tried when the store fails (not when the domain refuses it)."""


class MalformedMessage(ValueError):
    """A message that is not a position or a list of positions."""


@dataclass
class FeedStats:
    """Counters of the feed since it started."""

    messages: int = 0
    malformed: int = 0
    rejected: int = 0
    failed: int = 0
    accepted: int = 0
    duplicates: int = 0
    batches: int = 0
    connections: int = 0


def _number(item: dict[str, Any], name: str) -> float | None:
    value = item.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise MalformedMessage(f"{name}: must be a finite number")
    return float(value)


def _required(item: dict[str, Any], name: str) -> float:
    value = _number(item, name)
    if value is None:
        raise MalformedMessage(f"{name}: missing")
    return value


def parse_message(topic_vehicle_id: str, payload: bytes | bytearray) -> list[PositionReport]:
    """Read the positions of one message published for ``topic_vehicle_id``.

    Raises
    ------
    MalformedMessage
        When the payload is not JSON, has unknown or missing fields, wrong types, a time
        without a UTC offset, or names another truck than the topic.
    """
    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, ValueError) as error:
        raise MalformedMessage(f"not JSON: {error}") from error
    items = data if isinstance(data, list) else [data]
    reports = []
    for index, item in enumerate(items):
        try:
            reports.append(_report(topic_vehicle_id, item))
        except (MalformedMessage, InvalidField) as error:
            raise MalformedMessage(f"[{index}].{error}") from error
    return reports


def _report(topic_vehicle_id: str, item: Any) -> PositionReport:
    if not isinstance(item, dict):
        raise MalformedMessage("a position must be a JSON object")
    unknown = set(item) - FIELDS
    if unknown:
        raise MalformedMessage(f"unknown fields: {', '.join(sorted(unknown))}")
    vehicle_id = item.get("vehicle_id", topic_vehicle_id)
    if vehicle_id != topic_vehicle_id:
        raise MalformedMessage(f"vehicle_id {vehicle_id!r} is not the topic's truck")
    stamp = item.get("recorded_at")
    if not isinstance(stamp, str):
        raise MalformedMessage("recorded_at: missing or not an ISO 8601 string")
    try:
        recorded_at = datetime.fromisoformat(stamp)
    except ValueError as error:
        raise MalformedMessage(f"recorded_at: {error}") from error
    if recorded_at.tzinfo is None:
        raise MalformedMessage("recorded_at: time must carry a UTC offset")
    return PositionReport(
        vehicle_id=vehicle_id,
        location=Location(_required(item, "lat"), _required(item, "lon")),
        recorded_at=recorded_at,
        speed_mps=_number(item, "speed_mps"),
        heading=_number(item, "heading"),
    )


class MqttPositionFeed:
    """Subscribe to trucks' positions on an MQTT broker and hand them to the bus in batches.

    Parameters
    ----------
    url
        ``mqtt://[user:password@]host[:port][/prefix]`` (``mqtts://`` for TLS). A path
        replaces the topic prefix: ``mqtt://broker/acme`` listens on
        ``acme/vehicles/+/positions``.
    handle
        Handles a command, e.g. ``MessageBus.handle``.
    topic_prefix
        Topics are ``{topic_prefix}/vehicles/{vehicle_id}/positions`` (when the URL has no
        path).
    flush_interval_s, max_batch
        A batch is handed over after this long, or as soon as it has this many positions.
    """

    def __init__(
        self,
        url: str,
        handle: Callable[[Command], Any],
        *,
        topic_prefix: str = "fleetline",
        flush_interval_s: float = 0.5,
        max_batch: int = 500,
    ) -> None:
        path = urlsplit(url).path.strip("/")
        self.topic = f"{path or topic_prefix}/vehicles/+/positions"
        self.stats = FeedStats()
        self._handle = handle
        self._flush_interval_s = flush_interval_s
        self._max_batch = max_batch
        self._pending: list[list[PositionReport]] = []
        self._pending_count = 0
        self._lock = threading.Condition()
        self._stopping = False
        self._connected = threading.Event()
        self._flusher = threading.Thread(
            target=self._flush_loop, name="mqtt-positions", daemon=True
        )
        self._client = self._make_client(url)

    def _make_client(self, url: str) -> mqtt.Client:
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl") or not parts.hostname:
            raise ValueError(f"expected mqtt://host[:port], got {url!r}")
        secure = parts.scheme in ("mqtts", "ssl")
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="", clean_session=True)
        if parts.username:
            client.username_pw_set(unquote(parts.username), unquote(parts.password or ""))
        if secure:
            client.tls_set()
        client.reconnect_delay_set(min_delay=1, max_delay=30)
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        self._address = (parts.hostname, parts.port or (8883 if secure else 1883))
        return client

    def start(self) -> None:
        """Connect in the background (retrying until the broker answers) and subscribe."""
        self._flusher.start()
        self._client.connect_async(*self._address, keepalive=30)
        self._client.loop_start()

    def wait_connected(self, timeout_s: float) -> bool:
        """Wait until the feed is subscribed; return whether it is."""
        return self._connected.wait(timeout_s)

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop listening, hand over what was received, and disconnect."""
        self._client.disconnect()
        self._client.loop_stop()
        with self._lock:
            self._stopping = True
            self._lock.notify_all()
        if self._flusher.is_alive():
            self._flusher.join(timeout_s)

    def _on_connect(
        self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        if reason.is_failure:
            log.warning("MQTT broker refused the connection: %s", reason)
            return
        client.subscribe(self.topic, qos=1)
        self.stats.connections += 1

    def _on_subscribe(
        self, _client: mqtt.Client, _userdata: Any, _mid: int, reasons: Any, _props: Any
    ) -> None:
        # Positions published before the broker acknowledged the subscription are not
        # delivered to this (clean) session: ready means acknowledged, not just asked.
        if any(reason.is_failure for reason in reasons):
            log.warning("MQTT broker refused the subscription to %s: %s", self.topic, reasons)
            return
        self._connected.set()
        log.info("listening for positions on %s", self.topic)

    def _on_disconnect(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        self._connected.clear()
        if not self._stopping:
            log.warning("MQTT connection lost (%s); reconnecting", reason)

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        parts = message.topic.split("/")
        try:
            reports = parse_message(parts[-2], message.payload)
        except MalformedMessage as error:
            with self._lock:
                self.stats.messages += 1
                self.stats.malformed += 1
            log.warning("malformed position message on %s: %s", message.topic, error)
            return
        with self._lock:
            self.stats.messages += 1
            if reports:
                self._pending.append(reports)
                self._pending_count += len(reports)
            if self._pending_count >= self._max_batch:
                self._lock.notify_all()

    def _flush_loop(self) -> None:
        while True:
            with self._lock:
                deadline = time.monotonic() + self._flush_interval_s
                while not self._stopping and self._pending_count < self._max_batch:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._lock.wait(left)
                batch, self._pending, self._pending_count = self._pending, [], 0
                stopping = self._stopping
            if batch:
                self._store(batch)
            if stopping:
                return

    def _store(self, messages: list[list[PositionReport]]) -> None:
        """Hand a batch to the bus; when the domain refuses it, each message alone."""
        try:
            self._record(tuple(report for message in messages for report in message))
        except DomainError as error:
            if len(messages) == 1:
                self._refused(messages[0], error)
                return
            for message in messages:
                try:
                    self._record(tuple(message))
                except DomainError as alone:
                    self._refused(message, alone)

    def _record(self, positions: tuple[PositionReport, ...]) -> None:
        command = RecordPositions(positions=positions, source="mqtt")
        for attempt in range(1, STORE_ATTEMPTS + 1):
            try:
                result = self._handle(command)
                break
            except DomainError:
                raise
            except Exception:
                if attempt == STORE_ATTEMPTS:
                    log.exception("could not store %d positions; dropped", len(positions))
                    with self._lock:
                        self.stats.failed += len(positions)
                    return
                time.sleep(0.2 * attempt)
        with self._lock:
            self.stats.batches += 1
            self.stats.accepted += result.accepted
            self.stats.duplicates += result.duplicates

    def _refused(self, message: list[PositionReport], error: DomainError) -> None:
        with self._lock:
            self.stats.rejected += 1
        log.warning("refused a position message of %s: %s", message[0].vehicle_id, error)
