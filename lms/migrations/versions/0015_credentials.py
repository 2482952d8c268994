"""credentials: the Open Badges 3.0 credential of each certificate, its status-list
place, expiry and reminders; renewed certificates; the course's certificate settings

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 20:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certificate', sa.JSON(), server_default='{}',
                                      nullable=False))
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('credential', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('status_year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('status_index', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_certificate_status_year_status_index'),
                                          ['status_year', 'status_index'])
        batch_op.drop_constraint(batch_op.f('ck_certificate_status'), type_='check')
        batch_op.create_check_constraint(
            'status', "status IN ('issued', 'revoked', 'expired', 'renewed')")


def downgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_certificate_status'), type_='check')
        batch_op.create_check_constraint('status', "status IN ('issued', 'revoked', 'expired')")
        batch_op.drop_constraint(batch_op.f('uq_certificate_status_year_status_index'), type_='unique')
        batch_op.drop_column('status_index')
        batch_op.drop_column('status_year')
        batch_op.drop_column('credential')
        batch_op.drop_column('reminded_at')
        batch_op.drop_column('expires_at')
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('certificate')
