"""Credit grades (诚信等级): the criteria as versioned data (credit_criterion) and the assessment history (credit_assessment).

Revision ID: 0017
Revises: 0016
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0017'
down_revision: Union[str, Sequence[str], None] = '0016'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('credit_criterion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=48), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.Column('cap', sa.Float(), nullable=True),
    sa.Column('window_days', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=256), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_to', sa.DateTime(timezone=True), nullable=True),
    sa.Column('changed_by', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=256), nullable=False),
    sa.CheckConstraint("kind IN ('base', 'deduction', 'grade')", name=op.f('ck_credit_criterion_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_criterion'))
    )
    with op.batch_alter_table('credit_criterion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_criterion_version'), ['version'], unique=False)

    op.create_table('credit_assessment',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('assessed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('grade', sa.String(length=8), nullable=False),
    sa.Column('breakdown', sa.Text(), nullable=False),
    sa.Column('criteria_version', sa.Integer(), nullable=False),
    sa.Column('province_adcode', sa.String(length=40), nullable=True),
    sa.Column('city_adcode', sa.String(length=40), nullable=True),
    sa.Column('county_adcode', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_credit_assessment_entity_id_entity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_assessment'))
    )
    with op.batch_alter_table('credit_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_assessment_assessed_at'), ['assessed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_assessment_city_adcode'), ['city_adcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_assessment_county_adcode'), ['county_adcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_assessment_entity_id_assessed_at'), ['entity_id', 'assessed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_assessment_province_adcode'), ['province_adcode'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('credit_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_assessment_province_adcode'))
        batch_op.drop_index(batch_op.f('ix_credit_assessment_entity_id_assessed_at'))
        batch_op.drop_index(batch_op.f('ix_credit_assessment_county_adcode'))
        batch_op.drop_index(batch_op.f('ix_credit_assessment_city_adcode'))
        batch_op.drop_index(batch_op.f('ix_credit_assessment_assessed_at'))

    op.drop_table('credit_assessment')
    with op.batch_alter_table('credit_criterion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_criterion_version'))

    op.drop_table('credit_criterion')
