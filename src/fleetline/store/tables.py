"""The database schema, as SQLAlchemy Core tables.

Every timestamp is stored in UTC and read back as a timezone-aware ``datetime`` in UTC,
on SQLite as on PostgreSQL (see :class:`UtcDateTime`). Structured values that are read
and written whole (loads, skills, time windows, a plan's routes) are JSON columns.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

ID = sa.String(64)
"""Every identifier is a string."""

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC, returned aware in UTC.

    Naive datetimes are refused: a time without an offset is a bug waiting to happen.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert an aware datetime to UTC (naive UTC on SQLite)."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"refusing to store a naive datetime: {value!r}")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Return the stored time as an aware datetime in UTC."""
        if value is None:
            return None
        if not isinstance(value, datetime):
            value = datetime.fromisoformat(str(value))
        moment: datetime = value
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)


depots = sa.Table(
    "depots",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
)

vehicles = sa.Table(
    "vehicles",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("depot_id", ID, sa.ForeignKey("depots.id"), nullable=False, index=True),
    sa.Column("capacity", sa.JSON, nullable=False),
    sa.Column("skills", sa.JSON, nullable=False),
    sa.Column("shift_start", sa.Time, nullable=False),
    sa.Column("shift_end", sa.Time, nullable=False),
    sa.Column("cost_per_km", sa.Float, nullable=False),
    sa.Column("cost_per_hour", sa.Float, nullable=False),
    sa.Column("cost_overtime_per_hour", sa.Float, nullable=False),
    sa.Column("cost_fixed", sa.Float, nullable=False),
    sa.Column("max_overtime_s", sa.Integer, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
)

drivers = sa.Table(
    "drivers",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("phone", sa.String(40), nullable=True, index=True),
    sa.Column("vehicle_id", ID, sa.ForeignKey("vehicles.id"), nullable=True, index=True),
)

clients = sa.Table(
    "clients",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, index=True),
    sa.Column("priority", sa.Integer, nullable=False),
    sa.Column("contact_email", sa.String(254), nullable=True, index=True),
    sa.Column("contact_phone", sa.String(40), nullable=True, index=True),
    sa.Column("contact_webhook_url", sa.Text, nullable=True),
    sa.Column("preferences", sa.JSON, nullable=False),
    sa.Column("notes", sa.Text, nullable=False),
)

orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("client_id", ID, sa.ForeignKey("clients.id"), nullable=False, index=True),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("address", sa.Text, nullable=False),
    sa.Column("instructions", sa.Text, nullable=False),
    sa.Column("time_windows", sa.JSON, nullable=False),
    sa.Column("demand", sa.JSON, nullable=False),
    sa.Column("service_s", sa.Integer, nullable=False),
    sa.Column("required_skills", sa.JSON, nullable=False),
    sa.Column("reference", sa.String(100), nullable=True, index=True),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    # Counts the row's changes: a reader holding revision n of an order has it as stored.
    sa.Column("revision", sa.Integer, nullable=False, server_default="1"),
    # NULL references never clash: both databases treat NULLs as distinct here.
    sa.UniqueConstraint("client_id", "reference"),
    sa.Index("ix_orders_date_id", "date", "id"),
)

plans = sa.Table(
    "plans",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("date", sa.Date, nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("time_limit_s", sa.Float, nullable=True),
    sa.Column("parent_id", ID, sa.ForeignKey("plans.id"), nullable=True),
    sa.Column("dispatched_at", UtcDateTime, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("document", sa.JSON, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False, server_default="1"),
    sa.UniqueConstraint("date", "version"),
)

live_plans = sa.Table(
    "live_plans",
    metadata,
    sa.Column("date", sa.Date, primary_key=True),
    sa.Column("plan_id", ID, sa.ForeignKey("plans.id"), nullable=False),
)

events = sa.Table(
    "events",
    metadata,
    # PostgreSQL: from the sequence events_seq_numbers, with the writing transaction's
    # txid (read in (txid, seq) order); SQLite: max + 1.
    sa.Column(
        "seq",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("type", sa.String(100), nullable=False),
    sa.Column("occurred_at", UtcDateTime, nullable=False, index=True),
    sa.Column("recorded_at", UtcDateTime, nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("txid", sa.BigInteger, nullable=True),
    sa.Index("ix_events_type_seq", "type", "seq"),
    sa.Index("ix_events_txid_seq", "txid", "seq"),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("token_hash", sa.String(128), nullable=False, unique=True),
    sa.Column("driver_id", ID, sa.ForeignKey("drivers.id"), nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("revoked", sa.Boolean, nullable=False),
    sa.Column("revoked_at", UtcDateTime, nullable=True),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("principal", sa.String(200), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("method", sa.String(10), nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("request_hash", sa.String(128), nullable=False),
    sa.Column("status_code", sa.Integer, nullable=False),
    sa.Column("response_body", sa.JSON, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False, index=True),
)

# --- the live day ----------------------------------------------------------------------

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""An auto-incremented row number (SQLite only auto-increments INTEGER keys)."""

positions = sa.Table(
    "positions",
    metadata,
    sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
    sa.Column("vehicle_id", ID, sa.ForeignKey("vehicles.id"), nullable=False),
    sa.Column("recorded_at", UtcDateTime, nullable=False),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("speed_mps", sa.Float, nullable=True),
    sa.Column("heading", sa.Float, nullable=True),
    sa.Column("source", sa.String(20), nullable=False),
    # A position is identified by its vehicle and device time: a repeat is a duplicate.
    sa.UniqueConstraint("vehicle_id", "recorded_at"),
)

last_positions = sa.Table(
    "last_positions",
    metadata,
    sa.Column("vehicle_id", ID, sa.ForeignKey("vehicles.id"), primary_key=True),
    sa.Column("recorded_at", UtcDateTime, nullable=False),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("speed_mps", sa.Float, nullable=True),
    sa.Column("heading", sa.Float, nullable=True),
    sa.Column("source", sa.String(20), nullable=False),
)

vehicle_states = sa.Table(
    "vehicle_states",
    metadata,
    sa.Column("vehicle_id", ID, sa.ForeignKey("vehicles.id"), primary_key=True),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("since", UtcDateTime, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
)

stop_events = sa.Table(
    "stop_events",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("order_id", ID, sa.ForeignKey("orders.id"), nullable=False),
    sa.Column("vehicle_id", ID, sa.ForeignKey("vehicles.id"), nullable=False),
    sa.Column("type", sa.String(20), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("recorded_at", UtcDateTime, nullable=False),
    sa.Column("reason", sa.String(30), nullable=True),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("proof", sa.Text, nullable=True),
    # The same report sent twice (a retry, a replay) is one event.
    sa.UniqueConstraint("order_id", "type", "at"),
    sa.Index("ix_stop_events_vehicle_at", "vehicle_id", "at"),
)

traffic_incidents = sa.Table(
    "traffic_incidents",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("area", sa.JSON, nullable=False),
    sa.Column("factor", sa.Float, nullable=True),
    sa.Column("starts_at", UtcDateTime, nullable=False, index=True),
    sa.Column("ends_at", UtcDateTime, nullable=True),
    sa.Column("source", sa.String(50), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

exceptions = sa.Table(
    "exceptions",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("date", sa.Date, nullable=False, index=True),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("status", sa.String(20), nullable=False, index=True),
    sa.Column("opened_at", UtcDateTime, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("vehicle_id", ID, nullable=True),
    sa.Column("order_id", ID, nullable=True),
    sa.Column("affected", sa.JSON, nullable=False),
    sa.Column("options", sa.JSON, nullable=False),
    sa.Column("options_ready_at", UtcDateTime, nullable=True),
    sa.Column("resolved_at", UtcDateTime, nullable=True),
    sa.Column("chosen_option_id", sa.String(64), nullable=True),
    sa.Column("resolved_by", sa.String(200), nullable=True),
    sa.Column("plan_id", ID, nullable=True),
)

eta_predictions = sa.Table(
    "eta_predictions",
    metadata,
    sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
    sa.Column("order_id", ID, sa.ForeignKey("orders.id"), nullable=False),
    sa.Column("vehicle_id", ID, nullable=False),
    sa.Column("predicted_at", UtcDateTime, nullable=False),
    sa.Column("eta", UtcDateTime, nullable=False),
    sa.Index("ix_eta_predictions_order_predicted", "order_id", "predicted_at"),
)

replan_policies = sa.Table(
    "replan_policies",
    metadata,
    sa.Column("trigger", sa.String(30), primary_key=True),
    sa.Column("mode", sa.String(10), nullable=False),
    sa.Column("threshold_s", sa.Integer, nullable=True),
)

notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("order_id", ID, sa.ForeignKey("orders.id"), nullable=False, index=True),
    sa.Column("client_id", ID, nullable=False),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("recipient", sa.String(500), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("html_body", sa.Text, nullable=True),
    sa.Column("locale", sa.String(10), nullable=False),
    # The same news for the same order, window and channel is queued once.
    sa.Column("dedupe_key", sa.String(300), nullable=False, unique=True),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False, index=True),
    sa.Column("cause_at", UtcDateTime, nullable=False),
    sa.Column("not_before", UtcDateTime, nullable=False),
    sa.Column("window_start", UtcDateTime, nullable=True),
    sa.Column("window_end", UtcDateTime, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UtcDateTime, nullable=True),
    sa.Column("sent_at", UtcDateTime, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Index("ix_notifications_status_next_attempt_at", "status", "next_attempt_at"),
)

inquiries = sa.Table(
    "inquiries",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("order_id", ID, sa.ForeignKey("orders.id"), nullable=False, index=True),
    sa.Column("client_id", ID, nullable=False),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False, index=True),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("by", sa.String(200), nullable=False),
)

tracking_links = sa.Table(
    "tracking_links",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("order_id", ID, sa.ForeignKey("orders.id"), nullable=False, index=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
)

comms_settings = sa.Table(
    "comms_settings",
    metadata,
    sa.Column("key", sa.String(50), primary_key=True),
    sa.Column("value", sa.JSON, nullable=False),
)

company_settings = sa.Table(
    "company_settings",
    metadata,
    # One row: the company's own settings.
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("timezone_source", sa.String(20), nullable=False),
    sa.Column("timezone_depot_id", ID, nullable=True),
    sa.Column("timezone_changed_at", UtcDateTime, nullable=False),
    sa.Column("timezone_changed_by", sa.String(200), nullable=True),
    sa.CheckConstraint("id = 1", name="single_row"),
)

live_pictures = sa.Table(
    "live_pictures",
    metadata,
    # The engine's latest live picture of each day, for the faces (processes) to read.
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("computed_at", UtcDateTime, nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),
)

engine_lease = sa.Table(
    "engine_lease",
    metadata,
    # Who runs the engine, since when, and how far in the event log it has handled.
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("holder", sa.String(200), nullable=False),
    sa.Column("acquired_at", UtcDateTime, nullable=False),
    sa.Column("event_cursor", sa.BigInteger, nullable=False),
    sa.Column("event_cursor_txid", sa.BigInteger, nullable=False, server_default="0"),
    sa.CheckConstraint("id = 1", name="single_row"),
)
