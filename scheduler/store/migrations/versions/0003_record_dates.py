"""Record dates (application, activist, term) and dues bases; a schedule key per task.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 17:32:25.339791
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('applied_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('activist_since', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('dues_base', sa.Numeric(precision=12, scale=2), nullable=True))
        batch_op.add_column(sa.Column('dues_fixed', sa.Numeric(precision=12, scale=2), nullable=True))

    with op.batch_alter_table('schedule', schema=None) as batch_op:
        batch_op.alter_column('period_key',
               existing_type=sa.VARCHAR(length=20),
               type_=sa.String(length=200),
               existing_nullable=False)

    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('schedule_key', sa.String(length=200), nullable=True))
        batch_op.alter_column('period_key', existing_type=sa.VARCHAR(length=20), type_=sa.String(length=64), existing_nullable=False)

    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('term_start', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('term_years', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_column('term_years')
        batch_op.drop_column('term_start')

    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.alter_column('period_key', existing_type=sa.String(length=64), type_=sa.VARCHAR(length=20), existing_nullable=False)
        batch_op.drop_column('schedule_key')

    with op.batch_alter_table('schedule', schema=None) as batch_op:
        batch_op.alter_column('period_key',
               existing_type=sa.String(length=200),
               type_=sa.VARCHAR(length=20),
               existing_nullable=False)

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('dues_fixed')
        batch_op.drop_column('dues_base')
        batch_op.drop_column('activist_since')
        batch_op.drop_column('applied_on')

