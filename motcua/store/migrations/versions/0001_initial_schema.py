"""Initial schema: site, services, counters and assignments, sessions, tickets,
ticket_event log, per-day number counters, request ids, devices. site_id everywhere.

Revision ID: 0001
Revises: 
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('counter',
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('clerk', sa.String(length=128), nullable=True),
    sa.Column('session_services', sa.Text(), server_default='[]', nullable=False),
    sa.Column('current_ticket', sa.String(length=40), nullable=True),
    sa.Column('last_served', sa.String(length=40), nullable=True),
    sa.Column('normal_streak', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('site_id', 'number', name=op.f('pk_counter'))
    )
    op.create_table('counter_service',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('counter', sa.Integer(), nullable=False),
    sa.Column('assignment', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('service_code', sa.String(length=64), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_service'))
    )
    with op.batch_alter_table('counter_service', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_counter_service_site_id_counter'), ['site_id', 'counter'], unique=False)

    op.create_table('device',
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), server_default='', nullable=False),
    sa.Column('token_hash', sa.String(length=128), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('site_id', 'kind', 'device_id', name=op.f('pk_device'))
    )
    op.create_table('issuing_session',
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('start', sa.String(length=5), nullable=False),
    sa.Column('end', sa.String(length=5), nullable=False),
    sa.Column('weekdays', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('site_id', 'name', name=op.f('pk_issuing_session'))
    )
    op.create_table('number_counter',
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=4), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('site_id', 'prefix', 'business_day', name=op.f('pk_number_counter'))
    )
    op.create_table('request',
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=128), nullable=False),
    sa.Column('request_id', sa.String(length=64), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('payload_hash', sa.String(length=64), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('site_id', 'source', 'request_id', name=op.f('pk_request'))
    )
    with op.batch_alter_table('request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_site_id_business_day'), ['site_id', 'business_day'], unique=False)

    op.create_table('service',
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=4), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('field', sa.String(length=200), server_default='', nullable=False),
    sa.Column('mean_service_minutes', sa.Float(), nullable=False),
    sa.Column('daily_cap', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('site_id', 'code', name=op.f('pk_service'))
    )
    op.create_table('site',
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('rules', sa.Text(), nullable=False),
    sa.Column('epoch', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('site_id', name=op.f('pk_site'))
    )
    op.create_table('ticket',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('prefix', sa.String(length=4), nullable=False),
    sa.Column('seq_no', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=12), nullable=False),
    sa.Column('service', sa.String(length=64), nullable=False),
    sa.Column('priority', sa.String(length=16), nullable=False),
    sa.Column('priority_reason', sa.String(length=256), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('counter', sa.Integer(), nullable=True),
    sa.Column('reserved_counter', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('called_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recalls', sa.Integer(), nullable=False),
    sa.Column('hold_remaining', sa.Integer(), nullable=False),
    sa.Column('front', sa.Boolean(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket')),
    sa.UniqueConstraint('site_id', 'prefix', 'business_day', 'seq_no', name=op.f('uq_ticket_site_id_prefix_business_day_seq_no'))
    )
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_site_id_business_day'), ['site_id', 'business_day'], unique=False)
        batch_op.create_index('uq_ticket_one_active_per_counter', ['site_id', 'counter'], unique=True, sqlite_where=sa.text("status IN ('called', 'serving')"), postgresql_where=sa.text("status IN ('called', 'serving')"))

    op.create_table('ticket_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('ticket_id', sa.String(length=40), nullable=True),
    sa.Column('counter', sa.Integer(), nullable=True),
    sa.Column('clerk', sa.String(length=128), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=128), nullable=True),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_event'))
    )
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_event_site_id_seq'), ['site_id', 'seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_event_site_id_ticket_id'), ['site_id', 'ticket_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_event_site_id_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_ticket_event_site_id_seq'))

    op.drop_table('ticket_event')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('uq_ticket_one_active_per_counter', sqlite_where=sa.text("status IN ('called', 'serving')"), postgresql_where=sa.text("status IN ('called', 'serving')"))
        batch_op.drop_index(batch_op.f('ix_ticket_site_id_business_day'))

    op.drop_table('ticket')
    op.drop_table('site')
    op.drop_table('service')
    with op.batch_alter_table('request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_site_id_business_day'))

    op.drop_table('request')
    op.drop_table('number_counter')
    op.drop_table('issuing_session')
    op.drop_table('device')
    with op.batch_alter_table('counter_service', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_counter_service_site_id_counter'))

    op.drop_table('counter_service')
    op.drop_table('counter')

