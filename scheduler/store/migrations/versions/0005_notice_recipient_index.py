"""Escalations are found by recipient: a digest's "chasing" section looks them up for a batch of
people instead of walking every overdue task.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 06:30:00
"""

from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index('ix_notice_recipient', ['recipient', 'escalation', 'task_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index('ix_notice_recipient')
