"""comment listing indexes: top-level comments in order, and their counts from the index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

TOP_LEVEL = sa.text('parent_id IS NULL')


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_top_level_order', ['case_id', 'id'], unique=False,
                              postgresql_where=TOP_LEVEL, sqlite_where=TOP_LEVEL)
        batch_op.create_index('ix_comments_top_level_counts',
                              ['case_id', 'status', 'option_number', 'parent_id'], unique=False,
                              postgresql_where=TOP_LEVEL, sqlite_where=TOP_LEVEL)


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_top_level_counts')
        batch_op.drop_index('ix_comments_top_level_order')
