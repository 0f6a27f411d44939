"""The live day: positions, vehicle states, stop events, traffic, exceptions, ETA
predictions and re-planning policies.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 03:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=64)
WHEN = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "positions",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("vehicle_id", ID, nullable=False),
        sa.Column("recorded_at", WHEN, nullable=False),
        sa.Column("received_at", WHEN, nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("speed_mps", sa.Float(), nullable=True),
        sa.Column("heading", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["vehicles.id"], name=op.f("fk_positions_vehicle_id_vehicles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_positions")),
        sa.UniqueConstraint(
            "vehicle_id", "recorded_at", name=op.f("uq_positions_vehicle_id_recorded_at")
        ),
    )
    op.create_table(
        "last_positions",
        sa.Column("vehicle_id", ID, nullable=False),
        sa.Column("recorded_at", WHEN, nullable=False),
        sa.Column("received_at", WHEN, nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("speed_mps", sa.Float(), nullable=True),
        sa.Column("heading", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["vehicles.id"], name=op.f("fk_last_positions_vehicle_id_vehicles")
        ),
        sa.PrimaryKeyConstraint("vehicle_id", name=op.f("pk_last_positions")),
    )
    op.create_table(
        "vehicle_states",
        sa.Column("vehicle_id", ID, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("since", WHEN, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["vehicles.id"], name=op.f("fk_vehicle_states_vehicle_id_vehicles")
        ),
        sa.PrimaryKeyConstraint("vehicle_id", name=op.f("pk_vehicle_states")),
    )
    op.create_table(
        "stop_events",
        sa.Column("id", ID, nullable=False),
        sa.Column("order_id", ID, nullable=False),
        sa.Column("vehicle_id", ID, nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("recorded_at", WHEN, nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("proof", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_stop_events_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["vehicles.id"], name=op.f("fk_stop_events_vehicle_id_vehicles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stop_events")),
        sa.UniqueConstraint("order_id", "type", "at", name=op.f("uq_stop_events_order_id_type_at")),
    )
    op.create_index("ix_stop_events_vehicle_at", "stop_events", ["vehicle_id", "at"])
    op.create_table(
        "traffic_incidents",
        sa.Column("id", ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("area", sa.JSON(), nullable=False),
        sa.Column("factor", sa.Float(), nullable=True),
        sa.Column("starts_at", WHEN, nullable=False),
        sa.Column("ends_at", WHEN, nullable=True),
        sa.Column("source", sa.String(length=50), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_traffic_incidents")),
    )
    op.create_index(op.f("ix_traffic_incidents_starts_at"), "traffic_incidents", ["starts_at"])
    op.create_table(
        "exceptions",
        sa.Column("id", ID, nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("opened_at", WHEN, nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("vehicle_id", ID, nullable=True),
        sa.Column("order_id", ID, nullable=True),
        sa.Column("affected", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("options_ready_at", WHEN, nullable=True),
        sa.Column("resolved_at", WHEN, nullable=True),
        sa.Column("chosen_option_id", sa.String(length=64), nullable=True),
        sa.Column("resolved_by", sa.String(length=200), nullable=True),
        sa.Column("plan_id", ID, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exceptions")),
    )
    op.create_index(op.f("ix_exceptions_date"), "exceptions", ["date"])
    op.create_index(op.f("ix_exceptions_status"), "exceptions", ["status"])
    op.create_table(
        "eta_predictions",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("order_id", ID, nullable=False),
        sa.Column("vehicle_id", ID, nullable=False),
        sa.Column("predicted_at", WHEN, nullable=False),
        sa.Column("eta", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_eta_predictions_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eta_predictions")),
    )
    op.create_index(
        "ix_eta_predictions_order_predicted", "eta_predictions", ["order_id", "predicted_at"]
    )
    op.create_table(
        "replan_policies",
        sa.Column("trigger", sa.String(length=30), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("threshold_s", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("trigger", name=op.f("pk_replan_policies")),
    )


def downgrade() -> None:
    for table in (
        "replan_policies",
        "eta_predictions",
        "exceptions",
        "traffic_incidents",
        "stop_events",
        "vehicle_states",
        "last_positions",
        "positions",
    ):
        op.drop_table(table)
