"""course staff: owner, editor or grader of a course

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 11:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'course_staff',
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("role IN ('owner', 'editor', 'grader')",
                           name=op.f('ck_course_staff_role')),
        sa.ForeignKeyConstraint(['added_by_id'], ['users.id'],
                                name=op.f('fk_course_staff_added_by_id_users')),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'],
                                name=op.f('fk_course_staff_course_id_course')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_course_staff_user_id_users')),
        sa.PrimaryKeyConstraint('course_id', 'user_id', name=op.f('pk_course_staff')))
    with op.batch_alter_table('course_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_staff_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('course_staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_staff_user_id'))
    op.drop_table('course_staff')
