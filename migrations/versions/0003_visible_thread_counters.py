"""visible thread counters: per case and per option, so comment pages count no rows

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

VISIBLE_THREADS = (
    "SELECT count(*) FROM comments WHERE comments.case_id = {case_id} "
    "AND comments.parent_id IS NULL AND comments.status = 'visible'"
)


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visible_threads', sa.Integer(), nullable=False,
                                      server_default='0'))
    with op.batch_alter_table('options', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visible_threads', sa.Integer(), nullable=False,
                                      server_default='0'))
    # Count what is already stored; from here on the comment module keeps them.
    op.execute("UPDATE cases SET visible_threads = ("
               + VISIBLE_THREADS.format(case_id="cases.id") + ")")
    op.execute("UPDATE options SET visible_threads = ("
               + VISIBLE_THREADS.format(case_id="options.case_id")
               + " AND comments.option_number = options.number)")


def downgrade():
    with op.batch_alter_table('options', schema=None) as batch_op:
        batch_op.drop_column('visible_threads')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('visible_threads')
