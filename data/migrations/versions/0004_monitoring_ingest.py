"""Monitoring ingest: device tokens, limits as versioned data, rules, series state, the alert lifecycle.

Alerts change meaning: `status` now follows the case (open → dispatched → handled → reviewed →
closed, or dismissed), `active` the condition; old 'acknowledged' alerts become 'dispatched', and
device-level alerts get indicator '' so the one-unclosed-alert index covers them.

Revision ID: 0004
Revises: 0003
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: Union[str, Sequence[str], None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

STATUSES = "status IN ('open', 'dispatched', 'handled', 'reviewed', 'closed', 'dismissed')"
SEVERITIES = "severity IN ('low', 'medium', 'high', 'critical')"
UNCLOSED = sa.text("status NOT IN ('closed', 'dismissed')")


def upgrade() -> None:
    with op.batch_alter_table("device") as batch:
        batch.add_column(sa.Column("token_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_unique_constraint(op.f("uq_device_token_hash"), ["token_hash"])

    op.create_table(
        "indicator_limit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scene", sa.String(32), nullable=False),
        sa.Column("indicator", sa.String(32), nullable=False),
        sa.Column("subtype", sa.String(32), nullable=False),
        sa.Column("dimension", sa.String(32), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("low", sa.Float(), nullable=True),
        sa.Column("high", sa.Float(), nullable=True),
        sa.Column("max_step", sa.Float(), nullable=True),
        sa.Column("standard", sa.String(64), nullable=False),
        sa.Column("clause", sa.String(128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changed_by", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(256), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_limit")),
    )
    op.create_index(op.f("ix_indicator_limit_scene_indicator_subtype_valid_to"), "indicator_limit",
                    ["scene", "indicator", "subtype", "valid_to"])
    op.create_table(
        "alert_rule",
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.CheckConstraint(SEVERITIES, name=op.f("ck_alert_rule_severity")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_alert_rule")),
    )
    op.create_table(
        "series_state",
        sa.Column("device_id", sa.String(32), nullable=False),
        sa.Column("indicator", sa.String(32), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_value", sa.Float(), nullable=False),
        sa.Column("run_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("run_count", sa.Integer(), nullable=False),
        sa.Column("flat_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["device.id"], name=op.f("fk_series_state_device_id_device")),
        sa.PrimaryKeyConstraint("device_id", "indicator", name=op.f("pk_series_state")),
    )
    op.create_table(
        "rollup_pending",
        sa.Column("county_adcode", sa.String(6), nullable=False),
        sa.PrimaryKeyConstraint("county_adcode", name=op.f("pk_rollup_pending")),
    )

    op.execute("UPDATE alert SET status = 'dispatched' WHERE status = 'acknowledged'")
    op.execute("UPDATE alert SET indicator = '' WHERE indicator IS NULL")
    with op.batch_alter_table("alert") as batch:
        batch.drop_constraint(op.f("ck_alert_status"), type_="check")
        batch.create_check_constraint(op.f("ck_alert_status"), sa.text(STATUSES))
        batch.alter_column("indicator", existing_type=sa.String(32), nullable=False, server_default="")
        batch.add_column(sa.Column("severity", sa.String(16), nullable=False, server_default="medium"))
        batch.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("occurrences", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("last_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("limit_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("level", sa.String(16), nullable=False, server_default="county"))
        batch.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_check_constraint(op.f("ck_alert_severity"), sa.text(SEVERITIES))
        batch.create_check_constraint(op.f("ck_alert_level"), sa.text("level IN ('county', 'city', 'province')"))
        batch.create_foreign_key(op.f("fk_alert_limit_id_indicator_limit"), "indicator_limit", ["limit_id"], ["id"])
        batch.create_foreign_key(op.f("fk_alert_assignee_id_inspector"), "inspector", ["assignee_id"], ["id"])
    op.execute("UPDATE alert SET active = (status IN ('open', 'dispatched')), last_at = raised_at")
    op.create_index("uq_alert_unclosed", "alert", ["device_id", "rule", "indicator"], unique=True,
                    sqlite_where=UNCLOSED, postgresql_where=UNCLOSED)
    op.create_table(
        "alert_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("alert_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["alert_id"], ["alert.id"], name=op.f("fk_alert_event_alert_id_alert")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_event")),
    )
    op.create_index(op.f("ix_alert_event_alert_id"), "alert_event", ["alert_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_alert_event_alert_id"), table_name="alert_event")
    op.drop_table("alert_event")
    op.drop_index("uq_alert_unclosed", table_name="alert")
    op.execute("UPDATE alert SET status = 'acknowledged' WHERE status IN ('dispatched', 'handled', 'reviewed')")
    op.execute("UPDATE alert SET status = 'closed' WHERE status = 'dismissed'")
    with op.batch_alter_table("alert") as batch:
        batch.drop_constraint(op.f("fk_alert_assignee_id_inspector"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_alert_limit_id_indicator_limit"), type_="foreignkey")
        batch.drop_constraint(op.f("ck_alert_level"), type_="check")
        batch.drop_constraint(op.f("ck_alert_severity"), type_="check")
        for column in ("updated_at", "assignee_id", "level", "due_at", "limit_id", "cleared_at", "last_at",
                       "occurrences", "active", "severity"):
            batch.drop_column(column)
        batch.alter_column("indicator", existing_type=sa.String(32), nullable=True, server_default=None)
        batch.drop_constraint(op.f("ck_alert_status"), type_="check")
        batch.create_check_constraint(op.f("ck_alert_status"), sa.text("status IN ('open', 'acknowledged', 'closed')"))
    op.drop_table("rollup_pending")
    op.drop_table("series_state")
    op.drop_table("alert_rule")
    op.drop_index(op.f("ix_indicator_limit_scene_indicator_subtype_valid_to"), table_name="indicator_limit")
    op.drop_table("indicator_limit")
    with op.batch_alter_table("device") as batch:
        batch.drop_constraint(op.f("uq_device_token_hash"), type_="unique")
        batch.drop_column("last_seen_at")
        batch.drop_column("token_hash")
