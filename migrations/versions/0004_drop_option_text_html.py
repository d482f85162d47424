"""drop options.text_html: option texts are shown as plain text, the rendering was read by nothing

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('options', schema=None) as batch_op:
        batch_op.drop_column('text_html')


def downgrade():
    # Back as it was in 0001 (NOT NULL); the stored rows get an empty rendering,
    # which nothing reads.
    with op.batch_alter_table('options', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text_html', sa.Text(), nullable=False,
                                      server_default=''))
