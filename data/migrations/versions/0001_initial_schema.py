"""Initial schema: regions, entities, inspectors, inspections, penalties, complaints, devices, readings, alerts.

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 16:50:15.689035

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('dataset_meta',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(length=256), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_dataset_meta'))
    )
    op.create_table('entity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('specialty', sa.String(length=16), nullable=False),
    sa.Column('subtype', sa.String(length=32), nullable=False),
    sa.Column('address', sa.String(length=256), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('licence_no', sa.String(length=64), nullable=True),
    sa.Column('licence_expiry', sa.Date(), nullable=True),
    sa.Column('grade', sa.String(length=1), nullable=True),
    sa.Column('risk_level', sa.String(length=16), nullable=True),
    sa.Column('province_adcode', sa.String(length=6), nullable=True),
    sa.Column('city_adcode', sa.String(length=6), nullable=True),
    sa.Column('county_adcode', sa.String(length=6), nullable=True),
    sa.CheckConstraint("grade IS NULL OR grade IN ('A', 'B', 'C')", name=op.f('ck_entity_grade')),
    sa.CheckConstraint("risk_level IS NULL OR risk_level IN ('low', 'medium', 'high', 'very_high')", name=op.f('ck_entity_risk_level')),
    sa.CheckConstraint("specialty IN ('public_place', 'drinking_water', 'medical', 'occupational', 'radiation', 'school', 'infectious', 'disinfection')", name=op.f('ck_entity_specialty')),
    sa.CheckConstraint('lat IS NULL OR (lat BETWEEN -90 AND 90)', name=op.f('ck_entity_lat')),
    sa.CheckConstraint('lon IS NULL OR (lon BETWEEN -180 AND 180)', name=op.f('ck_entity_lon')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entity')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_entity_credit_code'))
    )
    with op.batch_alter_table('entity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entity_city_adcode'), ['city_adcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_entity_county_adcode'), ['county_adcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_entity_county_adcode_specialty'), ['county_adcode', 'specialty'], unique=False)
        batch_op.create_index(batch_op.f('ix_entity_province_adcode'), ['province_adcode'], unique=False)

    op.create_table('region',
    sa.Column('adcode', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('parent_adcode', sa.String(length=12), nullable=True),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['parent_adcode'], ['region.adcode'], name=op.f('fk_region_parent_adcode_region')),
    sa.PrimaryKeyConstraint('adcode', name=op.f('pk_region'))
    )
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_region_parent_adcode'), ['parent_adcode'], unique=False)

    op.create_table('complaint',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('specialty', sa.String(length=16), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('substantiated', sa.Boolean(), nullable=True),
    sa.Column('province_adcode', sa.String(length=6), nullable=True),
    sa.Column('city_adcode', sa.String(length=6), nullable=True),
    sa.Column('county_adcode', sa.String(length=6), nullable=True),
    sa.CheckConstraint("channel IN ('hotline_12345', 'hotline_12320', 'web', 'letter', 'visit')", name=op.f('ck_complaint_channel')),
    sa.CheckConstraint("specialty IS NULL OR specialty IN ('public_place', 'drinking_water', 'medical', 'occupational', 'radiation', 'school', 'infectious', 'disinfection')", name=op.f('ck_complaint_specialty')),
    sa.CheckConstraint("status IN ('received', 'assigned', 'handling', 'feedback', 'closed')", name=op.f('ck_complaint_status')),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_complaint_entity_id_entity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint'))
    )
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_city_adcode'), ['city_adcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_county_adcode'), ['county_adcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_entity_id'), ['entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_province_adcode'), ['province_adcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_received_at'), ['received_at'], unique=False)

    op.create_table('device',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('scene', sa.String(length=32), nullable=False),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('interval_s', sa.Integer(), nullable=False),
    sa.Column('installed_on', sa.Date(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('province_adcode', sa.String(length=6), nullable=True),
    sa.Column('city_adcode', sa.String(length=6), nullable=True),
    sa.Column('county_adcode', sa.String(length=6), nullable=True),
    sa.CheckConstraint("scene IN ('water_plant', 'water_tap', 'swimming_pool', 'public_air', 'medical_waste', 'xray_room', 'occupational_dust')", name=op.f('ck_device_scene')),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_device_entity_id_entity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device'))
    )
    with op.batch_alter_table('device', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_device_city_adcode'), ['city_adcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_device_county_adcode'), ['county_adcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_device_entity_id'), ['entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_device_province_adcode'), ['province_adcode'], unique=False)

    op.create_table('inspector',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('badge_no', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('region_adcode', sa.String(length=12), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['region_adcode'], ['region.adcode'], name=op.f('fk_inspector_region_adcode_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspector')),
    sa.UniqueConstraint('badge_no', name=op.f('uq_inspector_badge_no'))
    )
    with op.batch_alter_table('inspector', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspector_region_adcode'), ['region_adcode'], unique=False)

    op.create_table('alert',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('device_id', sa.String(length=32), nullable=True),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('rule', sa.String(length=32), nullable=False),
    sa.Column('indicator', sa.String(length=32), nullable=True),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('message', sa.String(length=256), nullable=False),
    sa.Column('province_adcode', sa.String(length=6), nullable=True),
    sa.Column('city_adcode', sa.String(length=6), nullable=True),
    sa.Column('county_adcode', sa.String(length=6), nullable=True),
    sa.CheckConstraint("status IN ('open', 'acknowledged', 'closed')", name=op.f('ck_alert_status')),
    sa.ForeignKeyConstraint(['device_id'], ['device.id'], name=op.f('fk_alert_device_id_device')),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_alert_entity_id_entity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert'))
    )
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_city_adcode'), ['city_adcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_county_adcode'), ['county_adcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_device_id'), ['device_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_entity_id'), ['entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_province_adcode'), ['province_adcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_raised_at'), ['raised_at'], unique=False)

    op.create_table('inspection',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('specialty', sa.String(length=16), nullable=False),
    sa.Column('inspected_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.Column('findings', sa.Text(), nullable=True),
    sa.Column('inspector_id', sa.Integer(), nullable=True),
    sa.Column('second_inspector_id', sa.Integer(), nullable=True),
    sa.Column('province_adcode', sa.String(length=6), nullable=True),
    sa.Column('city_adcode', sa.String(length=6), nullable=True),
    sa.Column('county_adcode', sa.String(length=6), nullable=True),
    sa.CheckConstraint("kind IN ('routine', 'random_draw', 'campaign', 'complaint')", name=op.f('ck_inspection_kind')),
    sa.CheckConstraint("result IN ('compliant', 'non_compliant')", name=op.f('ck_inspection_result')),
    sa.CheckConstraint("specialty IN ('public_place', 'drinking_water', 'medical', 'occupational', 'radiation', 'school', 'infectious', 'disinfection')", name=op.f('ck_inspection_specialty')),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_inspection_entity_id_entity')),
    sa.ForeignKeyConstraint(['inspector_id'], ['inspector.id'], name=op.f('fk_inspection_inspector_id_inspector')),
    sa.ForeignKeyConstraint(['second_inspector_id'], ['inspector.id'], name=op.f('fk_inspection_second_inspector_id_inspector')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection'))
    )
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_city_adcode'), ['city_adcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_county_adcode'), ['county_adcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_entity_id'), ['entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_inspected_on'), ['inspected_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_inspected_on_city_adcode'), ['inspected_on', 'city_adcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_province_adcode'), ['province_adcode'], unique=False)

    op.create_table('reading',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('device_id', sa.String(length=32), nullable=False),
    sa.Column('indicator', sa.String(length=32), nullable=False),
    sa.Column('measured_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['device.id'], name=op.f('fk_reading_device_id_device')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reading')),
    sa.UniqueConstraint('device_id', 'indicator', 'measured_at', name=op.f('uq_reading_device_id_indicator_measured_at'))
    )
    op.create_table('penalty',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('case_no', sa.String(length=64), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('specialty', sa.String(length=16), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('province_adcode', sa.String(length=6), nullable=True),
    sa.Column('city_adcode', sa.String(length=6), nullable=True),
    sa.Column('county_adcode', sa.String(length=6), nullable=True),
    sa.CheckConstraint("kind IN ('warning', 'fine', 'suspension', 'revocation')", name=op.f('ck_penalty_kind')),
    sa.CheckConstraint("specialty IN ('public_place', 'drinking_water', 'medical', 'occupational', 'radiation', 'school', 'infectious', 'disinfection')", name=op.f('ck_penalty_specialty')),
    sa.CheckConstraint("status IN ('filed', 'investigating', 'reviewing', 'decided', 'executing', 'closed')", name=op.f('ck_penalty_status')),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_penalty_amount')),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_penalty_entity_id_entity')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_penalty_inspection_id_inspection')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_penalty')),
    sa.UniqueConstraint('case_no', name=op.f('uq_penalty_case_no'))
    )
    with op.batch_alter_table('penalty', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_penalty_city_adcode'), ['city_adcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_penalty_county_adcode'), ['county_adcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_penalty_decided_on'), ['decided_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_penalty_entity_id'), ['entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_penalty_province_adcode'), ['province_adcode'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('penalty', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_penalty_province_adcode'))
        batch_op.drop_index(batch_op.f('ix_penalty_entity_id'))
        batch_op.drop_index(batch_op.f('ix_penalty_decided_on'))
        batch_op.drop_index(batch_op.f('ix_penalty_county_adcode'))
        batch_op.drop_index(batch_op.f('ix_penalty_city_adcode'))

    op.drop_table('penalty')
    op.drop_table('reading')
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_province_adcode'))
        batch_op.drop_index(batch_op.f('ix_inspection_inspected_on_city_adcode'))
        batch_op.drop_index(batch_op.f('ix_inspection_inspected_on'))
        batch_op.drop_index(batch_op.f('ix_inspection_entity_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_county_adcode'))
        batch_op.drop_index(batch_op.f('ix_inspection_city_adcode'))

    op.drop_table('inspection')
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_raised_at'))
        batch_op.drop_index(batch_op.f('ix_alert_province_adcode'))
        batch_op.drop_index(batch_op.f('ix_alert_entity_id'))
        batch_op.drop_index(batch_op.f('ix_alert_device_id'))
        batch_op.drop_index(batch_op.f('ix_alert_county_adcode'))
        batch_op.drop_index(batch_op.f('ix_alert_city_adcode'))

    op.drop_table('alert')
    with op.batch_alter_table('inspector', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspector_region_adcode'))

    op.drop_table('inspector')
    with op.batch_alter_table('device', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_device_province_adcode'))
        batch_op.drop_index(batch_op.f('ix_device_entity_id'))
        batch_op.drop_index(batch_op.f('ix_device_county_adcode'))
        batch_op.drop_index(batch_op.f('ix_device_city_adcode'))

    op.drop_table('device')
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_received_at'))
        batch_op.drop_index(batch_op.f('ix_complaint_province_adcode'))
        batch_op.drop_index(batch_op.f('ix_complaint_entity_id'))
        batch_op.drop_index(batch_op.f('ix_complaint_county_adcode'))
        batch_op.drop_index(batch_op.f('ix_complaint_city_adcode'))

    op.drop_table('complaint')
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_region_parent_adcode'))

    op.drop_table('region')
    with op.batch_alter_table('entity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entity_province_adcode'))
        batch_op.drop_index(batch_op.f('ix_entity_county_adcode_specialty'))
        batch_op.drop_index(batch_op.f('ix_entity_county_adcode'))
        batch_op.drop_index(batch_op.f('ix_entity_city_adcode'))

    op.drop_table('entity')
    op.drop_table('dataset_meta')
