"""comment listing indexes: thread starters in order, and their counts from the index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 00:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_case_parent_id', ['case_id', 'parent_id', 'id'],
                              unique=False)
        batch_op.create_index('ix_comments_case_parent_status_option',
                              ['case_id', 'parent_id', 'status', 'option_number'], unique=False)


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_case_parent_status_option')
        batch_op.drop_index('ix_comments_case_parent_id')
