"""editors carry a session generation: logging out or a new password ends every copy of a session

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    # Sessions opened before this migration carry no generation, so they end: editors
    # log in once more.
    with op.batch_alter_table('editors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), nullable=False,
                                      server_default='0'))


def downgrade():
    with op.batch_alter_table('editors', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
