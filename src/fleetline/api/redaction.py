"""Secrets never reach a log line.

Bearer tokens in query strings (the trackers' ``?token=``, ``/login?token=``) and tracking
tokens in ``/track/<token>`` paths are written as ``[redacted]`` by the access log and
every other log record.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from uvicorn.config import LOGGING_CONFIG

_SECRETS = (
    (
        re.compile(r"((?:^|[?&])(?:token|access_token|key)=)[^&\s\"]+", re.IGNORECASE),
        r"\1[redacted]",
    ),
    (re.compile(r"(/track/)[^/?\s\"]+"), r"\1[redacted]"),
    (re.compile(r"\bflt_[A-Za-z0-9_-]+"), "flt_[redacted]"),
)


def redacted(text: str) -> str:
    """Return ``text`` with every token it holds replaced by ``[redacted]``."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """A logging filter that redacts tokens in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drop it."""
        if isinstance(record.msg, str):
            record.msg = redacted(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redacted(a) if isinstance(a, str) else a for a in record.args)
        return True


def server_logging() -> dict[str, Any]:
    """Uvicorn's logging configuration with :class:`RedactSecrets` on every handler."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_secrets"] = {"()": RedactSecrets}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("redact_secrets")
    return config
