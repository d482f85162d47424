"""comment reports keep the reporter's day-salted IP hash: one report per address and day

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    # Reports stored before keep NULL, which a unique index never counts as a duplicate.
    with op.batch_alter_table('comment_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ip_hash', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_comment_reports_comment_ip', ['comment_id', 'ip_hash'],
                              unique=True)


def downgrade():
    with op.batch_alter_table('comment_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_reports_comment_ip')
        batch_op.drop_column('ip_hash')
