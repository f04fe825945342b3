"""Media and jobs: media sources as received, packaged HLS streams, and background jobs with their progress

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 05:35:21

"""
import sqlalchemy as sa
from alembic import op

from catalogue.db import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('state', sa.Enum('queued', 'running', 'done', 'failed', name='job_state', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('progress', sa.Double(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('problem', sa.JSON(), nullable=True),
    sa.Column('recording_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('started_at', UTCDateTime(), nullable=True),
    sa.Column('finished_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['recording_id'], ['recordings.id'], name=op.f('fk_jobs_recording_id_recordings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_recording_id'), ['recording_id'], unique=False)

    op.create_table('media_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recording_id', sa.Integer(), nullable=False),
    sa.Column('audio_track_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('interpretation', 'original', name='media_source_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('original_filename', sa.String(length=255), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('audio_stream', sa.Integer(), nullable=False),
    sa.Column('has_video', sa.Boolean(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('probe', sa.JSON(), nullable=False),
    sa.Column('warnings', sa.JSON(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['audio_track_id'], ['audio_tracks.id'], name=op.f('fk_media_sources_audio_track_id_audio_tracks'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recording_id'], ['recordings.id'], name=op.f('fk_media_sources_recording_id_recordings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media_sources'))
    )
    with op.batch_alter_table('media_sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_media_sources_audio_track_id'), ['audio_track_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_media_sources_recording_id'), ['recording_id'], unique=False)

    op.create_table('streams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recording_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('none', 'queued', 'running', 'ready', 'failed', name='stream_state', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('folder', sa.String(length=500), nullable=True),
    sa.Column('has_video', sa.Boolean(), nullable=False),
    sa.Column('poster', sa.String(length=100), nullable=True),
    sa.Column('thumbnails', sa.String(length=100), nullable=True),
    sa.Column('renditions', sa.JSON(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('published_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_streams_job_id_jobs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recording_id'], ['recordings.id'], name=op.f('fk_streams_recording_id_recordings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_streams')),
    sa.UniqueConstraint('recording_id', name=op.f('uq_streams_recording_id'))
    )
    with op.batch_alter_table('streams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_streams_job_id'), ['job_id'], unique=False)


def downgrade():
    with op.batch_alter_table('streams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_streams_job_id'))
    op.drop_table('streams')
    with op.batch_alter_table('media_sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_media_sources_recording_id'))
        batch_op.drop_index(batch_op.f('ix_media_sources_audio_track_id'))
    op.drop_table('media_sources')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_recording_id'))
    op.drop_table('jobs')
