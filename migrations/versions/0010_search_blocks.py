"""Search on PostgreSQL: the GIN index over the tsvector gains the document's block of ids, so that a common
word's first matches in id order are found by one index scan instead of a walk through the table (see
catalogue.search.index.GIN_INDEX and catalogue.search.queries.first_by_blocks). SQLite: nothing changes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 10:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# As catalogue.search.index defines them on the day of this revision (index.BLOCK_IDS = 4096).
WORDS_ONLY = "CREATE INDEX IF NOT EXISTS ix_search_documents_folded_tsv ON search_documents USING gin (folded_tsv)"
WITH_BLOCKS = (
    "CREATE INDEX IF NOT EXISTS ix_search_documents_folded_tsv_block ON search_documents "
    "USING gin (folded_tsv, (ARRAY[id / 4096]))"
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    # The new index first: searches keep an index to use while it is built.
    op.execute(WITH_BLOCKS)
    op.execute("DROP INDEX IF EXISTS ix_search_documents_folded_tsv")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(WORDS_ONLY)
    op.execute("DROP INDEX IF EXISTS ix_search_documents_folded_tsv_block")
