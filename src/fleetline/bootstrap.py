"""Wiring: settings in, services out.

Engines, handles and workers are made here, never at import time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial

from sqlalchemy import Engine

from fleetline.adapters.mqtt_positions import MqttPositionFeed
from fleetline.bus import CommandHandler, Context, MessageBus
from fleetline.clock import Clock, SystemClock
from fleetline.cluster.event_follower import EventFollower
from fleetline.cluster.lease import EngineLease
from fleetline.cluster.notifications import ENGINE, LIVE, Listener
from fleetline.cluster.pictures import (
    PictureFollower,
    ask_engine,
    days_published_since,
    last_version,
    publish_picture,
)
from fleetline.comms.channels import channels_from
from fleetline.comms.compose import CommsConfig
from fleetline.comms.forecast_rules import ForecastRules, make_send_forecast_notices
from fleetline.comms.outbox import OutboxDispatcher
from fleetline.comms.rules import make_event_rules
from fleetline.domain import commands, events
from fleetline.domain.snapshot import RemainingStop
from fleetline.domain.values import DayHorizon
from fleetline.network.base import TravelTimes
from fleetline.network.road_layer import RoadLayer, road_layer_for
from fleetline.operations import (
    admin_tokens,
    inquiries,
    live_day,
    master_data,
    message_hold,
    order_file_import,
    orders,
    plans,
)
from fleetline.operations.access import KnownTokens
from fleetline.operations.client_messages import make_send_client_message
from fleetline.operations.company import CompanyToday, set_company_timezone
from fleetline.operations.eta import forecast, forecast_fleet
from fleetline.operations.exception_options import exception_finders
from fleetline.operations.exceptions import ExceptionService, make_resolve_exception
from fleetline.operations.kpi_cache import DayFigures
from fleetline.operations.live_service import LiveService
from fleetline.operations.manual_edits import make_apply_manual_edit
from fleetline.operations.pace_tracker import PaceTracker
from fleetline.operations.planning_service import PlanningService
from fleetline.operations.ports import UnitOfWork
from fleetline.operations.replan_options import PreparedOptions, replan_finders
from fleetline.operations.replan_policy import set_replan_policy
from fleetline.operations.replanning import Replanner
from fleetline.operations.snapshot import stop_of
from fleetline.operations.telemetry import make_record_positions
from fleetline.operations.traffic_feed import FollowsTraffic, TrafficFeed
from fleetline.operations.traffic_incidents import end_traffic_incident
from fleetline.planning.worker_processes import stop_what_if_workers
from fleetline.settings import Settings
from fleetline.store.database import make_engine, make_session_factory
from fleetline.store.migrate import upgrade
from fleetline.store.unit_of_work import SqlUnitOfWork

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Services:
    """Everything a face (API, console, command line) needs to act on the day."""

    settings: Settings
    clock: Clock
    engine: Engine
    uow_factory: Callable[[], UnitOfWork]
    bus: MessageBus
    travel_times: TravelTimes
    planning: PlanningService
    live: LiveService
    exceptions: ExceptionService
    mqtt: MqttPositionFeed | None = None
    replanner: Replanner | None = None
    outbox: OutboxDispatcher | None = None
    road_layer: RoadLayer | None = None
    """The region's streets for the maps; ``None`` without a region or a road layer."""
    figures: DayFigures | None = None
    """Each day's KPIs, shared by every reader (the API, the KPI strips, the Figures page)."""
    tokens: KnownTokens | None = None
    """The bearer tokens recently seen live (the API's authentication)."""
    role: str = "all"
    """``all`` (one process does everything), ``face`` or ``engine`` (see
    :mod:`fleetline.cluster`)."""
    closers: list[Callable[[], None]] = field(default_factory=list)
    """Stopped first, in order, by :meth:`close` (listeners, the event-log follower)."""

    def close(self, *, stop_shared_workers: bool = True) -> None:
        """Stop the workers (the what-if solvers' processes too) and release the database.

        Parameters
        ----------
        stop_shared_workers
            Stop the what-if solvers' processes, which every ``Services`` of this process
            shares; a process that builds services again and again (a test run) keeps
            them for the next and stops them once at its end.
        """
        for stop in self.closers:
            stop()
        if self.outbox is not None:
            self.outbox.close()
        if self.mqtt is not None:
            self.mqtt.stop()
        self.live.close()
        # Exceptions opened from here on (by the re-plan under way) wait for the next start.
        self.exceptions.stop_computing()
        if self.replanner is not None:
            self.replanner.close()
        self.exceptions.close()
        self.planning.close()
        if stop_shared_workers:
            stop_what_if_workers()
        self.engine.dispose()


def travel_times_from(settings: Settings, clock: Clock) -> TravelTimes:
    """Return the road network of the settings (crow-flies without one), with traffic.

    Traffic incidents are read at the clock's time.
    """
    from fleetline.network.factory import travel_times_for

    return travel_times_for(settings.region, clock=clock)


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    travel_times: TravelTimes | None = None,
    migrate: bool = True,
    recover: bool = True,
    live_refresh: bool = True,
    send_messages: bool = True,
    background: Executor | None = None,
    role: str = "all",
    lease: EngineLease | None = None,
) -> Services:
    """Build the services of one Fleetline process.

    Parameters
    ----------
    settings
        Configuration; read from the environment when not given.
    clock
        The clock; the system clock when not given (simulations pass their own).
    travel_times
        Travel-time provider; built from ``settings.region`` when not given.
    migrate
        Bring the database schema up to date first.
    recover
        Take up again the solves a stopped server left unfinished: plans still solving,
        and the options of today's open exceptions that have none.
    live_refresh
        Keep the live picture fresh in a background thread (tests refresh on demand).
    send_messages
        Send client messages from the outbox in a background thread (tests call
        ``services.outbox.run_once()`` instead).
    background
        Runs the re-plans and exceptions' option solves; their own threads when not
        given (a simulated day passes one it runs at moments of its choosing).
    role
        ``all``: this process does everything (the embedded default). ``face``: the API
        and consoles of a split installation, which follow the engine's pictures and
        start no background work. ``engine``: the engine of a split installation, which
        handles every process's events from the event log and publishes its pictures
        (needs ``lease``, already taken). See :mod:`fleetline.cluster`.
    lease
        The engine lease this process holds (``role="engine"``).
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    face = role == "face"
    settings = settings or Settings()
    clock = clock or SystemClock()
    if migrate:
        upgrade(settings.database_url)
    engine = make_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_timeout_s=settings.database_pool_timeout_s,
    )
    session_factory = make_session_factory(engine)
    uow_factory: Callable[[], UnitOfWork] = partial(SqlUnitOfWork, session_factory, clock)
    travel_times = travel_times or travel_times_from(settings, clock)
    context = Context(
        clock=clock,
        horizon=DayHorizon(settings.order_days_back, settings.order_days_ahead),
    )
    planning = PlanningService(
        uow_factory,
        context,
        travel_times,
        processes=settings.solver_processes,
        default_time_limit_s=settings.solver_time_limit_s,
        max_iterations=settings.solver_max_iterations,
    )
    feed = (
        TrafficFeed(uow_factory, clock, travel_times)
        if isinstance(travel_times, FollowsTraffic)
        else None
    )
    today = CompanyToday(uow_factory, clock)
    live = LiveService(
        uow_factory,
        clock,
        travel_times,
        forecast_fleet,
        today=today,
        before_refresh=feed.sync if feed else None,
        ask=partial(_ask_for_picture, engine) if face else None,
    )

    def stop_lookup(order_id: str) -> RemainingStop | None:
        with uow_factory() as uow:
            return stop_of(uow, order_id)

    iterations = settings.options_max_iterations
    finders = exception_finders(
        travel_times, settings.options_time_limit_s, stop_lookup, max_iterations=iterations
    )
    prepared = PreparedOptions()
    finders.update(
        replan_finders(
            travel_times, settings.options_time_limit_s, prepared, max_iterations=iterations
        )
    )
    exceptions = ExceptionService(uow_factory, context, live, finders, workers=background)
    bus = MessageBus(
        uow_factory=uow_factory,
        context=context,
        command_handlers={
            **STORE_COMMAND_HANDLERS,
            commands.ImportPlan: plans.make_import_plan(planning.time_sequences),
            commands.RecordPositions: make_record_positions(),
            commands.ResolveException: make_resolve_exception(travel_times, forecast),
            commands.ApplyManualEdit: make_apply_manual_edit(travel_times, forecast),
        },
        event_handlers={
            events.PlanRequested: [planning.on_plan_requested],
            **{kind: [live.on_event] for kind in LIVE_EVENTS},
        },
    )
    bus.event_handlers[events.CompanyTimezoneChanged].insert(0, today.forget)
    figures = DayFigures(uow_factory)
    tokens = KnownTokens(uow_factory)
    bus.event_handlers.setdefault(events.TokenRevoked, []).append(tokens.forget)
    comms = CommsConfig(base_url=settings.base_url())
    bus.command_handlers[commands.SendForecastNotices] = make_send_forecast_notices(comms)
    bus.command_handlers[commands.SendClientMessage] = make_send_client_message(comms)
    bus.transaction_rules.append(make_event_rules(comms))
    if face:
        parts = (settings, clock, engine, uow_factory, bus, travel_times, planning, live)
        return _face(Services(*parts, exceptions, figures=figures, tokens=tokens), today)
    bus.event_handlers[events.VehicleStatusChanged].append(exceptions.on_vehicle_status)
    bus.event_handlers[events.StopReported].append(exceptions.on_stop_reported)
    for changed in (events.PlanRevised, events.PlanDispatched):
        bus.event_handlers[changed].append(exceptions.on_plan_changed)
    pace = PaceTracker(uow_factory, travel_times, live.set_pace)
    bus.event_handlers[events.StopReported].insert(0, pace.on_stop_reported)
    pace.relearn(live.today())  # a restart keeps each driver's pace of the day
    exceptions.publish = bus.publish
    # ETA-driven client messages follow every refresh, also one a test asks for by hand.
    live.after_refresh.append(ForecastRules(bus, live.today).on_live_refresh)
    replanner = Replanner(
        uow_factory,
        context,
        live,
        exceptions,
        bus,
        travel_times,
        forecast,
        prepared,
        time_limit_s=settings.options_time_limit_s,
        max_iterations=iterations,
        workers=background,
    )
    for kind, handler in (
        (events.OrderChanged, replanner.on_order_changed),
        (events.OrdersCreated, replanner.on_orders_created),
        (events.TrafficIncidentReported, replanner.on_traffic_incident),
        (events.ExceptionOptionsReady, replanner.on_options_ready),
    ):
        bus.event_handlers.setdefault(kind, []).append(handler)
    if recover:
        resumed = planning.recover()
        if resumed:
            log.info("resuming %d unfinished solves", len(resumed))
        waiting = exceptions.recover()
        if waiting:
            log.info("computing the options of %d open exceptions", len(waiting))
    if live_refresh:
        live.after_refresh.append(replanner.on_live_refresh)
        live.start()
    outbox = OutboxDispatcher(
        uow_factory,
        clock,
        channels_from(settings, clock, uow_factory),
        poll_s=settings.outbox_poll_s,
    )
    for nudge in (events.NotificationsQueued, events.MessageHoldChanged):
        bus.event_handlers.setdefault(nudge, []).append(outbox.on_event)
    if send_messages:
        outbox.start()
    mqtt = None
    if settings.mqtt_url:
        mqtt = MqttPositionFeed(settings.mqtt_url, bus.handle)
        mqtt.start()
    services = Services(
        settings, clock, engine, uow_factory, bus, travel_times, planning, live, exceptions, mqtt
    )
    services.replanner = replanner
    services.outbox = outbox
    services.figures = figures
    services.tokens = tokens
    outbox.after_change.append(figures.forget)
    bus.every_event.append(figures.on_event)
    services.road_layer = road_layer_for(settings.region)
    if role == "engine":
        if lease is None:
            raise ValueError("the engine needs the engine lease")
        _follow_the_log(services, lease)
    return services


ROLES = ("all", "face", "engine")
"""What a process does: everything, the faces' part or the engine's part."""


def _ask_for_picture(engine: Engine, day: date) -> None:
    ask_engine(engine, f"picture {day.isoformat()}")


def _face(services: Services, today: CompanyToday) -> Services:
    """Finish the services of a face: follow the engine's pictures, start no work.

    The face's bus hands events to no engine work (the engine reads them from the log);
    its own positions still move its maps' trucks before the next picture.
    """
    bus, live, engine = services.bus, services.live, services.engine
    bus.event_handlers = {
        events.PositionsReceived: [live.on_event],
        events.CompanyTimezoneChanged: [today.forget],
        events.TokenRevoked: bus.event_handlers.get(events.TokenRevoked, []),
    }
    services.exceptions.ask_engine = lambda exception_id: ask_engine(
        engine, f"options {exception_id}"
    )
    # The engine computes the day's figures and sends them with its pictures.
    services.figures = DayFigures(services.uow_factory, follows_engine=True)
    bus.every_event.append(services.figures.on_event)
    follower = PictureFollower(engine, live.adopt, today, services.figures)
    listener = Listener(
        services.settings.database_url,
        {LIVE: follower.on_notification},
        on_connect=follower.catch_up,
        name="pictures",
    )
    listener.start()
    services.role = "face"
    services.road_layer = road_layer_for(services.settings.region)
    services.closers.append(listener.close)
    return services


def _follow_the_log(services: Services, lease: EngineLease) -> None:
    """Make ``services`` the engine: handle the log's events, publish pictures, answer asks.

    Handling starts after the last event the previous engine handled; the days the faces
    were shown (yesterday on) are computed again at once.
    """
    with services.uow_factory() as uow:
        end = uow.events.end()
    cursor = lease.record_holder(services.clock.now(), first_cursor=end)
    follower = EventFollower(services.uow_factory, services.bus, lease, cursor)
    live = services.live
    live.continue_versions_after(last_version(services.engine))
    live.on_publish.append(partial(publish_picture, services.engine, figures=services.figures))

    def on_request(payload: str) -> None:
        what, _, subject = payload.partition(" ")
        if what == "picture":
            try:
                live.want(date.fromisoformat(subject))
            except ValueError:
                log.warning("asked for the picture of %r, which is no day", subject[:40])
        elif what == "options":
            services.exceptions.recompute(subject[:64])

    listener = Listener(
        services.settings.database_url, {ENGINE: on_request}, name="engine-requests"
    )
    today = live.today()
    for day in {today, *days_published_since(services.engine, today - timedelta(days=1))}:
        live.want(day)
    follower.start()
    listener.start()
    services.role = "engine"
    services.closers.extend([listener.close, follower.close])
    log.info("the engine handles the event log from event %d on", cursor.seq)


STORE_COMMAND_HANDLERS: dict[type[commands.Command], CommandHandler] = {
    commands.CreateDepot: master_data.create_depot,
    commands.UpdateDepot: master_data.update_depot,
    commands.SetCompanyTimezone: set_company_timezone,
    commands.CreateVehicle: master_data.create_vehicle,
    commands.CreateDriver: master_data.create_driver,
    commands.CreateClient: master_data.create_client,
    commands.UpdateClient: master_data.update_client,
    commands.UpdateVehicle: master_data.update_vehicle,
    commands.UpdateDriver: master_data.update_driver,
    commands.IssueToken: admin_tokens.issue_api_token,
    commands.RevokeToken: admin_tokens.revoke_api_token,
    commands.ImportOrderFile: order_file_import.import_order_file,
    commands.CreateOrders: orders.create_orders,
    commands.ChangeOrder: orders.change_order,
    commands.RequestPlan: plans.request_plan,
    commands.DispatchPlan: plans.dispatch_plan,
    commands.ReportStopEvent: live_day.report_stop_event,
    commands.ReportVehicleEvent: live_day.report_vehicle_event,
    commands.ReportTrafficIncident: live_day.report_traffic_incident,
    commands.EndTrafficIncident: end_traffic_incident,
    commands.SetReplanPolicy: set_replan_policy,
    commands.LogInquiry: inquiries.log_inquiry,
    commands.SetMessageHold: message_hold.set_message_hold,
    commands.RetryNotification: message_hold.retry_notification,
}
"""The command handlers that need nothing but the store and a clock; the services add
those that need the road network, the planner or the forecaster."""


LIVE_EVENTS: tuple[type[events.Event], ...] = (
    events.PositionsReceived,
    events.PlanDispatched,
    events.PlanRevised,
    events.OrderChanged,
    events.StopReported,
    events.VehicleStatusChanged,
    events.TrafficIncidentReported,
    events.TrafficIncidentEnded,
    events.CompanyTimezoneChanged,
)
"""Events after which the live picture is recomputed."""
