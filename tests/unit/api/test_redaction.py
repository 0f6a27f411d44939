"""No log line holds a token: the access log of a tracker's request, a sign-in link or a
client's tracking page shows ``[redacted]`` where the secret was."""

from __future__ import annotations

import logging

from fleetline.api.redaction import RedactSecrets, server_logging


def _access_line(path: str) -> str:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 200),
        None,
    )
    assert RedactSecrets().filter(record)
    return record.getMessage()


def test_tokens_in_queries_and_tracking_paths_are_redacted() -> None:
    """OsmAnd's ``?token=``, ``/login?token=`` and ``/track/<token>`` keep their shape
    and lose their secret; the rest of the line is untouched."""
    line = _access_line("/api/v1/telemetry/osmand?id=veh_1&token=flt_Abc-123_x&lat=47.1")
    assert "flt_Abc" not in line and "token=[redacted]" in line and "lat=47.1" in line
    assert "Abc" not in _access_line("/login?token=flt_Abc-123_x")
    line = _access_line("/track/q1W2e3R4t5Y6u7I8o9P0/status?streets=1")
    assert line.endswith('"GET /track/[redacted]/status?streets=1 HTTP/1.1" 200')


def test_a_bearer_secret_in_any_message_is_redacted() -> None:
    """A secret logged by mistake anywhere is redacted too."""
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "saw %s", ("flt_Zz9-",), None)
    RedactSecrets().filter(record)
    assert record.getMessage() == "saw flt_[redacted]"


def test_the_server_logs_through_the_filter() -> None:
    """Every handler of the server's logging configuration redacts."""
    config = server_logging()
    assert config["handlers"]
    assert all("redact_secrets" in h["filters"] for h in config["handlers"].values())
