"""Search stems: each document's stems in its language, cue ends, the indexed words and the translated texts'
source, and the full-text structures rebuilt over the folded words and the stems

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 09:00:00

"""
import sqlalchemy as sa
from alembic import op

# The full-text DDL and the indexing code are the application's own (see 0004): install() and rebuild() ask
# the database which columns it has, so the same code serves this revision's schema and the one before it.
from catalogue.search import index


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    index.uninstall(op.get_bind())
    # Rebuilt below: emptied first, while no trigger would ask the new FTS5 table to delete rows it never held.
    op.execute('DELETE FROM search_documents')
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('end_ms', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('stems_en', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('stems_fr', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('stems_tr', sa.Text(), nullable=True))
        batch_op.drop_index('ix_search_documents_recording_kind_language')
        batch_op.create_index('ix_search_documents_recording_kind_start', ['recording_id', 'kind', 'start_ms'], unique=False)

    op.create_table('search_words',
    sa.Column('word', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('word', name=op.f('pk_search_words'))
    )
    state = op.create_table('search_index_state',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('signature', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_search_index_state'))
    )
    # The row catalogue.search.services compares with the compiled content catalogues.
    op.bulk_insert(state, [{'name': 'content', 'signature': ''}])

    index.install(op.get_bind())
    index.rebuild(op.get_bind())


def downgrade():
    index.uninstall(op.get_bind())
    op.execute('DELETE FROM search_documents')
    op.drop_table('search_index_state')
    op.drop_table('search_words')
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_search_documents_recording_kind_start')
        batch_op.create_index('ix_search_documents_recording_kind_language', ['recording_id', 'kind', 'language'], unique=False)
        batch_op.drop_column('stems_tr')
        batch_op.drop_column('stems_fr')
        batch_op.drop_column('stems_en')
        batch_op.drop_column('end_ms')

    index.install(op.get_bind())
    index.rebuild(op.get_bind())
