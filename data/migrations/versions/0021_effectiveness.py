"""The effectiveness index's indicators and weights as versioned data (effectiveness_indicator).

Seeded from data/effectiveness/indicators.csv by `db upgrade` (data/db.py), like the risk model.

Revision ID: 0021
Revises: 0020
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: Union[str, Sequence[str], None] = "0020"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "effectiveness_indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=48), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("floor", sa.Float(), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("window_months", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("numerator", sa.Text(), nullable=False),
        sa.Column("denominator", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=256), nullable=False),
        sa.CheckConstraint("category IN ('quality', 'efficiency', 'public')", name=op.f("ck_effectiveness_indicator_category")),
        sa.CheckConstraint("direction IN ('higher', 'lower')", name=op.f("ck_effectiveness_indicator_direction")),
        sa.CheckConstraint("weight >= 0", name=op.f("ck_effectiveness_indicator_weight")),
        sa.CheckConstraint("window_months >= 1", name=op.f("ck_effectiveness_indicator_window_months")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_effectiveness_indicator")),
    )
    with op.batch_alter_table("effectiveness_indicator", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_effectiveness_indicator_key_valid_to"), ["key", "valid_to"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("effectiveness_indicator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_effectiveness_indicator_key_valid_to"))
    op.drop_table("effectiveness_indicator")
