"""Client communication: the outbox of notifications, inquiries, tracking links and
the message hold.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 06:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=64)
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", ID, nullable=False),
        sa.Column("order_id", ID, nullable=False),
        sa.Column("client_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("recipient", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=True),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("dedupe_key", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("cause_at", WHEN, nullable=False),
        sa.Column("not_before", WHEN, nullable=False),
        sa.Column("window_start", WHEN, nullable=True),
        sa.Column("window_end", WHEN, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", WHEN, nullable=True),
        sa.Column("sent_at", WHEN, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_notifications_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_notifications_dedupe_key")),
    )
    op.create_index(op.f("ix_notifications_order_id"), "notifications", ["order_id"])
    op.create_index(op.f("ix_notifications_created_at"), "notifications", ["created_at"])
    op.create_index(
        "ix_notifications_status_next_attempt_at",
        "notifications",
        ["status", "next_attempt_at"],
    )
    op.create_table(
        "inquiries",
        sa.Column("id", ID, nullable=False),
        sa.Column("order_id", ID, nullable=False),
        sa.Column("client_id", ID, nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_inquiries_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiries")),
    )
    op.create_index(op.f("ix_inquiries_order_id"), "inquiries", ["order_id"])
    op.create_index(op.f("ix_inquiries_at"), "inquiries", ["at"])
    op.create_table(
        "tracking_links",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("order_id", ID, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_tracking_links_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_tracking_links")),
    )
    op.create_index(op.f("ix_tracking_links_order_id"), "tracking_links", ["order_id"])
    op.create_table(
        "comms_settings",
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_comms_settings")),
    )


def downgrade() -> None:
    for table in ("comms_settings", "tracking_links", "inquiries", "notifications"):
        op.drop_table(table)
