"""Reminders: the schedule snapshot per rule and period, notices, the outbox.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 16:34:11.316774
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('recipient', sa.String(length=100), nullable=False),
    sa.Column('channel', sa.String(length=100), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('body_markdown', sa.Text(), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('claimed_by', sa.String(length=100), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_outbox_recipient_day', ['recipient', 'day'], unique=False)

    op.create_table('schedule',
    sa.Column('rule_id', sa.String(length=64), nullable=False),
    sa.Column('period_key', sa.String(length=20), nullable=False),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('rule_id', 'period_key')
    )
    op.create_table('notice',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=40), nullable=False),
    sa.Column('recipient', sa.String(length=100), nullable=False),
    sa.Column('escalation', sa.Boolean(), nullable=False),
    sa.Column('fired_at', sa.DateTime(), nullable=False),
    sa.Column('digest_day', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('task_id', 'step', 'recipient', name='uq_notice')
    )
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index('ix_notice_pending', ['digest_day', 'recipient'], unique=False)

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_units', sa.JSON(), nullable=False, server_default='[]'))

    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_notice_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('notice_index', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('urgent', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index('ix_task_next_notice', ['next_notice_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_next_notice')
        batch_op.drop_column('urgent')
        batch_op.drop_column('notice_index')
        batch_op.drop_column('next_notice_at')

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('contact_units')

    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index('ix_notice_pending')

    op.drop_table('notice')
    op.drop_table('schedule')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_recipient_day')
        batch_op.drop_index('ix_outbox_due')

    op.drop_table('outbox')
