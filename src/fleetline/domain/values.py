"""Value objects: a point on Earth, an interval of time, a load of named dimensions."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fleetline.domain.errors import InvalidField

LOAD_DIMENSIONS: tuple[str, ...] = ("weight_kg", "volume_m3", "pallets", "parcels", "crates")
"""The load dimensions a company may use for capacities and demands."""

LARGEST_LOAD = 1_000_000
"""The most of one dimension a capacity or a demand may hold (a million kilograms, pallets,
parcels...): more is a typing error, and the planner models every amount exactly."""

LOWEST_PRIORITY = 5
HIGHEST_PRIORITY = 1

PHONE_DIGITS = (6, 20)
"""The fewest and the most digits a phone number may have."""
PHONE_MAX_LENGTH = 40
"""The most characters of a phone number, separators included."""
_PHONE = re.compile(r"\+?[0-9](?:[0-9 -]*[0-9])?")
PHONE_RULE = "Use an optional +, then 6 to 20 digits; spaces and dashes may separate them."
"""How a phone number must be written, as an admin is told."""


@dataclass(frozen=True, slots=True)
class Location:
    """A point on Earth in WGS84 degrees."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not isinstance(self.lat, int | float) or not math.isfinite(self.lat):
            raise InvalidField("lat", "latitude must be a finite number")
        if not isinstance(self.lon, int | float) or not math.isfinite(self.lon):
            raise InvalidField("lon", "longitude must be a finite number")
        if not -90.0 <= self.lat <= 90.0:
            raise InvalidField("lat", f"latitude {self.lat} is outside -90..90")
        if not -180.0 <= self.lon <= 180.0:
            raise InvalidField("lon", f"longitude {self.lon} is outside -180..180")


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """An interval of absolute time, ``start`` inclusive and ``end`` inclusive."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if value.tzinfo is None or value.utcoffset() is None:
                raise InvalidField(name, "time must carry a UTC offset")
        if self.end <= self.start:
            raise InvalidField("end", "time window ends before it starts")

    def contains(self, moment: datetime) -> bool:
        """Return whether ``moment`` lies within the window."""
        return self.start <= moment <= self.end

    @property
    def duration(self) -> timedelta:
        """Length of the window."""
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class DayHorizon:
    """How far from the company's today an order's delivery day may be.

    A day further back is a typing error or an old file imported again; further ahead, a
    year typed wrong. Both are refused naming the field, so they never reach a plan.
    """

    days_back: int = 31
    days_ahead: int = 366

    def check(self, day: date, today: date, field_name: str = "date") -> None:
        """Raise :class:`InvalidField` on ``field_name`` when ``day`` is outside the horizon.

        Parameters
        ----------
        day
            The delivery day asked for.
        today
            The company's date now.
        field_name
            The field reported.
        """
        first = today - timedelta(days=self.days_back)
        last = today + timedelta(days=self.days_ahead)
        if not first <= day <= last:
            raise InvalidField(
                field_name,
                f"delivery day {day.isoformat()} is outside {first.isoformat()} to "
                f"{last.isoformat()} ({self.days_back} days back, {self.days_ahead} ahead)",
            )


def validate_windows_on_day(
    windows: Sequence[TimeWindow], day: date, zone: tzinfo, field_name: str = "time_windows"
) -> None:
    """Refuse a time window that does not touch ``day`` in the company's ``zone``.

    Parameters
    ----------
    windows
        The order's windows.
    day
        Its delivery day.
    zone
        The company's time zone.
    field_name
        The field reported, with the window's index (``time_windows[1]``).

    Raises
    ------
    InvalidField
        For the first window that ends before the day starts or starts after it ends.
    """
    starts = datetime.combine(day, time(0), tzinfo=zone)
    ends = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    for index, window in enumerate(windows):
        if window.end <= starts or window.start >= ends:
            raise InvalidField(
                f"{field_name}[{index}]",
                f"time window {window.start.isoformat()} to {window.end.isoformat()} is not "
                f"on the delivery day {day.isoformat()}",
            )


def validate_load(load: Mapping[str, int], field_name: str) -> dict[str, int]:
    """Check a load (capacity or demand) and return it as a plain dict.

    Parameters
    ----------
    load
        Named dimensions, e.g. ``{"weight_kg": 120, "pallets": 1}``.
    field_name
        The field reported in errors (``"capacity"`` or ``"demand"``).

    Returns
    -------
    dict[str, int]
        The same load, validated.

    Raises
    ------
    InvalidField
        When a dimension is unknown, or an amount is negative, above
        :data:`LARGEST_LOAD` or not a whole number.
    """
    checked: dict[str, int] = {}
    for name, amount in load.items():
        if name not in LOAD_DIMENSIONS:
            known = ", ".join(LOAD_DIMENSIONS)
            raise InvalidField(f"{field_name}.{name}", f"unknown load dimension; known: {known}")
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise InvalidField(f"{field_name}.{name}", "amount must be a whole number")
        if amount < 0:
            raise InvalidField(f"{field_name}.{name}", "amount must not be negative")
        if amount > LARGEST_LOAD:
            raise InvalidField(f"{field_name}.{name}", f"amount must be at most {LARGEST_LOAD:,}")
        checked[name] = amount
    return checked


def validate_timezone(name: str) -> ZoneInfo:
    """Return the IANA zone ``name``, or raise :class:`InvalidField` on ``timezone``."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise InvalidField("timezone", f"unknown IANA time zone {name!r}") from exc


def validate_phone(phone: str, field_name: str = "phone") -> str:
    """Check a phone number written E.164-like and return it without surrounding spaces.

    An optional ``+``, then digits that spaces or dashes may separate, 6 to 20 digits in
    all: ``+423 791 22 33``, ``0041-79-123-45-67``.

    Parameters
    ----------
    phone
        The number as typed.
    field_name
        The field reported in errors.

    Returns
    -------
    str
        The number, stripped of leading and trailing whitespace.

    Raises
    ------
    InvalidField
        On ``field_name`` when the text is not such a number.
    """
    text = phone.strip() if isinstance(phone, str) else ""
    digits = sum(c.isdigit() for c in text)
    low, high = PHONE_DIGITS
    if len(text) > PHONE_MAX_LENGTH:
        raise InvalidField(field_name, f"longer than {PHONE_MAX_LENGTH} characters")
    if not _PHONE.fullmatch(text) or not low <= digits <= high:
        raise InvalidField(field_name, f"not a phone number. {PHONE_RULE}")
    return text
