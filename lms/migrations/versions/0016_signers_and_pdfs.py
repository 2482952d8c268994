"""co-signers of a course's certificates, rendered certificate PDFs, when a certificate
was emailed, and a cohort's second language on certificates

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 21:15:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('course_signer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('institution', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('logo_id', sa.Integer(), nullable=True),
    sa.Column('signature_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_course_signer_course_id_course')),
    sa.ForeignKeyConstraint(['logo_id'], ['media_file.id'], name=op.f('fk_course_signer_logo_id_media_file')),
    sa.ForeignKeyConstraint(['signature_id'], ['media_file.id'], name=op.f('fk_course_signer_signature_id_media_file')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_signer')),
    sa.UniqueConstraint('course_id', 'position', name=op.f('uq_course_signer_course_id_position'))
    )
    op.create_table('certificate_pdf',
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificate.id'], name=op.f('fk_certificate_pdf_certificate_id_certificate')),
    sa.PrimaryKeyConstraint('certificate_id', name=op.f('pk_certificate_pdf'))
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('emailed_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('cohort', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certificate_language', sa.String(length=10),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('cohort', schema=None) as batch_op:
        batch_op.drop_column('certificate_language')
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_column('emailed_at')
    op.drop_table('certificate_pdf')
    op.drop_table('course_signer')
