"""Rollups: counts per county, month and specialty (data/rollups.py), so overviews never scan raw rows.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 17:21:18.760489

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('rollup_region_month',
    sa.Column('county_adcode', sa.String(length=6), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('specialty', sa.String(length=16), nullable=False),
    sa.Column('city_adcode', sa.String(length=6), nullable=False),
    sa.Column('province_adcode', sa.String(length=6), nullable=False),
    sa.Column('inspections', sa.Integer(), nullable=False),
    sa.Column('non_compliant', sa.Integer(), nullable=False),
    sa.Column('penalties', sa.Integer(), nullable=False),
    sa.Column('penalty_amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('complaints', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('county_adcode', 'month', 'specialty', name=op.f('pk_rollup_region_month'))
    )
    with op.batch_alter_table('rollup_region_month', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rollup_region_month_city_adcode_month'), ['city_adcode', 'month'], unique=False)
        batch_op.create_index(batch_op.f('ix_rollup_region_month_province_adcode_month'), ['province_adcode', 'month'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('rollup_region_month', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rollup_region_month_province_adcode_month'))
        batch_op.drop_index(batch_op.f('ix_rollup_region_month_city_adcode_month'))

    op.drop_table('rollup_region_month')
