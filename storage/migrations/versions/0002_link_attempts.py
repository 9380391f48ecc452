"""Link attempts: wrong link codes per chat, so guessing can be locked out.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "link_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_attempts")),
    )
    op.create_index(
        "ix_link_attempts_chat",
        "link_attempts",
        ["channel", "external_id", "created_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_link_attempts_created_at"), "link_attempts", ["created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_link_attempts_created_at"), table_name="link_attempts")
    op.drop_index("ix_link_attempts_chat", table_name="link_attempts")
    op.drop_table("link_attempts")
