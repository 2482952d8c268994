"""people and audit indexes: the admin people list and the audit viewer, paged by id

Both pages read newest first by id (keyset: `WHERE id < :after ORDER BY id DESC
LIMIT 51`). Each filter gets an index that ends in id, so the rows of one role,
sector, country, actor, action or target come out of the index already in page
order, and a page costs about 50 index entries however rare the value or deep the
page. Rare statuses (deactivated, awaiting approval, invited and not accepted) get
small partial indexes. On PostgreSQL, search by name, email or organisation is a
substring match on lower-cased text through pg_trgm GIN indexes (any script:
Thai, Khmer, Vietnamese); SQLite scans, which is quick at its scale.

The audit event's plain index on action becomes (action, id): it serves both the
action filter and the distinct list of actions (a loose index scan).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 16:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

TRIGRAM_COLUMNS = ("name", "email", "organisation")
INVITED = "invited_at IS NOT NULL AND accepted_at IS NULL"


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index('ix_users_role_id', ['role', 'id'], unique=False)
        batch_op.create_index('ix_users_sector_id', ['sector', 'id'], unique=False)
        batch_op.create_index('ix_users_country_id', ['country', 'id'], unique=False)
        batch_op.create_index('ix_users_not_active', ['id'], unique=False,
                              sqlite_where=sa.text("NOT active"),
                              postgresql_where=sa.text("NOT active"))
        batch_op.create_index('ix_users_invited', ['id'], unique=False,
                              sqlite_where=sa.text(INVITED),
                              postgresql_where=sa.text(INVITED))
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_action')
        batch_op.create_index('ix_audit_event_action_id', ['action', 'id'], unique=False)
        batch_op.create_index('ix_audit_event_actor_id_id', ['actor_id', 'id'], unique=False)
        batch_op.create_index('ix_audit_event_target', ['target_type', 'target_id', 'id'],
                              unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may add it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in TRIGRAM_COLUMNS:
            op.execute(f"CREATE INDEX ix_users_{column}_trgm ON users "
                       f"USING gin (lower({column}) gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for column in TRIGRAM_COLUMNS:
            op.execute(f"DROP INDEX ix_users_{column}_trgm")
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_target')
        batch_op.drop_index('ix_audit_event_actor_id_id')
        batch_op.drop_index('ix_audit_event_action_id')
        batch_op.create_index('ix_audit_event_action', ['action'], unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_invited', sqlite_where=sa.text(INVITED),
                            postgresql_where=sa.text(INVITED))
        batch_op.drop_index('ix_users_not_active', sqlite_where=sa.text("NOT active"),
                            postgresql_where=sa.text("NOT active"))
        batch_op.drop_index('ix_users_country_id')
        batch_op.drop_index('ix_users_sector_id')
        batch_op.drop_index('ix_users_role_id')
