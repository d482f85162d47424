"""a report keeps the reader's reason (and an optional note); a thread counts its visible replies

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 16:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # Reports stored before keep NULL: no reason was asked for then.
    with op.batch_alter_table('comment_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visible_replies', sa.Integer(), nullable=False,
                                      server_default='0'))
    # Count what is already stored; from here on the comment module keeps it.
    op.execute("UPDATE comments SET visible_replies = (SELECT count(*) FROM comments AS reply "
               "WHERE reply.parent_id = comments.id AND reply.status = 'visible')")


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_column('visible_replies')
    with op.batch_alter_table('comment_reports', schema=None) as batch_op:
        batch_op.drop_column('note')
        batch_op.drop_column('reason')
