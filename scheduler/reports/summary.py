"""The 党建工作汇报 draft: a half-year's or a year's report written from the records.

``zhibu report --summary --period 2027H1 [--unit jgdw] -o 汇报.docx`` (or ``.md``). The facts come
from the same :class:`~scheduler.reports.build.Report` that ``zhibu report`` prints — every figure
of the draft is one of its counts — and the wording from one jinja2 template per section
(``summary/<lang>/<section>.md``, in the package or in the org's ``[notify] templates_dir``).
What only people can write is left as a marked placeholder (【请补充：…】).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.app import App
from scheduler.reports.build import LATE, MISSING, ON_TIME, OUTCOMES, PENDING, WAIVED_OUTCOME, Report
from scheduler.store.models import PersonRow
from workflows.i18n import Lang

SECTIONS = ("organization", "meetings", "education", "dues", "admission", "contacts", "shortcomings", "plans")
MEETINGS = ("member_meeting", "committee_meeting", "group_meeting", "party_lecture", "committee_lecture", "theme_day")
LIFE = ("life_meeting", "member_review")
TALKS = ("heart_talk", "five_talks", "five_visits", "mobile_contact", "spring_visits", "volunteering")
CONTACTS = ("leader_visits", "rectification")
PLANS = ("annual_plan", "responsibility_letter")
KNOWN = {*MEETINGS, *LIFE, *TALKS, *CONTACTS, *PLANS, "dues", "model_post", "party_admission"}


@dataclass
class Obligation:
    """One obligation's figures over the draft's units and period (the report's counts)."""

    rule_id: str
    title: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    present: int = 0  # attendance summed over the records that give it
    expected: int = 0
    amount: Decimal = Decimal(0)
    stages: Counter[str] = field(default_factory=Counter)  # a chain's stages done, by name

    @property
    def required(self) -> int:
        return sum(self.counts.values())

    @property
    def held(self) -> int:
        """Done, on time or late."""
        return self.counts[ON_TIME] + self.counts[LATE]

    @property
    def late(self) -> int:
        return self.counts[LATE]

    @property
    def waived(self) -> int:
        return self.counts[WAIVED_OUTCOME]

    @property
    def missing(self) -> int:
        return self.counts[MISSING]

    @property
    def pending(self) -> int:
        return self.counts[PENDING]

    @property
    def attendance(self) -> int | None:
        """Average attendance in percent, where the records say who was present."""
        return round(100 * self.present / self.expected) if self.expected else None


@dataclass
class Facts:
    """What the templates are given."""

    org: str
    unit: str  # the unit's name (the org's for all units)
    is_branch: bool
    period: str
    branches: int
    members: Counter[str]
    obligations: dict[str, Obligation]
    dues_rules: list[str]
    lang: Lang = "zh"

    @property
    def when(self) -> str:
        """The period in words: 2026年上半年, the first half of 2026."""
        label = self.period
        year, _, part = label.partition("H") if "H" in label else label.partition("Q")
        if not year.isdigit() or (part and not part.isdigit()):
            return label
        if self.lang == "zh":
            if not part:
                return f"{year}年"
            halves = {"1": "上半年", "2": "下半年"}
            return f"{year}年{halves[part]}" if "H" in label else f"{year}年第{'一二三四'[int(part) - 1]}季度"
        if not part:
            return year
        return f"the {'first' if part == '1' else 'second'} half of {year}" if "H" in label else f"Q{part} {year}"

    def ob(self, rule_id: str) -> Obligation | None:
        """The obligation ``rule_id``, None when the period asked nothing of it."""
        found = self.obligations.get(rule_id)
        return found if found is not None and found.required else None

    def dues(self) -> list[Obligation]:
        return [o for r in self.dues_rules if (o := self.ob(r)) is not None]

    def education(self) -> list[Obligation]:
        """Talks, visits and volunteering, then the obligations no other section speaks of."""
        talks = [o for r in TALKS if (o := self.ob(r)) is not None]
        others = [o for r, o in self.obligations.items() if r not in KNOWN and r not in self.dues_rules and o.required]
        return talks + others

    def shortfalls(self) -> list[Obligation]:
        """Obligations with work missing or done late, most missing first."""
        found = [o for o in self.obligations.values() if o.missing or o.late]
        return sorted(found, key=lambda o: (-o.missing, -o.late, o.title))


@dataclass
class Draft:
    """The draft: a title, then sections of paragraphs."""

    title: str
    sections: list[tuple[str, list[str]]]

    def markdown(self) -> str:
        """The draft as Markdown (typed names escaped)."""
        from notifiers.escape import markdown_text

        lines = [f"# {markdown_text(self.title)}", ""]
        for heading, paragraphs in self.sections:
            if heading:
                lines += [f"## {markdown_text(heading)}", ""]
            for paragraph in paragraphs:
                lines += [markdown_text(paragraph), ""]
        return "\n".join(lines)


def _members(session: Session, unit_ids: list[str]) -> Counter[str]:
    query = select(PersonRow.status, func.count()).where(PersonRow.active.is_(True), PersonRow.unit_id.in_(unit_ids))
    return Counter({status: int(count) for status, count in session.execute(query.group_by(PersonRow.status))})


def facts_of(session: Session, app: App, report: Report, org: str, lang: Lang = "zh") -> Facts:
    """The figures of ``report`` as the templates use them."""
    obligations: dict[str, Obligation] = {}
    chains = {rule.id for rule in app.rules if rule.stages}
    for line in report.lines:
        ob = obligations.get(line.rule_id)
        if ob is None:
            ob = obligations[line.rule_id] = Obligation(line.rule_id, line.title)
        ob.counts[line.outcome] += 1
        if line.outcome in (ON_TIME, LATE):
            if line.rule_id in chains:  # a chain's stage: the last part of its period key
                ob.stages[line.period_key.rpartition("/")[2]] += 1
            for record in line.records:
                if record.expected and record.present is not None:
                    ob.present += record.present
                    ob.expected += record.expected
                if record.amount is not None:
                    ob.amount += record.amount
    root = next((u for u in report.units if u[0] == report.root), None)
    kinds = Counter(kind for _, _, _, kind in report.units)
    dues_rules = [r.id for r in app.rules if r.collects_dues]
    return Facts(
        org=org,
        unit=root[1] if root else org,
        is_branch=bool(root and root[3] == "branch"),
        period=report.span.label,
        branches=kinds["branch"],
        members=_members(session, [u for u, _, _, _ in report.units]),
        obligations=obligations,
        dues_rules=dues_rules,
        lang=lang,
    )


@cache
def _environment(templates_dir: Path | None) -> Environment:
    """The summary's templates, the config's folder first; one per folder for the process's life."""
    loaders: list[Any] = []
    if templates_dir is not None:
        loaders.append(FileSystemLoader(str(templates_dir)))
    loaders.append(PackageLoader("scheduler.reports", "templates"))
    return Environment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # plain text: escaped for its medium when written (Markdown; Word runs are text)
        extensions=["jinja2.ext.do"],
    )


def draft(session: Session, app: App, report: Report, lang: Lang) -> Draft:
    """The draft of ``report`` in ``lang``."""
    facts = facts_of(session, app, report, app.loaded.config.org.name, lang)
    env = _environment(app.templates_dir)
    sections = []
    for name in ("title", *SECTIONS):
        text = env.get_template(f"summary/{lang}/{name}.md").render(f=facts)
        heading, _, body = text.strip().partition("\n")
        glue = "" if lang == "zh" else " "  # a line break inside a paragraph: no space in Chinese
        paragraphs = [glue.join(part.strip() for part in p.split("\n")) for p in body.split("\n\n") if p.strip()]
        sections.append((heading.strip(), paragraphs))
    (title, intro), rest = sections[0], sections[1:]
    return Draft(title=title, sections=[("", intro), *rest])
