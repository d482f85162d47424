"""partner sites, and the source of every vote, vote event and comment (issue 14)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 16:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

SOURCE_TABLES = ('votes', 'vote_events', 'comments')


def upgrade():
    op.create_table('partners',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partners'))
    )
    op.create_table('partner_origins',
    sa.Column('partner_id', sa.String(length=40), nullable=False),
    sa.Column('origin', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'],
                            name=op.f('fk_partner_origins_partner_id_partners'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('partner_id', 'origin', name=op.f('pk_partner_origins'))
    )
    # Every row stored so far came through the site's own pages.
    for table in SOURCE_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('source', sa.String(length=40),
                                          server_default='site', nullable=False))
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.create_index('ix_votes_case_source_option',
                              ['case_id', 'source', 'option_number'], unique=False)


def downgrade():
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_index('ix_votes_case_source_option')
    for table in reversed(SOURCE_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('source')
    op.drop_table('partner_origins')
    op.drop_table('partners')
