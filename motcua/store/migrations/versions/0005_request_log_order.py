"""The request table keyed by its place in the log, not by the devices' request ids.

Idempotence is the single writer's: it keeps the day's request ids in memory (loaded by
business day at start) and looks them up there. The unique key on (site_id, source,
request_id) only made every insert land on a random leaf page (request ids are random
UUIDs), so the pages written per command grew with the day. Rows keep their order:
they are copied in ``created_at`` order.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

COLUMNS = "site_id, source, request_id, business_day, payload_hash, result, created_at"


def _common_columns() -> list[sa.Column]:
    return [
        sa.Column('site_id', sa.String(length=64), nullable=False),
        sa.Column('source', sa.String(length=128), nullable=False),
        sa.Column('request_id', sa.String(length=64), nullable=False),
        sa.Column('business_day', sa.Date(), nullable=False),
        sa.Column('payload_hash', sa.String(length=64), nullable=False),
        sa.Column('result', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    ]


def _set_aside(name: str) -> None:
    """Rename ``request`` to ``name`` and free the names its key and index hold (on
    PostgreSQL a constraint's or index's name is the schema's, not the table's)."""
    op.rename_table('request', name)
    op.drop_index('ix_request_site_id_business_day', table_name=name)
    if op.get_context().dialect.name == 'postgresql':
        op.execute(f'ALTER TABLE {name} DROP CONSTRAINT pk_request')


def _index_by_day() -> None:
    with op.batch_alter_table('request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_site_id_business_day'),
                              ['site_id', 'business_day'], unique=False)


def upgrade() -> None:
    _set_aside('request_0004')
    op.create_table('request',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True,
              nullable=False),
    *_common_columns(),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request'))
    )
    _index_by_day()
    op.execute(f'INSERT INTO request ({COLUMNS}) SELECT {COLUMNS} FROM request_0004 '
               f'ORDER BY created_at')
    op.drop_table('request_0004')


def downgrade() -> None:
    _set_aside('request_0005')
    op.create_table('request',
    *_common_columns(),
    sa.PrimaryKeyConstraint('site_id', 'source', 'request_id', name=op.f('pk_request'))
    )
    _index_by_day()
    # The writer never stored one id twice; should a row have, the first one stays.
    op.execute(f'INSERT INTO request ({COLUMNS}) SELECT {COLUMNS} FROM request_0005 AS r '
               f'WHERE r.id = (SELECT min(id) FROM request_0005 AS s WHERE '
               f's.site_id = r.site_id AND s.source = r.source AND s.request_id = r.request_id)')
    op.drop_table('request_0005')
