"""Dossiers of issue 11: the procedure catalog, dossiers with their status history, and
the dossier a return-of-results ticket was taken for.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('procedure',
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('field', sa.String(length=200), server_default='', nullable=False),
    sa.Column('documents', sa.Text(), server_default='[]', nullable=False),
    sa.Column('processing_days', sa.Integer(), nullable=True),
    sa.Column('processing_note', sa.String(length=200), server_default='', nullable=False),
    sa.Column('fee', sa.String(length=200), server_default='', nullable=False),
    sa.Column('service', sa.String(length=64), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('site_id', 'code', name=op.f('pk_procedure'))
    )
    op.create_table('dossier',
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('procedure_code', sa.String(length=64), nullable=False),
    sa.Column('applicant_name', sa.String(length=200), nullable=False),
    sa.Column('applicant_phone', sa.String(length=32), server_default='', nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('appointment_date', sa.Date(), nullable=False),
    sa.Column('new_appointment_date', sa.Date(), nullable=True),
    sa.Column('status', sa.SmallInteger(), nullable=False),
    sa.Column('supplement_requests', sa.Integer(), server_default='0', nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('status BETWEEN 1 AND 10', name=op.f('ck_dossier_status')),
    sa.PrimaryKeyConstraint('site_id', 'code', name=op.f('pk_dossier'))
    )
    op.create_table('dossier_event',
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('status', sa.SmallInteger(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=500), server_default='', nullable=False),
    sa.Column('new_appointment_date', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=128), server_default='', nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('status BETWEEN 1 AND 10', name=op.f('ck_dossier_event_status')),
    sa.PrimaryKeyConstraint('site_id', 'event_id', name=op.f('pk_dossier_event'))
    )
    with op.batch_alter_table('dossier_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_event_site_id_code_at'),
                              ['site_id', 'code', 'at'], unique=False)
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dossier', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_column('dossier')
    with op.batch_alter_table('dossier_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_event_site_id_code_at'))
    op.drop_table('dossier_event')
    op.drop_table('dossier')
    op.drop_table('procedure')
