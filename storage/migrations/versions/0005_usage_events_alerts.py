"""Usage events (idempotent recording), usage alerts sent, notification settings.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "usage_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("meter_code", sa.String(length=40), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_after", sa.Integer(), nullable=True),
        sa.Column("alert_threshold", sa.Integer(), nullable=True),
        sa.Column("notices", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_usage_events_quantity")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_usage_events_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["meter_code"], ["meters.code"], name=op.f("fk_usage_events_meter_code_meters")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_events")),
        sa.UniqueConstraint(
            "account_id",
            "idempotency_key",
            name=op.f("uq_usage_events_account_id_idempotency_key"),
        ),
    )
    op.create_table(
        "usage_alerts",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("meter_code", sa.String(length=40), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_usage_alerts_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["meter_code"], ["meters.code"], name=op.f("fk_usage_alerts_meter_code_meters")
        ),
        sa.PrimaryKeyConstraint(
            "account_id", "meter_code", "period_start", "threshold",
            name=op.f("pk_usage_alerts"),
        ),
    )
    op.create_table(
        "notification_settings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("usage_alerts", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notification_settings_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_settings")),
    )


def downgrade() -> None:
    op.drop_table("notification_settings")
    op.drop_table("usage_alerts")
    op.drop_table("usage_events")
