"""Risk model as data (risk_parameter), score history with its factors (risk_score), the risk ledger and its steps.

Revision ID: 0012
Revises: 0011
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0012'
down_revision: Union[str, Sequence[str], None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('risk_parameter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=48), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.Column('cap', sa.Float(), nullable=True),
    sa.Column('window_days', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_to', sa.DateTime(timezone=True), nullable=True),
    sa.Column('changed_by', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=256), nullable=False),
    sa.CheckConstraint("kind IN ('feature', 'threshold', 'ledger')", name=op.f('ck_risk_parameter_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_parameter'))
    )
    with op.batch_alter_table('risk_parameter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_parameter_key_valid_to'), ['key', 'valid_to'], unique=False)

    op.create_table('risk_score',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('scored_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('factors', sa.Text(), nullable=False),
    sa.Column('model_version', sa.Integer(), nullable=False),
    sa.Column('province_adcode', sa.String(length=6), nullable=True),
    sa.Column('city_adcode', sa.String(length=6), nullable=True),
    sa.Column('county_adcode', sa.String(length=6), nullable=True),
    sa.CheckConstraint("level IN ('low', 'medium', 'high', 'very_high')", name=op.f('ck_risk_score_level')),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_risk_score_entity_id_entity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_score'))
    )
    with op.batch_alter_table('risk_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_score_city_adcode'), ['city_adcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_score_county_adcode'), ['county_adcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_score_entity_id_scored_at'), ['entity_id', 'scored_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_score_province_adcode'), ['province_adcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_score_scored_at'), ['scored_at'], unique=False)

    op.create_table('risk_ledger',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('risk_score_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('entered_on', sa.Date(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=64), nullable=True),
    sa.Column('follow_up_inspection_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('province_adcode', sa.String(length=6), nullable=True),
    sa.Column('city_adcode', sa.String(length=6), nullable=True),
    sa.Column('county_adcode', sa.String(length=6), nullable=True),
    sa.CheckConstraint("level IN ('low', 'medium', 'high', 'very_high')", name=op.f('ck_risk_ledger_level')),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_risk_ledger_status')),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_risk_ledger_entity_id_entity')),
    sa.ForeignKeyConstraint(['follow_up_inspection_id'], ['inspection.id'], name=op.f('fk_risk_ledger_follow_up_inspection_id_inspection')),
    sa.ForeignKeyConstraint(['officer_id'], ['inspector.id'], name=op.f('fk_risk_ledger_officer_id_inspector')),
    sa.ForeignKeyConstraint(['risk_score_id'], ['risk_score.id'], name=op.f('fk_risk_ledger_risk_score_id_risk_score')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_ledger'))
    )
    with op.batch_alter_table('risk_ledger', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_ledger_city_adcode'), ['city_adcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_ledger_county_adcode'), ['county_adcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_ledger_entity_id'), ['entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_ledger_province_adcode'), ['province_adcode'], unique=False)
        batch_op.create_index('uq_risk_ledger_open', ['entity_id'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))

    op.create_table('risk_ledger_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['entry_id'], ['risk_ledger.id'], name=op.f('fk_risk_ledger_event_entry_id_risk_ledger')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_ledger_event'))
    )
    with op.batch_alter_table('risk_ledger_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_ledger_event_entry_id'), ['entry_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('risk_ledger_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_ledger_event_entry_id'))

    op.drop_table('risk_ledger_event')
    with op.batch_alter_table('risk_ledger', schema=None) as batch_op:
        batch_op.drop_index('uq_risk_ledger_open', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
        batch_op.drop_index(batch_op.f('ix_risk_ledger_province_adcode'))
        batch_op.drop_index(batch_op.f('ix_risk_ledger_entity_id'))
        batch_op.drop_index(batch_op.f('ix_risk_ledger_county_adcode'))
        batch_op.drop_index(batch_op.f('ix_risk_ledger_city_adcode'))

    op.drop_table('risk_ledger')
    with op.batch_alter_table('risk_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_score_scored_at'))
        batch_op.drop_index(batch_op.f('ix_risk_score_province_adcode'))
        batch_op.drop_index(batch_op.f('ix_risk_score_entity_id_scored_at'))
        batch_op.drop_index(batch_op.f('ix_risk_score_county_adcode'))
        batch_op.drop_index(batch_op.f('ix_risk_score_city_adcode'))

    op.drop_table('risk_score')
    with op.batch_alter_table('risk_parameter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_parameter_key_valid_to'))

    op.drop_table('risk_parameter')
