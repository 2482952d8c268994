"""reports at scale: the month-of-enrolment statistics, enrolled_at, the organisation key

Measured with bench/bench_reports.py on 100,000 learners and 300,000 enrolments (plans in
bench/README.md, "Reporting"):
- the report's aggregate groups by the month of enrolment; without statistics on that
  expression PostgreSQL guesses one group per enrolment, sorts every joined row on disk
  and JIT-compiles; with them it hash-aggregates in each worker (PostgreSQL only);
- period_choices reads min and max of enrolled_at, and the extract filters on it;
- the organisation filter compares lower(trim(organisation)) (PostgreSQL only, as the
  trigram indexes: SQLite scans, which is quick at its scale).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 17:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

MONTH = ("(EXTRACT(year FROM timezone('UTC', enrolled_at))), "
         "(EXTRACT(month FROM timezone('UTC', enrolled_at)))")


def upgrade():
    op.create_index('ix_enrolment_enrolled_at', 'enrolment', ['enrolled_at'])
    if op.get_bind().dialect.name == 'postgresql':
        op.create_index('ix_users_organisation_key', 'users',
                        [sa.text('lower(trim(organisation))')])
        op.execute(f"CREATE STATISTICS st_enrolment_enrolled_month (ndistinct) "
                   f"ON {MONTH} FROM enrolment")
        op.execute("ANALYZE enrolment")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP STATISTICS IF EXISTS st_enrolment_enrolled_month")
        op.drop_index('ix_users_organisation_key', table_name='users')
    op.drop_index('ix_enrolment_enrolled_at', table_name='enrolment')
