"""The event log without a table lock: PostgreSQL numbers events from a sequence and
stamps each with its transaction, so that readers follow it in a safe order.

Numbering events ``max + 1`` under a table lock made every transaction that recorded an
event wait for the one before it to be flushed to disk: under a company's load, writes
queued behind each other. A sequence numbers them at once; ``txid`` (the writing
transaction's id) lets a reader take only events of transactions that can no longer
commit late (older than the oldest one running), in ``(txid, seq)`` order, and so never
skip one. SQLite, which runs one writer at a time, keeps numbering ``max + 1``.

The engine lease's cursor gains the transaction id of the last event handled.

Revision ID: 0008_event_log_without_lock
Revises: 0007_engine_and_faces
Create Date: 2026-12-07 15:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_event_log_without_lock"
down_revision: str | None = "0007_engine_and_faces"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("events", sa.Column("txid", sa.BigInteger(), nullable=True))
    op.create_index("ix_events_txid_seq", "events", ["txid", "seq"])
    op.add_column(
        "engine_lease",
        sa.Column("event_cursor_txid", sa.BigInteger(), nullable=False, server_default="0"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE events SET txid = 0")
        op.execute("CREATE SEQUENCE events_seq_numbers AS bigint")
        op.execute(
            "SELECT setval('events_seq_numbers', "
            "(SELECT coalesce(max(seq), 0) + 1 FROM events), false)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE events_seq_numbers")
    op.drop_column("engine_lease", "event_cursor_txid")
    op.drop_index("ix_events_txid_seq", table_name="events")
    op.drop_column("events", "txid")
