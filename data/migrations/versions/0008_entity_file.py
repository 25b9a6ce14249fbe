"""Entity file: hygiene grade history, the legal representative's name and phone, public QR tokens.

Revision ID: 0008
Revises: 0007
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: Union[str, Sequence[str], None] = "0007"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("entity") as batch:
        batch.add_column(sa.Column("legal_representative", sa.String(64), nullable=True))
        batch.add_column(sa.Column("contact_phone", sa.String(32), nullable=True))
    op.create_table(
        "entity_grade",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("graded_on", sa.Date(), nullable=False),
        sa.Column("grade", sa.String(1), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("grader", sa.String(64), nullable=False),
        sa.CheckConstraint("grade IN ('A', 'B', 'C')", name=op.f("ck_entity_grade_grade")),
        sa.CheckConstraint("score BETWEEN 0 AND 100", name=op.f("ck_entity_grade_score")),
        sa.ForeignKeyConstraint(["entity_id"], ["entity.id"], name=op.f("fk_entity_grade_entity_id_entity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity_grade")),
    )
    op.create_index(op.f("ix_entity_grade_entity_id_graded_on"), "entity_grade", ["entity_id", "graded_on"])
    op.create_table(
        "public_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["entity_id"], ["entity.id"], name=op.f("fk_public_token_entity_id_entity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_token")),
        sa.UniqueConstraint("token", name=op.f("uq_public_token_token")),
    )
    op.create_index(op.f("ix_public_token_entity_id"), "public_token", ["entity_id"])
    op.create_index("uq_public_token_active", "public_token", ["entity_id"], unique=True,
                    sqlite_where=sa.text("revoked_at IS NULL"), postgresql_where=sa.text("revoked_at IS NULL"))


def downgrade() -> None:
    op.drop_index("uq_public_token_active", table_name="public_token")
    op.drop_index(op.f("ix_public_token_entity_id"), table_name="public_token")
    op.drop_table("public_token")
    op.drop_index(op.f("ix_entity_grade_entity_id_graded_on"), table_name="entity_grade")
    op.drop_table("entity_grade")
    with op.batch_alter_table("entity") as batch:
        batch.drop_column("contact_phone")
        batch.drop_column("legal_representative")
