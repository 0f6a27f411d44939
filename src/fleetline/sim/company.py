"""A synthetic distribution company: depot, fleet, drivers, clients and a day of orders.

Everything is made from a seed, so a company and its day can be made again exactly, and
everything reaches the system through its commands, as an integrator's would.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fleetline.bus import MessageBus
from fleetline.domain import commands
from fleetline.domain.model import Contact, Location, TimeWindow, VehicleCosts


@dataclass(frozen=True, slots=True)
class Area:
    """Where the company works: a depot, a box its clients lie in, and its towns.

    With ``towns`` (latitude, longitude, weight), clients lie around the towns (within a
    few hundred metres, where the streets are), else anywhere in the box.
    """

    name: str
    timezone: str
    depot: Location
    south: float
    west: float
    north: float
    east: float
    towns: tuple[tuple[float, float, float], ...] = ()
    spread_m: float = 450.0


LIECHTENSTEIN = Area(
    name="Rhine valley",
    timezone="Europe/Vaduz",
    depot=Location(47.1740, 9.5030),
    south=47.06,
    west=9.49,
    north=47.24,
    east=9.57,
    towns=(
        (47.1410, 9.5209, 3),  # Vaduz
        (47.1650, 9.5095, 3),  # Schaan
        (47.1070, 9.5270, 2),  # Triesen
        (47.0660, 9.5020, 2),  # Balzers
        (47.2107, 9.5222, 2),  # Eschen
        (47.2197, 9.5442, 2),  # Mauren
        (47.2380, 9.5250, 1),  # Ruggell
        (47.2200, 9.5080, 1),  # Gamprin
        (47.2311, 9.5470, 1),  # Schellenberg
        (47.1180, 9.5430, 1),  # Triesenberg
        (47.1850, 9.5440, 1),  # Planken
    ),
)

_FIRST = (
    "Anna",
    "Luca",
    "Mia",
    "Noah",
    "Lea",
    "Elias",
    "Sara",
    "David",
    "Nina",
    "Jonas",
    "Laura",
    "Marco",
    "Julia",
    "Simon",
    "Eva",
    "Fabian",
    "Lena",
    "Tim",
    "Alina",
    "Remo",
)
_LAST = (
    "Frick",
    "Wohlwend",
    "Marxer",
    "Büchel",
    "Kaiser",
    "Ospelt",
    "Beck",
    "Meier",
    "Hasler",
    "Vogt",
    "Risch",
    "Batliner",
    "Schädler",
    "Kind",
    "Matt",
    "Gassner",
)
_TRADES = (
    "Bäckerei",
    "Café",
    "Hotel",
    "Apotheke",
    "Restaurant",
    "Kiosk",
    "Metzgerei",
    "Pflegeheim",
    "Schule",
    "Markt",
    "Getränke",
    "Bistro",
    "Praxis",
    "Kantine",
)
_STREETS = (
    "Landstrasse",
    "Dorfstrasse",
    "Städtle",
    "Feldkircherstrasse",
    "Zollstrasse",
    "Bahnhofstrasse",
    "Kirchstrasse",
    "Austrasse",
    "Im Rossfeld",
    "Essanestrasse",
)


@dataclass(frozen=True, slots=True)
class CompanySpec:
    """How big a company to make, for which day, from which seed."""

    trucks: int = 30
    orders: int = 450
    day: date = field(default_factory=lambda: date(2026, 11, 26))
    seed: int = 7
    area: Area = LIECHTENSTEIN


@dataclass(slots=True)
class SeededCompany:
    """The ids of what was created."""

    depot_id: str = ""
    vehicle_ids: list[str] = field(default_factory=list)
    driver_ids: list[str] = field(default_factory=list)
    client_ids: list[str] = field(default_factory=list)
    order_ids: list[str] = field(default_factory=list)


def _point(rng: random.Random, area: Area) -> Location:
    if not area.towns:
        return Location(
            round(rng.uniform(area.south, area.north), 6),
            round(rng.uniform(area.west, area.east), 6),
        )
    lat, lon, _ = rng.choices(area.towns, weights=[t[2] for t in area.towns])[0]
    metres_per_degree = 111_320.0
    north = rng.gauss(0.0, area.spread_m) / metres_per_degree
    east = rng.gauss(0.0, area.spread_m) / (metres_per_degree * math.cos(math.radians(lat)))
    return Location(round(lat + north, 6), round(lon + east, 6))


def vehicle_commands(spec: CompanySpec, depot_id: str) -> list[commands.CreateVehicle]:
    """The fleet: two thirds 18-pallet trucks, a third 8-pallet vans; some refrigerated."""
    rng = random.Random(spec.seed)
    fleet = []
    for number in range(1, spec.trucks + 1):
        large = number % 3 != 0
        skills = {"tail_lift"} if large else set()
        if number % 5 == 0:
            skills.add("refrigerated")
        start = time(6, 30) if number % 4 == 0 else time(7, 0)
        fleet.append(
            commands.CreateVehicle(
                name=f"Truck {number:02d}" if large else f"Van {number:02d}",
                depot_id=depot_id,
                capacity={"weight_kg": 8000, "pallets": 18}
                if large
                else {"weight_kg": 3500, "pallets": 8},
                shift_start=start,
                shift_end=time(start.hour + 9, start.minute),
                skills=frozenset(skills),
                costs=VehicleCosts(
                    per_km=0.9 if large else 0.5,
                    per_hour=34.0 + rng.randint(0, 6),
                    overtime_per_hour=52.0,
                ),
            )
        )
    return fleet


def client_commands(spec: CompanySpec) -> list[commands.CreateClient]:
    """About one client per three orders, with priorities 1 (few) to 5."""
    rng = random.Random(spec.seed + 1)
    count = max(1, spec.orders // 3)
    clients = []
    for number in range(count):
        trade = rng.choice(_TRADES)
        owner = rng.choice(_LAST)
        priority = rng.choices((1, 2, 3, 4, 5), weights=(10, 20, 40, 20, 10))[0]
        slug = f"{trade}-{owner}-{number}".lower().replace("ä", "ae").replace("ü", "ue")
        clients.append(
            commands.CreateClient(
                name=f"{trade} {owner} {number + 1}",
                priority=priority,
                contact=Contact(
                    email=f"orders@{slug}.example",
                    phone=f"+423 {rng.randint(200, 399)} {rng.randint(1000, 9999)}",
                ),
                notes="Key account: call before any delay." if priority == 1 else "",
            )
        )
    return clients


def order_drafts(spec: CompanySpec, client_ids: list[str]) -> list[commands.OrderDraft]:
    """The day's orders: mostly one window, some two, some all day."""
    rng = random.Random(spec.seed + 2)
    zone = ZoneInfo(spec.area.timezone)

    def at(hour: float) -> datetime:
        return datetime.combine(spec.day, time(0), tzinfo=zone) + timedelta(hours=hour)

    drafts = []
    for number in range(spec.orders):
        kind = rng.random()
        if kind < 0.6:
            start = rng.choice((8, 8.5, 9, 9.5, 10, 10.5, 11, 12, 13, 13.5, 14))
            windows: tuple[TimeWindow, ...] = (TimeWindow(at(start), at(start + 2)),)
        elif kind < 0.8:
            windows = (TimeWindow(at(8), at(10.5)), TimeWindow(at(13), at(15.5)))
        else:
            windows = (TimeWindow(at(8), at(16)),)
        pallets = rng.choices((0, 1, 2), weights=(60, 35, 5))[0]
        roll = rng.random()
        skills = (
            frozenset({"refrigerated"})
            if roll < 0.06
            else (frozenset({"tail_lift"}) if roll < 0.16 else frozenset())
        )
        drafts.append(
            commands.OrderDraft(
                client_id=client_ids[number % len(client_ids)],
                date=spec.day,
                location=_point(rng, spec.area),
                time_windows=windows,
                demand={"weight_kg": rng.randint(20, 600), "pallets": pallets},
                service_s=rng.choice((300, 420, 600, 900)),
                required_skills=skills,
                reference=f"PO-{spec.day:%y%m%d}-{number + 1:05d}",
                address=f"{rng.choice(_STREETS)} {rng.randint(1, 120)}",
                instructions=rng.choice(
                    ("", "", "", "Leave at reception", "Ring twice", "Ramp at the back")
                ),
            )
        )
    return drafts


def seed_company(bus: MessageBus, spec: CompanySpec) -> SeededCompany:
    """Create the company and its day through the bus, as an integrator would."""
    seeded = SeededCompany()
    depot = bus.handle(
        commands.CreateDepot(
            name="Schaan depot", location=spec.area.depot, timezone=spec.area.timezone
        )
    )
    seeded.depot_id = depot.id
    rng = random.Random(spec.seed + 3)
    for vehicle_command in vehicle_commands(spec, depot.id):
        vehicle = bus.handle(vehicle_command)
        seeded.vehicle_ids.append(vehicle.id)
        name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        driver = bus.handle(
            commands.CreateDriver(
                name=name, phone=f"+423 79{rng.randint(10000, 99999)}", vehicle_id=vehicle.id
            )
        )
        seeded.driver_ids.append(driver.id)
    for client_command in client_commands(spec):
        seeded.client_ids.append(bus.handle(client_command).id)
    orders = bus.handle(commands.CreateOrders(orders=tuple(order_drafts(spec, seeded.client_ids))))
    seeded.order_ids = [order.id for order in orders]
    return seeded
