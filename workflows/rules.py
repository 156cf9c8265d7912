"""The rule model: one recurring obligation, built from the config with the org's defaults.

Shapes covered here: (1) once per period, due at the period's end or on a fixed day;
(2) at least N per period (a quota); (3) per person, one task for each selected member — or
for each leader of a contact branch (领导班子成员联系点).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from workflows.calendar import Anchor, RestDayPolicy
from workflows.config.rule_schema import RuleEntry
from workflows.config.schema import Config
from workflows.periods import PeriodKind
from workflows.reminders import Rung
from workflows.vocabulary import Status, UnitKind

Quorum = Literal["members", "committee"]


@dataclass(frozen=True)
class Stage:
    """One stage of a chain (shape 6)."""

    name: str
    owner: tuple[str, ...]
    within_days: int
    wait_days: int = 0
    entry: str | None = None


@dataclass(frozen=True)
class Rule:
    """A recurring obligation with every default resolved."""

    id: str
    alias: str
    title: str
    title_en: str
    every: PeriodKind
    unit_kinds: frozenset[UnitKind]
    unit_ids: frozenset[str] | None
    min_per_period: int
    per_person: bool
    person_status: frozenset[Status]
    person_roles: frozenset[str]
    due_day: int | None
    due_month: int | None
    due_weekday: int | None
    opens_before: timedelta | None
    due_soon: timedelta
    rest_day: RestDayPolicy
    owner: tuple[str, ...]
    escalate_to: tuple[str, ...]
    quorum: Quorum | None
    per_contact: bool = False
    per_pair: bool = False
    stages: tuple[Stage, ...] = ()
    person_mobile: bool | None = None
    anchor: Anchor | None = None
    anchor_offset: int = 0
    record_date: str | None = None
    after_months: int | None = None
    repeat: bool = False
    on_events: frozenset[str] = frozenset()
    within_days: int = 7
    collects_dues: bool = False
    needs_confirmation: bool = False
    remind: tuple[str, ...] = ("open", "7d", "1d", "due")
    ladder: tuple[Rung, ...] = ()
    urgent: bool = False

    def title_in(self, lang: str) -> str:
        """The title in ``lang`` (English falls back to the Chinese title)."""
        return self.title_en if lang == "en" and self.title_en else self.title


def rule_from_entry(rule_id: str, entry: RuleEntry, config: Config) -> Rule:
    """Resolve one ``[rules.ID]`` entry against the ``[org]`` defaults."""
    return Rule(
        id=rule_id,
        alias=entry.alias or rule_id,
        title=entry.title,
        title_en=entry.title_en or "",
        every=entry.every or PeriodKind.YEAR,  # an event rule's tasks are named by the event's day
        unit_kinds=frozenset(entry.unit_kinds),
        unit_ids=frozenset(entry.unit_ids) if entry.unit_ids is not None else None,
        min_per_period=entry.min_per_period,
        per_person=entry.per_person,
        person_status=frozenset(entry.person_status),
        person_roles=frozenset(entry.person_roles),
        due_day=entry.due_day,
        due_month=entry.due_month,
        due_weekday=entry.due_weekday,
        opens_before=entry.opens_before,
        due_soon=entry.due_soon or config.org.due_soon,
        rest_day=entry.deadline_on_rest_day or config.org.deadline_on_rest_day,
        owner=tuple(entry.owner),
        escalate_to=tuple(entry.escalate_to),
        quorum=entry.quorum,
        per_contact=entry.per_contact,
        per_pair=entry.per_pair,
        stages=tuple(Stage(s.name, tuple(s.owner), s.within_days, s.wait_days, s.entry) for s in entry.stages or ()),
        person_mobile=entry.person_mobile,
        anchor=entry.anchor,
        anchor_offset=entry.anchor_offset,
        record_date=entry.record_date,
        after_months=entry.after_months,
        repeat=entry.repeat,
        on_events=frozenset(entry.on_events or ()),
        within_days=entry.within_days,
        collects_dues=entry.collects_dues,
        needs_confirmation=entry.needs_confirmation,
        remind=tuple(entry.remind if entry.remind is not None else config.notify.remind),
        ladder=tuple(
            Rung(
                after=r.after,
                to=tuple(r.to),
                repeat_every=r.repeat_every,
                max_repeats=r.max_repeats,
                after_months=r.after_months,
            )
            for r in (entry.escalate if entry.escalate is not None else config.notify.escalate)
        ),
        urgent=entry.urgent,
    )


def rules_from_config(config: Config) -> list[Rule]:
    """Every enabled rule of the config, in file order."""
    return [rule_from_entry(rid, entry, config) for rid, entry in config.rules.items() if entry.enabled]
