"""Clerk panel of issue 9: user accounts (clerks, managers, admins) and one rating per
ticket in the event log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

RATED = "kind = 'ticket_rated'"


def upgrade() -> None:
    op.create_table('user_account',
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=128), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('counters', sa.String(length=1000), server_default='', nullable=False),
    sa.Column('disabled', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('clerk', 'manager', 'admin')",
                       name=op.f('ck_user_account_role')),
    sa.PrimaryKeyConstraint('site_id', 'username', name=op.f('pk_user_account'))
    )
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.create_index('uq_ticket_event_one_rating', ['site_id', 'ticket_id'],
                              unique=True, sqlite_where=sa.text(RATED),
                              postgresql_where=sa.text(RATED))


def downgrade() -> None:
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.drop_index('uq_ticket_event_one_rating')
    op.drop_table('user_account')
