"""Catalogue version: the number every write bumps, so workers know when their cached pages are stale

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 16:20:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table('catalogue_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_version'))
    )
    # The one row catalogue.pagecache reads and bumps.
    op.bulk_insert(table, [{'id': 1, 'version': 0}])


def downgrade():
    op.drop_table('catalogue_version')
