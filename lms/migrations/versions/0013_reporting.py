"""reporting: profile fields for disaggregation, survey answers, report dates on enrolments

The new role (M&E officer) widens the users' role check. started_at and passed_at are
filled from what already happened: the first lesson read or quiz begun, the first pass of
the final test.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 19:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feedback_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('relevance', sa.Integer(), nullable=False),
    sa.Column('clarity', sa.Integer(), nullable=False),
    sa.Column('confidence', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.CheckConstraint('clarity BETWEEN 1 AND 5', name=op.f('ck_feedback_response_clarity')),
    sa.CheckConstraint('confidence BETWEEN 1 AND 5', name=op.f('ck_feedback_response_confidence')),
    sa.CheckConstraint('relevance BETWEEN 1 AND 5', name=op.f('ck_feedback_response_relevance')),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_feedback_response_course_id_course')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], name=op.f('fk_feedback_response_enrolment_id_enrolment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_response')),
    sa.UniqueConstraint('enrolment_id', name=op.f('uq_feedback_response_enrolment_id'))
    )
    with op.batch_alter_table('feedback_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_response_course_id'), ['course_id'], unique=False)

    op.create_table('follow_up_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used', sa.String(length=10), nullable=False),
    sa.Column('how', sa.Text(), nullable=False),
    sa.CheckConstraint("used IN ('yes', 'partly', 'no')", name=op.f('ck_follow_up_response_used')),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_follow_up_response_course_id_course')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], name=op.f('fk_follow_up_response_enrolment_id_enrolment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_response')),
    sa.UniqueConstraint('enrolment_id', name=op.f('uq_follow_up_response_enrolment_id'))
    )
    with op.batch_alter_table('follow_up_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_response_course_id'), ['course_id'], unique=False)

    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('feedback', sa.JSON(), nullable=False,
                                      server_default=sa.text("'{}'")))

    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('passed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('follow_up_sent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_enrolment_follow_up_due', ['completed_at'], unique=False, sqlite_where=sa.text('completed_at IS NOT NULL AND follow_up_sent_at IS NULL'), postgresql_where=sa.text('completed_at IS NOT NULL AND follow_up_sent_at IS NULL'))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency_level', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('age_band', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('wg_seeing', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('wg_hearing', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('wg_walking', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('wg_remembering', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('wg_selfcare', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('wg_communicating', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('disability', sa.String(length=20), nullable=True))
        batch_op.drop_constraint(op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_users_role'), "role IN ('learner', 'instructor', 'admin', 'me_officer')")

    op.execute("""UPDATE enrolment SET started_at = (
        SELECT MIN(t) FROM (
            SELECT lp.completed_at AS t FROM lesson_progress lp
             WHERE lp.enrolment_id = enrolment.id
            UNION ALL
            SELECT a.started_at FROM attempt a JOIN quiz q ON q.id = a.quiz_id
             WHERE a.user_id = enrolment.user_id AND q.course_id = enrolment.course_id
        ) AS firsts)""")
    op.execute("""UPDATE enrolment SET passed_at = (
        SELECT MIN(a.finished_at) FROM attempt a JOIN quiz q ON q.id = a.quiz_id
         WHERE a.user_id = enrolment.user_id AND q.course_id = enrolment.course_id
           AND q.kind = 'final' AND a.status = 'finished' AND a.passed)""")



def downgrade():
    op.execute("UPDATE users SET role = 'learner' WHERE role = 'me_officer'")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_users_role'), "role IN ('learner', 'instructor', 'admin')")
        batch_op.drop_column('disability')
        batch_op.drop_column('wg_communicating')
        batch_op.drop_column('wg_selfcare')
        batch_op.drop_column('wg_remembering')
        batch_op.drop_column('wg_walking')
        batch_op.drop_column('wg_hearing')
        batch_op.drop_column('wg_seeing')
        batch_op.drop_column('age_band')
        batch_op.drop_column('agency_level')

    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_index('ix_enrolment_follow_up_due', sqlite_where=sa.text('completed_at IS NOT NULL AND follow_up_sent_at IS NULL'), postgresql_where=sa.text('completed_at IS NOT NULL AND follow_up_sent_at IS NULL'))
        batch_op.drop_column('follow_up_sent_at')
        batch_op.drop_column('passed_at')
        batch_op.drop_column('started_at')

    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('feedback')

    with op.batch_alter_table('follow_up_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_response_course_id'))

    op.drop_table('follow_up_response')
    with op.batch_alter_table('feedback_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_response_course_id'))

    op.drop_table('feedback_response')
