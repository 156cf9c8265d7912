"""Trust: people carry their OS logins; completion and audit rows carry the real time they were
written, whom they were recorded for (代录) and their place in a hash chain, computed here for
the rows already stored; then triggers make both tables append-only.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 10:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from scheduler.store.chain import AUDIT_FIELDS, COMPLETION_FIELDS, GENESIS, link

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

TABLES = {'audit': AUDIT_FIELDS, 'completion': COMPLETION_FIELDS}
JSON_FIELDS = {'before', 'after', 'present_names', 'absent_names', 'attachments', 'data'}


def _seal_existing(table: str, fields: tuple) -> None:
    """Chain the rows stored before this revision, in id order."""
    from scheduler.store.models import AuditRow, CompletionRow  # the ORM types read values as the code does

    model = {'audit': AuditRow, 'completion': CompletionRow}[table]
    connection = op.get_bind()
    session = Session(bind=connection)
    previous, last = GENESIS, 0
    while True:
        rows = session.execute(
            sa.select(model.id, *(getattr(model, name) for name in fields)).where(model.id > last).order_by(model.id).limit(2000)
        ).all()
        if not rows:
            break
        for row in rows:
            digest = link(previous, row._asdict(), fields)
            connection.execute(
                sa.text(f'UPDATE {table} SET prev_hash = :prev, hash = :hash WHERE id = :id'),
                {'prev': previous, 'hash': digest, 'id': row.id},
            )
            previous, last = digest, row.id


def upgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('logins', sa.JSON(), nullable=False, server_default='[]'))
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('on_behalf_of', sa.String(length=100), nullable=True))
            batch_op.add_column(sa.Column('written_at', sa.DateTime(), nullable=True))
            batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
            batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
            batch_op.create_index(f'ix_{table}_hash', ['hash'], unique=False)
    for table, fields in TABLES.items():
        _seal_existing(table, fields)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "CREATE FUNCTION zhibu_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'zhibu: % is append-only: rows may be added, never changed or removed', TG_TABLE_NAME; "
            "END $$ LANGUAGE plpgsql"
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION zhibu_append_only()"
            )
    else:
        for table in TABLES:
            for verb in ('UPDATE', 'DELETE'):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} BEGIN "
                    f"SELECT RAISE(ABORT, 'zhibu: {table} is append-only: rows may be added, never changed or removed'); END"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table in TABLES:
            op.execute(f'DROP TRIGGER IF EXISTS {table}_append_only ON {table}')
        op.execute('DROP FUNCTION IF EXISTS zhibu_append_only()')
    else:
        for table in TABLES:
            for verb in ('update', 'delete'):
                op.execute(f'DROP TRIGGER IF EXISTS {table}_no_{verb}')
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_hash')
            for column in ('hash', 'prev_hash', 'written_at', 'on_behalf_of'):
                batch_op.drop_column(column)
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('logins')
