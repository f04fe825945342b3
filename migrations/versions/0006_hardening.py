"""Hardening: a per-user session token that signing out replaces, and retired audio and subtitle tracks

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 05:30:00

"""
import sqlalchemy as sa
from alembic import op

from catalogue.db import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))
    with op.batch_alter_table('audio_tracks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', UTCDateTime(), nullable=True))
    with op.batch_alter_table('subtitle_tracks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('subtitle_tracks', schema=None) as batch_op:
        batch_op.drop_column('retired_at')
    with op.batch_alter_table('audio_tracks', schema=None) as batch_op:
        batch_op.drop_column('retired_at')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_token')
