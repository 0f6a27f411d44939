"""Events to JSON and back, generically.

An event's dataclass fields become a JSON object (``occurred_at`` has its own column);
reading back finds the class by its type name among the subclasses of
:class:`fleetline.domain.events.Event` and rebuilds each field from its type hint:
dates, datetimes, enums, tuples, frozensets and nested containers included.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from fleetline.domain import events as domain_events


def to_json(value: Any) -> Any:
    """Turn a value of an event field into JSON-compatible data.

    Dates and datetimes become ISO 8601 strings, enums their values, tuples and lists
    lists, frozensets and sets sorted lists, dataclasses objects of their fields.
    """
    if value is None or isinstance(value, bool | int | float | str):
        return value.value if isinstance(value, enum.Enum) else value
    if isinstance(value, enum.Enum):
        return to_json(value.value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted((to_json(v) for v in value), key=repr)
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    raise TypeError(f"cannot store a {type(value).__name__} in an event")


def from_json(data: Any, hint: Any) -> Any:
    """Rebuild a value of type ``hint`` from what :func:`to_json` made of it."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if data is None or hint is Any or hint is object:
        return data
    if origin in (types.UnionType, typing.Union):
        options = [a for a in args if a is not type(None)]
        return from_json(data, options[0]) if len(options) == 1 else data
    if origin is tuple:
        item = args[0] if args else Any
        return tuple(from_json(v, item) for v in data)
    if origin in (frozenset, set, list):
        item = args[0] if args else Any
        return origin(from_json(v, item) for v in data)
    if origin in (dict, Mapping):
        item = args[1] if len(args) == 2 else Any
        return {k: from_json(v, item) for k, v in data.items()}
    if isinstance(hint, type):
        if issubclass(hint, enum.Enum):
            return hint(data)
        if issubclass(hint, datetime):
            return datetime.fromisoformat(data)
        if issubclass(hint, date):
            return date.fromisoformat(data)
        if issubclass(hint, time):
            return time.fromisoformat(data)
    return data


def _event_classes() -> dict[str, type[domain_events.Event]]:
    found: dict[str, type[domain_events.Event]] = {}
    pending: list[type[domain_events.Event]] = [domain_events.Event]
    while pending:
        cls = pending.pop()
        found[cls.__name__] = cls
        pending.extend(cls.__subclasses__())
    for value in vars(domain_events).values():
        if isinstance(value, type) and issubclass(value, domain_events.Event):
            found[value.__name__] = value
    return found


def event_to_payload(event: domain_events.Event) -> dict[str, Any]:
    """Return the fields of ``event`` other than ``occurred_at``, as JSON."""
    return {
        f.name: to_json(getattr(event, f.name))
        for f in dataclasses.fields(event)
        if f.name != "occurred_at"
    }


def event_from_payload(
    type_name: str, occurred_at: datetime, payload: Mapping[str, Any]
) -> domain_events.Event:
    """Rebuild an event of the class named ``type_name``.

    Raises
    ------
    LookupError
        When no event class has that name.
    """
    cls = _event_classes().get(type_name)
    if cls is None:
        raise LookupError(f"unknown event type {type_name!r}")
    hints = typing.get_type_hints(cls)
    kwargs = {
        f.name: from_json(payload[f.name], hints[f.name])
        for f in dataclasses.fields(cls)
        if f.name != "occurred_at" and f.name in payload
    }
    return cls(occurred_at=occurred_at, **kwargs)
