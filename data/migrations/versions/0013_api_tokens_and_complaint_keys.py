"""API tokens: one per account, kept as its SHA-256 hash (the token itself is shown once); complaints' source
keys (the sending system's id, e.g. a 311 Unique Key), the natural key of imported complaints.

Revision ID: 0013
Revises: 0012
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: Union[str, Sequence[str], None] = "0012"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("api_token_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_app_user_api_token_hash", ["api_token_hash"])
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_key", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_complaint_source_key", ["source_key"])


def downgrade() -> None:
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_constraint("uq_complaint_source_key", type_="unique")
        batch_op.drop_column("source_key")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_constraint("uq_app_user_api_token_hash", type_="unique")
        batch_op.drop_column("api_token_hash")
