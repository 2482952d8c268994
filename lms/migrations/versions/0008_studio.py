"""studio: course source, drafts, versions, pending imports, question versions, instruments

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 13:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=10), nullable=False,
                                      server_default='files'))
        batch_op.create_check_constraint('source', "source IN ('files', 'studio')")
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False,
                                      server_default='1'))
    # Item analysis per question version: the version joins the key.
    with op.batch_alter_table('item_stat', schema=None, recreate='always') as batch_op:
        batch_op.add_column(sa.Column('question_version', sa.Integer(), nullable=False,
                                      server_default='1'))
        batch_op.drop_constraint('pk_item_stat', type_='primary')
        batch_op.create_primary_key('pk_item_stat',
                                    ['quiz_id', 'question_id', 'question_version'])
    op.create_table(
        'draft_item',
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('course', 'references', 'lesson', 'quiz', 'bank', "
                           "'question')", name=op.f('ck_draft_item_kind')),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'],
                                name=op.f('fk_draft_item_course_id_course')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'],
                                name=op.f('fk_draft_item_updated_by_id_users')),
        sa.PrimaryKeyConstraint('course_id', 'kind', 'key', name=op.f('pk_draft_item')))
    op.create_table(
        'course_version',
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('files', sa.JSON(), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('published_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'],
                                name=op.f('fk_course_version_course_id_course')),
        sa.ForeignKeyConstraint(['published_by_id'], ['users.id'],
                                name=op.f('fk_course_version_published_by_id_users')),
        sa.PrimaryKeyConstraint('course_id', 'number', name=op.f('pk_course_version')))
    op.create_table(
        'content_import',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'],
                                name=op.f('fk_content_import_course_id_course')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_content_import_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_content_import')))


    op.create_table(
        'legal_instrument',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('cites', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_legal_instrument_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_instrument')),
        sa.UniqueConstraint('name', name=op.f('uq_legal_instrument_name')))


def downgrade():
    op.drop_table('legal_instrument')
    op.drop_table('content_import')
    op.drop_table('course_version')
    op.drop_table('draft_item')
    with op.batch_alter_table('item_stat', schema=None, recreate='always') as batch_op:
        batch_op.drop_constraint('pk_item_stat', type_='primary')
        batch_op.create_primary_key('pk_item_stat', ['quiz_id', 'question_id'])
        batch_op.drop_column('question_version')
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_column('version')
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_constraint('ck_course_source', type_='check')
        batch_op.drop_column('source')
