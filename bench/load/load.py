"""The load: trucks, agents, tracking viewers and dispatcher consoles at once, over HTTP.

Every simulated person is a coroutine on one event loop with ``httpx.AsyncClient``;
each kind has its own connection pool: a connection per truck and per agent, 200 for
the viewers, one per console and one for the probe.

- **Trucks** post one position every ``truck_period_s`` (5 s) to
  ``POST /api/v1/telemetry/positions`` with the integration token, driving their
  dispatched route at 10 m/s from the depot (a truck without a route stands at the depot,
  its fix wandering a few metres, so that every fix is a new position).
- **Agents** ask, every ``agent_period_s`` (2 s), ``GET /api/v1/orders/{id}/status`` of a
  random dispatched order and then ``GET /api/v1/live``, each agent with its own token.
- **Viewers** each hold one tracking link and ask ``GET /track/{token}/status`` every
  ``viewer_period_s`` (30 s); each sends its own address in ``X-Forwarded-For``, as a
  reverse proxy in front of the server would (uvicorn trusts it from 127.0.0.1), so the
  per-address rate limit of the tracking pages sees a thousand clients, not one.
- **Consoles** hold ``GET /api/v1/live/stream`` open and read its events, each with its
  own dispatcher token, and ask the day's figures (``GET /api/v1/kpis``, the KPI strip)
  every ``figures_period_s`` (10 s).
- **The probe** asks ``GET /api/v1/live`` every ``probe_period_s`` while a position of one
  of a few sampled trucks has been acknowledged but not seen there yet.

People start spread evenly over their period. A person whose request takes longer than
its period starts the next one late (never two at once); how late is recorded. At the
end no new request starts; those under way get ``drain_s`` to finish, then count as
failed (``unfinished``); the consoles and the probe read on for ``READ_ON_S`` more, so
that the last positions can still be seen.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

POSITIONS = "POST /api/v1/telemetry/positions"
ORDER_STATUS = "GET /api/v1/orders/{id}/status"
LIVE = "GET /api/v1/live"
TRACKING = "GET /track/{token}/status"
PROBE = "GET /api/v1/live (probe)"
FIGURES = "GET /api/v1/kpis"
STREAM = "GET /api/v1/live/stream (SSE)"
SHORT = {
    POSITIONS: "positions",
    ORDER_STATUS: "order status",
    LIVE: "live",
    TRACKING: "tracking",
    PROBE: "probe",
    FIGURES: "kpis",
}
"""Names of the kinds in progress lines."""
WRITES = (POSITIONS,)
READS = (ORDER_STATUS, LIVE, TRACKING)
SPEED_MPS = 10.0
METRES_PER_DEGREE = 111_320.0
TIMEOUT_S = 60.0
KEEPALIVE_EXPIRY_S = 1.5
"""Seconds an idle connection is kept for reuse: well below uvicorn's keep-alive timeout
(5 s), so that a request is not sent on a connection the server is closing at that moment
(with httpx's default of 5 s, a few viewers' requests failed so with ``ReadError``, and
with 3 s a few agents' on a saturated machine, where a megabyte's answer reaches the
generator seconds after the server sent it; a browser would send those again)."""
READ_ON_S = 3.0
"""Seconds the consoles and the probe read on after the last position was answered."""
VIEWER_CONNECTIONS = 200
"""Connections the viewers share (a viewer asks every 30 s; trucks and agents have one
each, so that their requests queue at the server, not in the load generator)."""


@dataclass
class LoadSpec:
    """Who takes part in the load and how often each asks."""

    base_urls: list[str]
    """The faces; each person keeps to one (trucks, agents, viewers and consoles are dealt
    round-robin), the probe asks the first, so that it sees positions sent to the others."""
    duration_s: float
    vehicle_ids: list[str]
    routes: dict[str, list[tuple[float, float]]]
    depot: tuple[float, float]
    order_ids: list[str]
    tracking_tokens: list[str]
    integration_token: str
    agent_tokens: list[str]
    console_tokens: list[str]
    agents: int
    consoles: int
    truck_period_s: float = 5.0
    agent_period_s: float = 2.0
    viewer_period_s: float = 30.0
    figures_period_s: float = 10.0
    """Each console's dispatcher asks the day's figures this often (the KPI strip)."""
    probe_trucks: int = 5
    probe_period_s: float = 0.5
    drain_s: float = 30.0
    seed: int = 1


@dataclass
class Requests:
    """Every request's outcome, by kind: start (s from the load's start), latency, status."""

    started: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    ok: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    lag: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    """How late each request started against its person's schedule, in seconds."""
    bytes_in: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    """A few bodies or messages of failed requests, by kind."""

    def add(
        self, kind: str, started: float, latency: float, status: str, ok: bool, detail: str = ""
    ) -> None:
        """Record one request."""
        self.started[kind].append(started)
        self.latency[kind].append(latency)
        self.ok[kind].append(ok)
        self.statuses[kind][status] += 1
        if not ok and detail and len(self.examples[kind]) < 5:
            self.examples[kind].append(f"{status}: {detail[:300]}")


@dataclass(eq=False)
class _Fix:
    """One position sent: when the server acknowledged it, and when a reader showed it."""

    lat: float
    lon: float
    acked: float | None = None
    seen: float | None = None


@dataclass
class Visibility:
    """Positions sent to the server, until a reader shows their truck there.

    A position is registered when it is sent, so that a reader showing it before its
    answer arrives is not missed; its delay then counts as 0 (``before_answer``).
    """

    name: str
    pending: dict[str, list[_Fix]] = field(default_factory=lambda: defaultdict(list))
    delays: list[float] = field(default_factory=list)
    """Seconds from the acknowledgement (202 received) to the first reader showing it."""
    superseded: int = 0
    """Positions never shown themselves: a later one of the same truck was shown first."""
    before_answer: int = 0

    def sent(self, vehicle_id: str, lat: float, lon: float) -> _Fix:
        """Register a position about to be sent."""
        fix = _Fix(lat, lon)
        self.pending[vehicle_id].append(fix)
        return fix

    def answered(self, vehicle_id: str, fix: _Fix, at: float | None) -> None:
        """Note the server's 202 at ``at`` (monotonic seconds); ``None``: it was refused."""
        waiting = self.pending[vehicle_id]
        if fix not in waiting:
            return  # superseded already
        if at is None:
            waiting.remove(fix)
            return
        fix.acked = at
        if fix.seen is not None:
            self._done(vehicle_id, fix)

    def seen(self, vehicle_id: str, lat: float | None, lon: float | None, at: float) -> None:
        """Note that a reader, at ``at``, showed the truck at (lat, lon)."""
        waiting = self.pending.get(vehicle_id)
        if not waiting or lat is None or lon is None:
            return
        for index, fix in enumerate(waiting):
            if fix.seen is None and abs(fix.lat - lat) < 1e-7 and abs(fix.lon - lon) < 1e-7:
                fix.seen = at
                earlier = [other for other in waiting[:index] if other.seen is None]
                self.superseded += len(earlier)
                for other in earlier:
                    waiting.remove(other)
                if fix.acked is not None:
                    self._done(vehicle_id, fix)
                return

    def waiting(self) -> int:
        """Positions acknowledged and not shown (nor superseded) yet."""
        return sum(
            1 for fixes in self.pending.values() for fix in fixes if fix.acked and not fix.seen
        )

    def _done(self, vehicle_id: str, fix: _Fix) -> None:
        delay = (fix.seen or 0.0) - (fix.acked or 0.0)
        if delay < 0:
            self.before_answer += 1
        self.delays.append(max(0.0, delay))
        self.pending[vehicle_id].remove(fix)


@dataclass
class Streams:
    """What the dispatcher consoles' event streams delivered."""

    connect_s: list[float] = field(default_factory=list)
    """Seconds from opening a stream to its ``snapshot`` event."""
    events: Counter[str] = field(default_factory=Counter)
    gaps_s: list[float] = field(default_factory=list)
    """Seconds between consecutive ``live`` events of one stream."""
    bytes_in: int = 0
    drops: list[str] = field(default_factory=list)
    """Streams that failed or ended before the run did, and why."""


@dataclass
class LoadResult:
    """What the load measured."""

    requests: Requests
    probe: Visibility
    stream_visibility: Visibility
    streams: Streams
    started_at: datetime
    duration_s: float
    """The load's length: people start requests only within it."""
    wall_s: float
    """Until the last answer was in and the consoles stopped reading."""
    planned: dict[str, float]
    """Requests per second each kind would make if every answer came at once."""


class _Truck:
    """A truck driving its route at ``SPEED_MPS``, one fix per call of :meth:`step`."""

    def __init__(
        self, depot: tuple[float, float], stops: list[tuple[float, float]], rng: random.Random
    ) -> None:
        self.lat, self.lon = depot
        self._targets = list(stops)
        self._rng = rng
        self._home = (round(self.lat, 6), round(self.lon, 6))
        self._last: tuple[float, float] | None = None

    def step(self, seconds: float) -> tuple[float, float, float, float]:
        """Move ``seconds`` on; return (lat, lon, speed m/s, heading degrees)."""
        speed, heading = 0.0, 0.0
        budget = SPEED_MPS * seconds
        while budget > 0 and self._targets:
            target_lat, target_lon = self._targets[0]
            north = (target_lat - self.lat) * METRES_PER_DEGREE
            east = (target_lon - self.lon) * METRES_PER_DEGREE * math.cos(math.radians(self.lat))
            distance = math.hypot(north, east)
            speed, heading = SPEED_MPS, math.degrees(math.atan2(east, north)) % 360
            if distance <= budget:
                self.lat, self.lon = target_lat, target_lon
                self._targets.pop(0)
                budget -= distance
            else:
                self.lat += north / distance * budget / METRES_PER_DEGREE
                self.lon += (
                    east
                    / distance
                    * budget
                    / (METRES_PER_DEGREE * math.cos(math.radians(self.lat)))
                )
                budget = 0
        fix = (round(self.lat, 6), round(self.lon, 6))
        # Standing still, the fix wanders a few metres. It never falls on the depot itself,
        # where the live picture shows a truck with no position of the day: such a fix
        # would count as shown before it was even sent.
        while fix in (self._last, self._home):
            fix = (
                round(self.lat + self._rng.uniform(-4e-5, 4e-5), 6),
                round(self.lon + self._rng.uniform(-4e-5, 4e-5), 6),
            )
        self._last = fix
        return fix[0], fix[1], speed, heading


class _Clock:
    """Seconds since the load started, and whether the load is over."""

    def __init__(self, duration_s: float) -> None:
        self.start = time.monotonic()
        self.deadline = self.start + duration_s

    def now(self) -> float:
        return time.monotonic() - self.start

    def over(self) -> bool:
        return time.monotonic() >= self.deadline


async def _every(
    clock: _Clock, period_s: float, offset_s: float, tick: Callable[[float], Awaitable[None]]
) -> None:
    """Call ``tick(lag)`` every ``period_s`` from ``offset_s`` on, one call at a time."""
    due = offset_s
    while due < clock.deadline - clock.start:
        wait = due - clock.now()
        if wait > 0:
            await asyncio.sleep(wait)
        if clock.over():
            return
        await tick(max(0.0, clock.now() - due))
        due += period_s
        due = max(due, clock.now())


async def _timed(
    requests: Requests,
    kind: str,
    clock: _Clock,
    lag: float,
    send: Callable[[], Awaitable[httpx.Response]],
) -> httpx.Response | None:
    """Send one request, record its outcome, and return the response (``None`` on error)."""
    requests.lag[kind].append(lag)
    started = clock.now()
    mark = time.perf_counter()
    try:
        response = await send()
    except asyncio.CancelledError:
        requests.add(kind, started, time.perf_counter() - mark, "unfinished", False)
        raise
    except httpx.HTTPError as error:
        name = type(error).__name__
        requests.add(kind, started, time.perf_counter() - mark, name, False, str(error) or name)
        return None
    latency = time.perf_counter() - mark
    ok = 200 <= response.status_code < 300
    requests.bytes_in[kind] += len(response.content)
    detail = "" if ok else response.text
    requests.add(kind, started, latency, str(response.status_code), ok, detail)
    return response


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _client(base_url: str, connections: int, timeout_s: float = TIMEOUT_S) -> httpx.AsyncClient:
    limits = httpx.Limits(
        max_connections=max(1, connections),
        max_keepalive_connections=max(1, connections),
        keepalive_expiry=KEEPALIVE_EXPIRY_S,
    )
    return httpx.AsyncClient(base_url=base_url, limits=limits, timeout=timeout_s)


async def _truck(
    spec: LoadSpec,
    client: httpx.AsyncClient,
    clock: _Clock,
    requests: Requests,
    index: int,
    trackers: list[Visibility],
) -> None:
    vehicle_id = spec.vehicle_ids[index]
    truck = _Truck(spec.depot, spec.routes.get(vehicle_id, []), random.Random(spec.seed + index))
    headers = _headers(spec.integration_token)
    previous: list[float] = []

    async def tick(lag: float) -> None:
        now = clock.now()
        moved = now - previous[0] if previous else 0.0
        previous[:] = [now]
        lat, lon, speed, heading = truck.step(moved)
        body = {
            "positions": [
                {
                    "vehicle_id": vehicle_id,
                    "lat": lat,
                    "lon": lon,
                    "recorded_at": datetime.now(UTC).isoformat(),
                    "speed_mps": speed,
                    "heading": round(heading, 1),
                }
            ]
        }
        fixes = [(tracker, tracker.sent(vehicle_id, lat, lon)) for tracker in trackers]
        response = await _timed(
            requests,
            POSITIONS,
            clock,
            lag,
            lambda: client.post("/api/v1/telemetry/positions", json=body, headers=headers),
        )
        acked = time.monotonic() if response is not None and response.status_code == 202 else None
        for tracker, fix in fixes:
            tracker.answered(vehicle_id, fix, acked)

    offset = spec.truck_period_s * index / len(spec.vehicle_ids)
    await _every(clock, spec.truck_period_s, offset, tick)


async def _agent(
    spec: LoadSpec, client: httpx.AsyncClient, clock: _Clock, requests: Requests, index: int
) -> None:
    rng = random.Random(spec.seed * 1_000 + index)
    headers = _headers(spec.agent_tokens[index % len(spec.agent_tokens)])

    async def tick(lag: float) -> None:
        order_id = rng.choice(spec.order_ids)
        await _timed(
            requests,
            ORDER_STATUS,
            clock,
            lag,
            lambda: client.get(f"/api/v1/orders/{order_id}/status", headers=headers),
        )
        await _timed(
            requests, LIVE, clock, lag, lambda: client.get("/api/v1/live", headers=headers)
        )

    await _every(clock, spec.agent_period_s, spec.agent_period_s * index / spec.agents, tick)


async def _viewer(
    spec: LoadSpec, client: httpx.AsyncClient, clock: _Clock, requests: Requests, index: int
) -> None:
    token = spec.tracking_tokens[index % len(spec.tracking_tokens)]
    address = f"10.{(index >> 16) & 255}.{(index >> 8) & 255}.{index & 255}"
    headers = {"X-Forwarded-For": address}
    count = len(spec.tracking_tokens)

    async def tick(lag: float) -> None:
        await _timed(
            requests,
            TRACKING,
            clock,
            lag,
            lambda: client.get(f"/track/{token}/status", headers=headers),
        )

    await _every(clock, spec.viewer_period_s, spec.viewer_period_s * index / count, tick)


async def _figures(
    spec: LoadSpec, client: httpx.AsyncClient, clock: _Clock, requests: Requests, index: int
) -> None:
    headers = _headers(spec.console_tokens[index % len(spec.console_tokens)])

    async def tick(lag: float) -> None:
        await _timed(
            requests, FIGURES, clock, lag, lambda: client.get("/api/v1/kpis", headers=headers)
        )

    offset = spec.figures_period_s * index / max(1, spec.consoles)
    await _every(clock, spec.figures_period_s, offset, tick)


def _see_vehicles(tracker: Visibility, vehicles: list[dict[str, Any]], at: float) -> None:
    for vehicle in vehicles:
        position = vehicle.get("position") or {}
        tracker.seen(vehicle.get("vehicle_id", ""), position.get("lat"), position.get("lon"), at)


async def _probe(
    spec: LoadSpec,
    client: httpx.AsyncClient,
    clock: _Clock,
    requests: Requests,
    tracker: Visibility,
    done: asyncio.Event,
) -> None:
    """Ask ``/live`` every ``probe_period_s`` while a sampled position is not seen yet."""
    headers = _headers(spec.console_tokens[0])
    while not done.is_set():
        asked = time.monotonic()
        if tracker.waiting():
            response = await _timed(
                requests, PROBE, clock, 0.0, lambda: client.get("/api/v1/live", headers=headers)
            )
            if response is not None and response.status_code == 200:
                _see_vehicles(tracker, response.json().get("vehicles", []), time.monotonic())
        await asyncio.sleep(max(0.0, spec.probe_period_s - (time.monotonic() - asked)))


async def _console(
    spec: LoadSpec,
    clock: _Clock,
    streams: Streams,
    index: int,
    tracker: Visibility | None,
    done: asyncio.Event,
) -> None:
    """Hold the live stream open until ``done``, opening it again if it drops."""
    headers = _headers(spec.console_tokens[index % len(spec.console_tokens)])
    timeout = httpx.Timeout(TIMEOUT_S, read=60.0)
    base_url = spec.base_urls[index % len(spec.base_urls)]
    async with httpx.AsyncClient(base_url=base_url, timeout=timeout) as client:
        while not done.is_set():
            opened = time.perf_counter()
            last_live: float | None = None
            try:
                async with client.stream("GET", "/api/v1/live/stream", headers=headers) as answer:
                    if answer.status_code != 200:
                        streams.drops.append(f"console {index}: HTTP {answer.status_code}")
                        await asyncio.sleep(1.0)
                        continue
                    kind = ""
                    async for line in answer.aiter_lines():
                        streams.bytes_in += len(line) + 1
                        if line.startswith("event: "):
                            kind = line[7:]
                        elif line.startswith("data: "):
                            at = time.monotonic()
                            streams.events[kind] += 1
                            if kind == "snapshot":
                                streams.connect_s.append(time.perf_counter() - opened)
                            elif kind == "live":
                                if last_live is not None:
                                    streams.gaps_s.append(at - last_live)
                                last_live = at
                            if tracker is not None:
                                _see_vehicles(tracker, json.loads(line[6:]).get("vehicles", []), at)
                        elif line.startswith(":"):
                            streams.events["keep-alive"] += 1
                        if done.is_set():
                            return
                    streams.drops.append(
                        f"console {index}: the stream ended at {clock.now():.0f} s"
                    )
            except httpx.HTTPError as error:
                if done.is_set():
                    return
                streams.drops.append(
                    f"console {index}: {type(error).__name__} at {clock.now():.0f} s: {error}"
                )
                await asyncio.sleep(1.0)


async def drive(spec: LoadSpec, log: Callable[[str], None] = print) -> LoadResult:
    """Run the load for ``spec.duration_s`` seconds and return what it measured.

    Parameters
    ----------
    spec
        The people and their periods; the faces must be up at ``spec.base_urls``.
    log
        Called with a progress line every 10 seconds.

    Returns
    -------
    LoadResult
        Every request's outcome, the two visibility measures and the streams' figures.
    """
    requests = Requests()
    rng = random.Random(spec.seed)
    sampled = set(rng.sample(spec.vehicle_ids, min(spec.probe_trucks, len(spec.vehicle_ids))))
    probe = Visibility("probe")
    stream_seen = Visibility("stream")
    streams = Streams()
    trucks = len(spec.vehicle_ids)
    viewers = len(spec.tracking_tokens)
    faces = len(spec.base_urls)

    def per_face(connections: int) -> list[httpx.AsyncClient]:
        return [_client(url, max(1, math.ceil(connections / faces))) for url in spec.base_urls]

    clients = {
        "trucks": per_face(trucks),
        "agents": per_face(spec.agents),
        "viewers": per_face(min(viewers, VIEWER_CONNECTIONS)),
        "probe": [_client(spec.base_urls[0], 1)],
    }
    started_at = datetime.now(UTC)
    clock = _Clock(spec.duration_s)
    tasks = [
        asyncio.create_task(
            _truck(
                spec,
                clients["trucks"][index % faces],
                clock,
                requests,
                index,
                [stream_seen, probe] if spec.vehicle_ids[index] in sampled else [stream_seen],
            )
        )
        for index in range(trucks)
    ]
    tasks += [
        asyncio.create_task(_agent(spec, clients["agents"][index % faces], clock, requests, index))
        for index in range(spec.agents)
    ]
    tasks += [
        asyncio.create_task(
            _viewer(spec, clients["viewers"][index % faces], clock, requests, index)
        )
        for index in range(viewers)
    ]
    tasks += [
        asyncio.create_task(
            _figures(spec, clients["agents"][index % faces], clock, requests, index)
        )
        for index in range(spec.consoles)
    ]
    done = asyncio.Event()
    readers = [
        asyncio.create_task(
            _console(spec, clock, streams, index, stream_seen if index == 0 else None, done)
        )
        for index in range(spec.consoles)
    ]
    if spec.probe_trucks:
        readers.append(
            asyncio.create_task(_probe(spec, clients["probe"][0], clock, requests, probe, done))
        )
    reporter = asyncio.create_task(_report(clock, requests, log))
    try:
        await asyncio.sleep(spec.duration_s)
        _, late = await asyncio.wait(tasks, timeout=spec.drain_s)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
        await asyncio.sleep(READ_ON_S)
        done.set()
        await asyncio.wait(readers, timeout=20.0)
    finally:
        reporter.cancel()
        for task in (*tasks, *readers):
            task.cancel()
        await asyncio.gather(*tasks, *readers, reporter, return_exceptions=True)
        for kind in clients.values():
            for client in kind:
                await client.aclose()
    planned = {
        POSITIONS: trucks / spec.truck_period_s,
        ORDER_STATUS: spec.agents / spec.agent_period_s,
        LIVE: spec.agents / spec.agent_period_s,
        TRACKING: viewers / spec.viewer_period_s,
        FIGURES: spec.consoles / spec.figures_period_s,
    }
    return LoadResult(
        requests=requests,
        probe=probe,
        stream_visibility=stream_seen,
        streams=streams,
        started_at=started_at,
        duration_s=spec.duration_s,
        wall_s=clock.now(),
        planned=planned,
    )


async def _report(clock: _Clock, requests: Requests, log: Callable[[str], None]) -> None:
    """Print every 10 s how many requests of each kind were answered, and failed."""
    while True:
        await asyncio.sleep(10.0)
        parts = []
        for kind, short in SHORT.items():
            oks = requests.ok.get(kind, [])
            failed = oks.count(False)
            parts.append(f"{short} {len(oks)}" + (f" ({failed} failed)" if failed else ""))
        log(f"  {clock.now():5.0f} s: " + ", ".join(parts))
