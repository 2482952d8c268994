"""media files: course images stored in the database

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'media_file',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('filename', sa.String(length=100), nullable=False),
        sa.Column('content_type', sa.String(length=20), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('byte_size', sa.Integer(), nullable=False),
        sa.Column('alt_text', sa.String(length=300), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("alt_text <> ''", name=op.f('ck_media_file_alt_text')),
        sa.CheckConstraint("content_type IN ('image/png', 'image/jpeg', 'image/webp')",
                           name=op.f('ck_media_file_content_type')),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'],
                                name=op.f('fk_media_file_course_id_course')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_media_file_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_media_file')),
        # Leads with course_id: it is also the index of a course's images.
        sa.UniqueConstraint('course_id', 'sha256', name=op.f('uq_media_file_course_id_sha256')))


def downgrade():
    op.drop_table('media_file')
