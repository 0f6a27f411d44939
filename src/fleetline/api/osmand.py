"""The OsmAnd tracking protocol, as spoken by Traccar Client and many phone trackers.

Two shapes reach the same endpoint:

- parameters, in the query string (``GET`` or ``POST``) or a form body: ``id`` (or
  ``deviceid``), ``lat``, ``lon`` (or ``location=lat,lon``), ``timestamp`` (unix
  seconds, unix milliseconds, or ISO 8601), ``speed`` in **knots**, ``bearing`` or
  ``heading`` in degrees, and optionally ``accuracy``, ``altitude``, ``batt``, ``hdop``...
  which Fleetline accepts and does not keep;
- the JSON body of Traccar Client 9 and later: ``{"device_id", "location": {"timestamp",
  "coords": {"latitude", "longitude", "speed" (m/s), "heading", ...}}}``, where
  ``location`` may also be a list of such locations.

The device id is the Fleetline vehicle id. Errors name the protocol's own parameter.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from fleetline.api.schemas import FIRST_YEAR, LAST_YEAR
from fleetline.domain.commands import PositionReport
from fleetline.domain.errors import InvalidField
from fleetline.domain.model import Location

KNOT_MPS = 1852 / 3600
"""One knot (a nautical mile per hour) in metres per second."""
MILLISECONDS_FROM = 2**31
"""A numeric timestamp at least this large is in milliseconds (as Traccar reads it)."""


def _number(value: str, name: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise InvalidField(name, f"{value[:40]!r} is not a number") from None
    if not math.isfinite(number):
        raise InvalidField(name, "must be a finite number")
    return number


def _known(value: float | None) -> float | None:
    """Trackers send a negative speed or heading when they do not know it."""
    return None if value is None or value < 0 else value


def parse_time(value: str, name: str) -> datetime:
    """Read unix seconds, unix milliseconds, ISO 8601, or ``YYYY-MM-DD HH:MM:SS`` (UTC)."""
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        number = None
    try:
        if number is not None:
            if not math.isfinite(number):
                raise InvalidField(name, "must be a finite number")
            seconds = number / 1000 if abs(number) >= MILLISECONDS_FROM else number
            moment = datetime.fromtimestamp(seconds, UTC)
        else:
            moment = datetime.fromisoformat(text)
    except (ValueError, OverflowError, OSError):
        raise InvalidField(name, f"{text[:40]!r} is not a unix time or ISO 8601 time") from None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise InvalidField(name, f"a moment must fall in the years {FIRST_YEAR} to {LAST_YEAR}")
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def from_parameters(params: Mapping[str, str], now: datetime) -> PositionReport:
    """Read one position from OsmAnd parameters; without ``timestamp``, it is ``now``.

    Raises
    ------
    InvalidField
        Naming the parameter (``id``, ``lat``, ``timestamp``, ``speed``...).
    """
    vehicle_id = params.get("id") or params.get("deviceid")
    if not vehicle_id:
        raise InvalidField("id", "the device id (the vehicle id) is missing")
    if "location" in params and not ("lat" in params and "lon" in params):
        lat_text, _, lon_text = params["location"].partition(",")
        lat, lon = _number(lat_text, "location"), _number(lon_text, "location")
    else:
        for name in ("lat", "lon"):
            if not params.get(name):
                raise InvalidField(name, "missing")
        lat, lon = _number(params["lat"], "lat"), _number(params["lon"], "lon")
    if not -90 <= lat <= 90:
        raise InvalidField("lat", f"latitude {lat} is outside -90..90")
    if not -180 <= lon <= 180:
        raise InvalidField("lon", f"longitude {lon} is outside -180..180")
    stamp = params.get("timestamp")
    speed = params.get("speed")
    heading_name = "bearing" if params.get("bearing") else "heading"
    heading = (
        _known(_number(params[heading_name], heading_name)) if params.get(heading_name) else None
    )
    if heading is not None and heading > 360:
        raise InvalidField(heading_name, "must be between 0 and 360 degrees")
    return PositionReport(
        vehicle_id=vehicle_id,
        location=Location(lat, lon),
        recorded_at=parse_time(stamp, "timestamp") if stamp else now,
        speed_mps=_known(_number(speed, "speed") * KNOT_MPS if speed else None),
        heading=heading,
    )


def _json_number(value: Any, name: str, required: bool = False) -> float | None:
    if value is None:
        if required:
            raise InvalidField(name, "missing")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidField(name, "must be a number")
    return _number(str(value), name)


def from_traccar_json(body: Any, now: datetime) -> list[PositionReport]:
    """Read the positions of a Traccar Client JSON body.

    Raises
    ------
    InvalidField
        Naming the field by its path, e.g. ``location.coords.latitude``.
    """
    if not isinstance(body, dict):
        raise InvalidField("body", "expected a JSON object with device_id and location")
    device_id = body.get("device_id") or body.get("id")
    if not isinstance(device_id, str | int) or isinstance(device_id, bool) or device_id == "":
        raise InvalidField("device_id", "the device id (the vehicle id) is missing")
    locations = body.get("location")
    several = isinstance(locations, list)
    items = locations if isinstance(locations, list) else [locations]
    if not items:
        raise InvalidField("location", "no location given")
    return [
        _traccar_location(str(device_id), item, f"location[{n}]" if several else "location", now)
        for n, item in enumerate(items)
    ]


def _traccar_location(device_id: str, item: Any, path: str, now: datetime) -> PositionReport:
    if not isinstance(item, dict) or not isinstance(item.get("coords"), dict):
        raise InvalidField(f"{path}.coords", "missing")
    coords: dict[str, Any] = item["coords"]
    lat = _json_number(coords.get("latitude"), f"{path}.coords.latitude", required=True)
    lon = _json_number(coords.get("longitude"), f"{path}.coords.longitude", required=True)
    assert lat is not None
    assert lon is not None
    if not -90 <= lat <= 90:
        raise InvalidField(f"{path}.coords.latitude", f"latitude {lat} is outside -90..90")
    if not -180 <= lon <= 180:
        raise InvalidField(f"{path}.coords.longitude", f"longitude {lon} is outside -180..180")
    stamp = item.get("timestamp")
    if stamp is not None and not isinstance(stamp, str | int | float):
        raise InvalidField(f"{path}.timestamp", "must be an ISO 8601 time")
    return PositionReport(
        vehicle_id=device_id,
        location=Location(lat, lon),
        recorded_at=now if stamp is None else parse_time(str(stamp), f"{path}.timestamp"),
        speed_mps=_known(_json_number(coords.get("speed"), f"{path}.coords.speed")),
        heading=_known(_json_number(coords.get("heading"), f"{path}.coords.heading")),
    )


JSON_FIELDS = {
    "vehicle_id": "device_id",
    "recorded_at": "timestamp",
    "speed_mps": "coords.speed",
    "heading": "coords.heading",
}
PARAMETER_FIELDS = {
    "vehicle_id": "id",
    "recorded_at": "timestamp",
    "speed_mps": "speed",
    "heading": "bearing",
}


def protocol_field(field: str | None, *, json_body: bool, several: bool = False) -> str | None:
    """Translate ``positions[i].speed_mps`` (named by the use case) to the protocol's name.

    Parameters
    ----------
    field
        The field an error names.
    json_body
        Whether the request was Traccar Client's JSON rather than OsmAnd parameters.
    several
        Whether the JSON body's ``location`` was a list.
    """
    if field is None or not field.startswith("positions["):
        return field
    index, _, name = field.removeprefix("positions[").partition("].")
    if not json_body:
        return PARAMETER_FIELDS.get(name, name)
    translated = JSON_FIELDS.get(name, name)
    if translated == "device_id":
        return translated
    return f"location[{index}].{translated}" if several else f"location.{translated}"
