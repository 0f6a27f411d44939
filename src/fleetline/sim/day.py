"""The simulated day: trucks, drivers, clients and a dispatcher, all through the public API.

``SimulatedDay(config).run(client)`` plays a day on a simulated clock: it seeds a synthetic
company, plans and dispatches its day, then moves every truck along the live plan, sending
positions and stop reports at the moments they happen, injects disruptions drawn from the
seed, lets a simulated dispatcher choose the first-ranked option of every exception, and
reads the day's figures back from ``GET /api/v1/kpis``.

Determinism: everything random comes from the seed and time only from the simulated clock,
so the same parameters and the same morning plan give the same day. In-process, the clock
moves on only once the server's background work started at a moment is over (re-plans,
option solves, client messages): a busy machine plays the same day, only slower. Solves
stop on a time limit, so plans (the morning one and exceptions' options) may differ
between machines; ``plan_from`` replays a report's morning plan without solving.
"""

from __future__ import annotations

import dataclasses
import random
import time as walltime
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from fleetline.sim.client import FleetApi, plan_and_dispatch, seed_over_api
from fleetline.sim.client_calls import note_promised_windows, place_due_calls
from fleetline.sim.company import LIECHTENSTEIN, CompanySpec
from fleetline.sim.config import SimConfig
from fleetline.sim.day_end import complete_report, progress_line, report_end
from fleetline.sim.day_start import imported_routes, live_plan_summary, load_fleet, make_roads
from fleetline.sim.disruptions import (
    Dispatcher,
    Disruption,
    incident_body,
    moved_windows,
    schedule,
    windows_body,
)
from fleetline.sim.exception_decisions import decide_due_exceptions
from fleetline.sim.inquiries import Clients
from fleetline.sim.modes import prepare_mode
from fleetline.sim.motion import Roads, SimIncident
from fleetline.sim.report import JournalEntry, SimReport
from fleetline.sim.truck import Fix, SimStop, SimTruck, StopReport

LAST_MOMENT = time(23, 0)
"""The day stops at this local time whatever is left."""

_REPORT_ORDER = {"arrived": 0, "completed": 1, "failed": 1}


class SimulatedDay:
    """One day of a synthetic company, played against the system over HTTP.

    Parameters
    ----------
    config
        The day's parameters.
    set_time
        Moves the system's clock (the server's ``FixedClock.set`` when in-process).
    settle
        Called before the live plan and exceptions are read, and before the clock moves
        on (in-process: wait for the server's background re-plans and option solves, so
        they read the moment that started them and the day does not depend on machine
        speed).
    deliver
        Called before the clock moves on (in-process: send the client messages queued at
        this moment, see :mod:`fleetline.sim.sends`).
    log
        Receives a line now and then (progress).
    """

    def __init__(
        self,
        config: SimConfig,
        *,
        set_time: Callable[[datetime], None],
        settle: Callable[[], None] | None = None,
        deliver: Callable[[], object] | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.config = config
        self._set_time = set_time
        self._settle = settle or (lambda: None)
        self._deliver = deliver or (lambda: None)
        self._log = log or (lambda _line: None)
        self.trucks: list[SimTruck] = []
        self.stops: dict[str, SimStop] = {}
        self.incidents: list[SimIncident] = []
        self.fixes: list[Fix] = []
        self.stopped = False
        self._touched: set[str] = set()
        self._names: dict[str, str] = {}
        self._roads: Roads | None = None
        self._arrived: dict[str, datetime] = {}
        self.clients = (
            Clients(config.inquiries, config.seed) if config.inquiries is not None else None
        )

    def stop(self) -> None:
        """Ask a running day to stop at its next step."""
        self.stopped = True

    # --- the whole day -------------------------------------------------------------------

    def run(self, http: httpx.Client) -> SimReport:
        """Play the day against the API behind ``http``; return what came of it."""
        config = self.config
        api = FleetApi(http)
        zone = ZoneInfo(LIECHTENSTEIN.timezone)
        report = SimReport(parameters=config.as_dict())
        if config.operator is not None:
            report.mode = config.operator.mode
            report.setup = dataclasses.asdict(prepare_mode(api, config.operator))
        if config.prepare:
            self._set_time(datetime.combine(config.day, time(5, 0), tzinfo=zone))
            spec = CompanySpec(config.trucks, config.orders, config.day, config.seed)
            seed_over_api(api, spec)
            routes = imported_routes(api, config) if config.plan_from else None
            plan_and_dispatch(api, config.day, config.time_limit_s, routes)
        fleet = load_fleet(api, config, self._draws)
        zone, self.stops, self._names = fleet.zone, fleet.stops, fleet.names
        self.trucks.extend(fleet.trucks)
        report.plan = live_plan_summary(api, config, fleet)
        roads = self._roads = make_roads(config)
        start = min(t.shift_start for t in self.trucks)
        if config.start is not None:
            start = datetime.combine(config.day, config.start, tzinfo=zone)
        end = datetime.combine(config.day, config.until or LAST_MOMENT, tzinfo=zone)
        references = sorted(s.reference for s in self.stops.values())
        planned = schedule(config, len(self.trucks), references, start, LIECHTENSTEIN)
        model = config.operator
        dispatcher = Dispatcher(
            timedelta(seconds=config.decision_delay_s),
            delay_of=(lambda e, n: model.delay(e, config.seed, n)) if model else None,
        )
        for truck in self.trucks:
            truck.clock = max(truck.clock, start)
        tick = timedelta(seconds=config.tick_s)
        now, next_batch, next_poll, next_look = start, start, start, start
        wall_start = walltime.monotonic()
        buffer: list[Fix] = []
        report.started_at = start.isoformat()
        self._set_time(now)
        while True:
            while planned and planned[0].at <= now:
                disruption = planned.pop(0)
                applied = self._disrupt(api, disruption, roads, report)
                report.disruptions.append({**disruption.describe(), "applied": applied})
            sent = [
                r
                for truck in self.trucks
                for r in truck.advance(now, roads, self.stops, self.incidents)
            ]
            self._send_reports(api, sent, report)
            for truck in self.trucks:
                fix = truck.fix(now)
                if fix is not None:
                    buffer.append(fix)
            changed = False
            if now >= next_look:
                next_look += timedelta(seconds=config.look_s or config.poll_s)
                changed = self._decide(api, dispatcher, now)
            polled = now >= next_poll or changed
            if polled:
                if now >= next_poll:
                    next_poll += timedelta(seconds=config.poll_s)
                self._follow(api, now, roads)
                self._calls(api, now, report)
            done = polled and dispatcher.pending == 0 and all(t.finished for t in self.trucks)
            if now >= next_batch or done or now >= end:
                next_batch += timedelta(seconds=config.batch_s)
                self._send_fixes(api, buffer, report)
                buffer = []
            self._settle()  # what this moment started is done at this moment
            self._deliver()
            if done or now >= end or self.stopped:
                break
            now += tick
            if config.speed > 0:
                lag = (
                    wall_start + (now - start).total_seconds() / config.speed - walltime.monotonic()
                )
                if lag > 0:
                    walltime.sleep(lag)
            self._set_time(now)
            if now.minute == 0 and now.second < config.tick_s:
                self._log(f"{now.astimezone(zone):%H:%M} {progress_line(self.trucks)}")
        report.ended_at = now.isoformat()
        if self.clients is not None:  # calls after the last truck came home
            self._calls(api, end if done else now, report, flush=True)
        self._settle()
        self._deliver()
        day = config.day.isoformat()
        complete_report(report, api, day, dispatcher, self.trucks, self.fixes, self.clients)
        return report

    # --- setting up ----------------------------------------------------------------------

    def _draws(self, order_id: str) -> random.Random:
        """A stop's own random stream: the same outcome whichever truck comes, whenever."""
        stop = self.stops.get(order_id)
        return random.Random(f"{self.config.seed}/stop/{stop.reference if stop else order_id}")

    # --- during the day ------------------------------------------------------------------

    def _send_reports(self, api: FleetApi, sent: list[StopReport], report: SimReport) -> None:
        sent.sort(key=lambda r: (r.at, self._names[r.vehicle_id], _REPORT_ORDER[r.type]))
        for item in sent:
            body: dict[str, Any] = {
                "type": item.type,
                "at": item.at.isoformat(),
                "vehicle_id": item.vehicle_id,
            }
            if item.reason:
                body["reason"] = item.reason
                body["note"] = "simulated"
            api.report("POST", f"/api/v1/stops/{item.order_id}/events", body)
            self._touched.add(item.order_id)
            if item.type == "arrived":
                self._arrived[item.order_id] = item.at
            elif item.type == "failed":
                self._arrived.pop(item.order_id, None)
            report.journal.append(
                JournalEntry(
                    item.at.isoformat(),
                    self._names[item.vehicle_id],
                    self.stops[item.order_id].reference,
                    item.type,
                    item.reason,
                )
            )

    def _send_fixes(self, api: FleetApi, fixes: list[Fix], report: SimReport) -> None:
        if not fixes:
            return
        body = {
            "positions": [
                {
                    "vehicle_id": f.vehicle_id,
                    "lat": f.location.lat,
                    "lon": f.location.lon,
                    "recorded_at": f.at.isoformat(),
                    "speed_mps": f.speed_mps,
                }
                for f in fixes
            ]
        }
        if api.report("POST", "/api/v1/telemetry/positions", body):
            report.positions_sent += len(fixes)
            self.fixes.extend(fixes)

    def _follow(self, api: FleetApi, now: datetime, roads: Roads) -> None:
        live = api.need("GET", "/api/v1/live", date=self.config.day.isoformat())
        if self.clients is not None and not self.clients.watched:
            note_promised_windows(self.clients, live, self.stops)
        remaining = {
            v["vehicle_id"]: [
                s["order_id"]
                for s in v["remaining"]
                if s.get("state") not in ("completed", "failed")
            ]
            for v in live["vehicles"]
        }
        for truck in self.trucks:
            truck.follow(
                remaining.get(truck.vehicle_id, []), now, roads, self.stops, self.incidents
            )

    def _decide(self, api: FleetApi, dispatcher: Dispatcher, now: datetime) -> bool:
        """Decide each exception due (the operator's choice); whether the plan changed."""
        self._settle()
        day = self.config.day.isoformat()
        return decide_due_exceptions(api, dispatcher, day, now, self.config.operator)

    def _disrupt(
        self, api: FleetApi, disruption: Disruption, roads: Roads, report: SimReport
    ) -> bool:
        at = disruption.at
        if disruption.kind == "breakdown":
            for candidate in self.trucks:
                candidate_reports = candidate.advance(at, roads, self.stops, self.incidents)
                self._send_reports(api, candidate_reports, report)
            index = disruption.truck
            if index is None:  # the first truck on the road
                index = next((n for n, t in enumerate(self.trucks) if t.active), 0)
            truck = self.trucks[index]
            if not truck.active:
                return False
            truck.break_down(at)
            event = {"type": "breakdown", "at": at.isoformat(), "note": "simulated breakdown"}
            return api.report("POST", f"/api/v1/vehicles/{truck.vehicle_id}/events", event)
        if disruption.kind == "window_change" and disruption.order is not None:
            stop = next((s for s in self.stops.values() if s.reference == disruption.order), None)
            if stop is None or stop.order_id in self._touched:
                return False
            windows = moved_windows(stop.windows, disruption.shift_min)
            if not api.report("PATCH", f"/api/v1/orders/{stop.order_id}", windows_body(windows)):
                return False
            self.stops[stop.order_id] = dataclasses.replace(stop, windows=windows)
            if self.clients is not None:
                self.clients.moved(stop.order_id, disruption.shift_min)
            return True
        if disruption.kind == "incident" and disruption.incident is not None:
            self.incidents.append(disruption.incident)
            return api.report("POST", "/api/v1/traffic/incidents", incident_body(disruption))
        return False

    def _calls(self, api: FleetApi, now: datetime, report: SimReport, flush: bool = False) -> None:
        """Clients whose rule fired by ``now`` decide whether to call; calls are logged."""
        if self.clients is None:
            return
        after = report_end(report) if flush else None
        place_due_calls(api, self.clients, now, self._arrived, set_time=self._set_time, after=after)
