"""course translations (items of a course, and glossary terms, in other languages) and
the language an attempt was taken in

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 15:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

KINDS = "kind IN ('course', 'references', 'lesson', 'quiz', 'bank', 'question'"


def upgrade():
    op.create_table('content_translation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('source_hash', sa.String(length=64), nullable=False),
    sa.Column('current', sa.Boolean(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_content_translation_course_id_course')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_translation')),
    sa.UniqueConstraint('course_id', 'locale', 'kind', 'key', name=op.f('uq_content_translation_course_id_locale_kind_key'))
    )
    with op.batch_alter_table('content_translation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_translation_course_id'), ['course_id'], unique=False)
        batch_op.create_index('uq_content_translation_shared', ['locale', 'kind', 'key'], unique=True,
                              sqlite_where=sa.text('course_id IS NULL'),
                              postgresql_where=sa.text('course_id IS NULL'))
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=10), nullable=True))
    # The studio's draft holds translation files too (their key is the file's path).
    with op.batch_alter_table('draft_item', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_draft_item_kind'), type_='check')
        batch_op.create_check_constraint('kind', KINDS + ", 'translation')")
        batch_op.alter_column('key', existing_type=sa.String(length=80),
                              type_=sa.String(length=120), existing_nullable=False)


def downgrade():
    with op.batch_alter_table('draft_item', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_draft_item_kind'), type_='check')
        batch_op.create_check_constraint('kind', KINDS + ")")
        batch_op.alter_column('key', existing_type=sa.String(length=120),
                              type_=sa.String(length=80), existing_nullable=False)
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('content_translation', schema=None) as batch_op:
        batch_op.drop_index('uq_content_translation_shared',
                            sqlite_where=sa.text('course_id IS NULL'),
                            postgresql_where=sa.text('course_id IS NULL'))
        batch_op.drop_index(batch_op.f('ix_content_translation_course_id'))
    op.drop_table('content_translation')
