"""cohort import: a CSV read and previewed, waiting for confirmation, then its record

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 17:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cohort_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=255), nullable=False),
    sa.Column('encoding', sa.String(length=20), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('invite_ids', sa.JSON(), nullable=False),
    sa.Column('notice_ids', sa.JSON(), nullable=False),
    sa.Column('mailed', sa.Integer(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_cohort_import_cohort_id_cohort')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_cohort_import_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort_import'))
    )
    with op.batch_alter_table('cohort_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohort_import_cohort_id'), ['cohort_id'], unique=False)


def downgrade():
    with op.batch_alter_table('cohort_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cohort_import_cohort_id'))

    op.drop_table('cohort_import')
