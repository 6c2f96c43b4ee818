"""Queue rules of issue 7: a ticket keeps its total of recalls, the service it was issued
for (daily caps count by it) and when it was last put on hold.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recalls_total', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('issued_service', sa.String(length=64), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('held_at', sa.DateTime(timezone=True), nullable=True))
    # Tickets stored before this revision: the best known values are the current ones.
    op.execute("UPDATE ticket SET recalls_total = recalls, issued_service = service")


def downgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_column('held_at')
        batch_op.drop_column('issued_service')
        batch_op.drop_column('recalls_total')
