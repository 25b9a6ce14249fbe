"""Complaint workflow: handling steps, stage deadlines as data, address, repeat link, assignee, step due date.

Revision ID: 0010
Revises: 0009
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: Union[str, Sequence[str], None] = "0009"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("complaint") as batch:
        batch.add_column(sa.Column("address", sa.String(256), nullable=True))
        batch.add_column(sa.Column("repeat_of_id", BigId, nullable=True))
        batch.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("step_due_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("extended", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.create_foreign_key(op.f("fk_complaint_repeat_of_id_complaint"), "complaint", ["repeat_of_id"], ["id"])
        batch.create_foreign_key(op.f("fk_complaint_assignee_id_inspector"), "inspector", ["assignee_id"], ["id"])
    op.create_table(
        "complaint_event",
        sa.Column("id", BigId, nullable=False),
        sa.Column("complaint_id", BigId, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaint.id"], name=op.f("fk_complaint_event_complaint_id_complaint")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_event")),
    )
    op.create_index(op.f("ix_complaint_event_complaint_id"), "complaint_event", ["complaint_id"])
    op.create_table(
        "complaint_deadline",
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=False),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("calendar", sa.String(8), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.CheckConstraint("calendar IN ('working', 'calendar')", name=op.f("ck_complaint_deadline_calendar")),
        sa.CheckConstraint("days > 0", name=op.f("ck_complaint_deadline_days")),
        sa.PrimaryKeyConstraint("stage", name=op.f("pk_complaint_deadline")),
    )


def downgrade() -> None:
    op.drop_table("complaint_deadline")
    op.drop_index(op.f("ix_complaint_event_complaint_id"), table_name="complaint_event")
    op.drop_table("complaint_event")
    with op.batch_alter_table("complaint") as batch:
        batch.drop_constraint(op.f("fk_complaint_assignee_id_inspector"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_complaint_repeat_of_id_complaint"), type_="foreignkey")
        for column in ("extended", "step_due_on", "assignee_id", "repeat_of_id", "address"):
            batch.drop_column(column)
