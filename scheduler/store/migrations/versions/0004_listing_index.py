"""The listing reads its rows from one index: (state, due_at) widened to the columns a table shows.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 00:20:00
"""

from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

LISTED = ['state', 'due_at', 'id', 'key', 'title', 'due_on', 'late', 'count_done', 'count_required', 'assignee_id']


def upgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_state_due')
        batch_op.create_index('ix_task_listed', LISTED, unique=False)


def downgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_listed')
        batch_op.create_index('ix_task_state_due', ['state', 'due_at'], unique=False)
