"""SQLAlchemy models: unit, person, task, completion, event, audit, meta.

Instants are stored in UTC (:class:`UTCDateTime` refuses naive values and returns aware ones).
Indexes follow what the sweep filters — (state, opens_at), (state, due_soon_at), (state, due_at)
— so a tick costs what changes, not what is stored.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from scheduler.store.listing import LISTED_COLUMNS


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as naive UTC (portable across SQLite and PostgreSQL)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


class Base(DeclarativeBase):
    """Base of every table."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class UnitRow(Base):
    """A 党委, 党总支, 党支部 or 党小组."""

    __tablename__ = "unit"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[str | None] = mapped_column(String(64))
    term_start: Mapped[date | None] = mapped_column(Date)
    term_years: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(20), default="config")


class PersonRow(Base):
    """A member or applicant; people come from the config or from a roster import."""

    __tablename__ = "person"
    __table_args__ = (Index("ix_person_unit", "unit_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    roles: Mapped[list[Any]] = mapped_column(default=list)
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    joined: Mapped[date | None] = mapped_column(Date)
    probation_start: Mapped[date | None] = mapped_column(Date)
    applied_on: Mapped[date | None] = mapped_column(Date)
    activist_since: Mapped[date | None] = mapped_column(Date)
    dues_base: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    dues_fixed: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    mobile: Mapped[bool] = mapped_column(Boolean, default=False)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_units: Mapped[list[Any]] = mapped_column(default=list)
    logins: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")  # OS logins acting as this person
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(20), default="config")


class TaskRow(Base):
    """One occurrence of one rule for one unit (and person) in one period."""

    __tablename__ = "task"
    __table_args__ = (
        UniqueConstraint("rule_id", "unit_id", "person_id", "period_key", name="uq_task_natural"),
        Index("ix_task_state_opens", "state", "opens_at"),
        Index("ix_task_state_due_soon", "state", "due_soon_at"),
        # the sweep's (state, due_at), widened to what `zhibu list` shows: a listing of thousands
        # of tasks reads this index alone, in order, instead of a table page per task
        Index("ix_task_listed", *LISTED_COLUMNS),
        Index("ix_task_unit", "unit_id"),
        Index("ix_task_assignee", "assignee_id"),
        Index("ix_task_next_notice", "next_notice_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    rule_id: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[str] = mapped_column(String(64))
    # '' rather than NULL: NULLs are distinct under UNIQUE and would let duplicates in.
    person_id: Mapped[str] = mapped_column(String(64), default="")
    # a period (2026Q1), or a period and a stage (2026H1/支委会研究), or an event's day (2026-03-05#12)
    period_key: Mapped[str] = mapped_column(String(64))
    period_start: Mapped[date] = mapped_column(Date)
    # which stored reminder schedule the task follows: its period, or its own for tasks whose
    # date comes from a person's or unit's record
    schedule_key: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    opens_at: Mapped[datetime] = mapped_column()
    due_soon_at: Mapped[datetime] = mapped_column()
    due_at: Mapped[datetime] = mapped_column()
    due_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20))
    count_required: Mapped[int] = mapped_column(Integer, default=1)
    count_done: Mapped[int] = mapped_column(Integer, default=0)
    assignee_id: Mapped[str | None] = mapped_column(String(64))
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[datetime | None] = mapped_column()
    stage: Mapped[str | None] = mapped_column(String(64))
    parent_task_id: Mapped[int | None] = mapped_column(Integer)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    # The reminder schedule lives in ScheduleRow (one per rule and period); this is where the
    # task is in it. NULL when nothing is left to remind.
    next_notice_at: Mapped[datetime | None] = mapped_column()
    notice_index: Mapped[int] = mapped_column(Integer, default=0)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    acked_at: Mapped[datetime | None] = mapped_column()
    snoozed_until: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()


class CompletionRow(Base):
    """An append-only record on a task: a completion, a waiver, or the reversal of one.

    ``recorded_by`` is the operator (an OS login, as the kernel says), ``on_behalf_of`` the person
    it was recorded for (代录); ``recorded_at`` is the store's time, ``written_at`` the real time
    it was written. Rows are hash-chained (``prev_hash`` → ``hash``, :mod:`scheduler.store.chain`)
    and the store refuses to update or delete them."""

    __tablename__ = "completion"
    __table_args__ = (Index("ix_completion_task", "task_id"), Index("ix_completion_hash", "hash"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"))
    kind: Mapped[str] = mapped_column(String(20))  # done | waive | reversal
    reverses_id: Mapped[int | None] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column()
    happened_on: Mapped[date | None] = mapped_column(Date)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    expected: Mapped[int | None] = mapped_column(Integer)
    present: Mapped[int | None] = mapped_column(Integer)
    present_names: Mapped[list[Any]] = mapped_column(default=list)
    absent_names: Mapped[list[Any]] = mapped_column(default=list)
    quorum_met: Mapped[bool | None] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    on_behalf_of: Mapped[str | None] = mapped_column(String(100))
    written_at: Mapped[datetime | None] = mapped_column()
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class EventRow(Base):
    """A recorded fact that may trigger rules (hospitalization, job change, a problem found)."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[str | None] = mapped_column(String(64))
    unit_id: Mapped[str | None] = mapped_column(String(64))
    happened_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column()
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AuditRow(Base):
    """Every change by a person or the daemon: who, when, what, before and after; hash-chained
    and append-only like :class:`CompletionRow`."""

    __tablename__ = "audit"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"), Index("ix_audit_hash", "hash"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column()
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[str] = mapped_column(String(300))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    on_behalf_of: Mapped[str | None] = mapped_column(String(100))
    written_at: Mapped[datetime | None] = mapped_column()
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class ScheduleRow(Base):
    """The reminder plan and escalation ladder of one rule in one period, as steps with instants.

    Snapshotted when the period's tasks are created, so a later config change does not rewrite
    the reminders of tasks already open; shared by all the tasks of that rule and period.
    """

    __tablename__ = "schedule"

    rule_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    period_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    steps: Mapped[list[Any]] = mapped_column()


class NoticeRow(Base):
    """One reminder step that fired for one recipient; collected into that day's digest."""

    __tablename__ = "notice"
    __table_args__ = (
        UniqueConstraint("task_id", "step", "recipient", name="uq_notice"),
        Index("ix_notice_pending", "digest_day", "recipient"),
        # a digest's "chasing" section: the escalations that reached a batch of recipients
        Index("ix_notice_recipient", "recipient", "escalation", "task_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"))
    step: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(100))  # person:ID or channel:NAME
    escalation: Mapped[bool] = mapped_column(Boolean, default=False)
    fired_at: Mapped[datetime] = mapped_column()
    digest_day: Mapped[date | None] = mapped_column(Date)


class OutboxRow(Base):
    """One message to one recipient through one channel: queued → sending → sent | failed."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_recipient_day", "recipient", "day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # digest | urgent | test
    recipient: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(200))
    day: Mapped[date] = mapped_column(Date)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    body_markdown: Mapped[str] = mapped_column(Text)
    items: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column()
    claimed_at: Mapped[datetime | None] = mapped_column()
    claimed_by: Mapped[str | None] = mapped_column(String(100))  # host:pid of the sender
    sent_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column()


class MetaRow(Base):
    """Small key/value facts about the store: last sync, config fingerprint."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column()
