"""The schema of one rule (an obligation): its cadence, scope, owner, reminders, escalation ladder
and stages."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictInt, model_validator

from workflows.calendar import RestDayPolicy
from workflows.config.fields import (
    AnchorField,
    Duration,
    Ident,
    Recipients,
    RemindStep,
    RoleId,
    Section,
    StageName,
    StatusField,
    UnitKindField,
    describe,
    zhibu_error,
)
from workflows.periods import PeriodKind
from workflows.vocabulary import (
    Status,
    UnitKind,
)


class LadderStep(Section):
    """One rung of an escalation ladder."""

    after: StrictInt = Field(0, ge=0, **describe("截止后第几个工作日", "Working days after the deadline", 3))
    after_months: StrictInt | None = Field(
        None,
        ge=1,
        le=24,
        **describe(
            "截止后几个月（如党费欠缴 3 个月、6 个月），到时遇休息日顺延到工作日；填了就不看 after",
            "Months after the deadline instead of working days (dues unpaid 3 or 6 months)",
            3,
        ),
    )
    to: Recipients = Field(
        **describe(
            "通知谁：owner 责任人、role:书记@parent 上级书记、role:书记@committee 党委书记、person:ID、leader-of 联系领导、unit-channel 本组织群",
            "Who is told: owner, role:ROLE[@parent|@committee], person:ID, leader-of, unit-channel",
            ["role:书记@parent"],
        )
    )
    repeat_every: StrictInt | None = Field(
        None, ge=1, **describe("之后每隔几个工作日重复", "Repeat every this many working days")
    )
    max_repeats: StrictInt = Field(0, ge=0, le=52, **describe("最多重复几次", "At most this many repeats"))


def _default_ladder() -> list[LadderStep]:
    return [
        LadderStep(after=1, to=["owner"]),
        LadderStep(after=3, to=["owner", "role:secretary@parent"]),
        LadderStep(after=7, to=["role:secretary@committee"], repeat_every=5, max_repeats=4),
    ]


class StageEntry(Section):
    """One stage of a chain: its name, owner and how long it may take."""

    name: StageName = Field(
        **describe("阶段名称（出现在任务编号中）", "Stage name (part of the task key)", "支委会研究")
    )
    owner: Recipients = Field(
        default_factory=lambda: ["role:secretary"],
        **describe("本阶段负责人", "Owner of this stage", ["role:书记@parent"]),
    )
    within_days: StrictInt = Field(
        14, ge=1, le=366, **describe("本阶段开始后几天内完成", "Days the stage may take once open")
    )
    wait_days: StrictInt = Field(
        0,
        ge=0,
        le=3660,
        **describe(
            "最短间隔：上一阶段完成之日起满几天才能开始本阶段（如积极分子考察一年以上）",
            "Minimum interval: days after the previous stage was done before this one may start",
            365,
        ),
    )
    entry: Literal["applicant", "activist", "probationary"] | None = Field(
        None,
        **describe(
            "按人办理的链条（发展党员）：该类别的人员从本阶段进入，按其档案日期（申请、确定积极分子、预备期开始）计算",
            "Person chains (发展党员): people of this status join the chain at this stage, counted from their record date",
            "activist",
        ),
    )


class RuleEntry(Section):
    """[rules.ID] — one recurring obligation."""

    @model_validator(mode="after")
    def _coherent(self) -> RuleEntry:
        """Shapes that cannot go together, and chains that could not run."""
        if sum((self.per_person, self.per_pair, self.per_contact)) > 1:
            raise zhibu_error("config.one_selector")
        if self.stages is not None:
            if not self.stages:
                raise zhibu_error("config.empty_stages")
            names = [stage.name for stage in self.stages]
            repeated = sorted({name for name in names if names.count(name) > 1})
            if repeated:
                raise zhibu_error("config.duplicate_stage", names="、".join(repeated))
        return self

    alias: str | None = Field(
        None,
        **describe(
            "任务编号中的简称（默认为规则 id），如 支委会",
            "Short name used in task keys (defaults to the rule id)",
            "支委会",
        ),
    )
    title: str = Field(**describe("名称", "Title", "支部委员会会议"))
    title_en: str | None = Field(None, **describe("英文名称", "English title"))
    every: PeriodKind | None = Field(
        None,
        **describe(
            "周期：week、month、quarter、half、year（由事件触发的规则不填）",
            "Period: week, month, quarter, half or year (required unless on_events is given)",
            "month",
        ),
    )
    on_events: list[str] | None = Field(
        None,
        **describe(
            "由这些事件触发（zhibu event add 种类），如 住院、工作变动；每次事件生成一项任务",
            "Triggered by these event kinds (zhibu event add KIND); one task per event",
            ["hospitalized", "bereavement"],
        ),
    )
    within_days: StrictInt = Field(
        7, ge=0, le=366, **describe("事件发生后几天内完成", "Days after the event within which it is due")
    )
    unit_kinds: list[UnitKindField] = Field(
        default_factory=lambda: [UnitKind.BRANCH],
        **describe("适用的组织类型", "Kinds of unit the rule applies to", ["branch"]),
    )
    unit_ids: list[Ident] | None = Field(
        None, **describe("只适用于这些组织（不填则按类型）", "Only these units (default: by kind)")
    )
    min_per_period: StrictInt = Field(
        1,
        ge=1,
        **describe("每个周期至少完成几次（配额）", "How many completions each period needs (a quota)"),
    )
    per_person: bool = Field(False, **describe("为每名符合条件的人员各生成一项任务", "One task per selected person"))
    person_status: list[StatusField] = Field(
        default_factory=lambda: [Status.FULL, Status.PROBATIONARY],
        **describe("按人生成时选哪些类别的人员", "Statuses selected by a per-person rule"),
    )
    person_roles: list[RoleId] = Field(
        default_factory=list,
        **describe(
            "按人生成时只选有这些职务的人（不填则不限）",
            "Only people with one of these roles (default: anyone)",
        ),
    )
    person_mobile: bool | None = Field(
        None,
        **describe(
            "按人生成时只选流动党员（true）或只选非流动党员（false）",
            "Only mobile members (true) or only the others (false)",
        ),
    )
    stages: list[StageEntry] | None = Field(
        None,
        **describe(
            "分阶段办理：每个阶段在上一阶段完成后开始，各有负责人和期限，可退回上一阶段",
            "A chain: each stage opens when the previous one is done, with its own owner and deadline",
        ),
    )
    per_pair: bool = Field(
        False,
        **describe(
            "为每名支委与本支部每名党员各生成一项（谈心谈话），由该支委负责",
            "One task per committee member and branch member (谈心谈话), owned by the committee member",
        ),
    )
    per_contact: bool = Field(
        False,
        **describe(
            "为每个联系点各生成一项：每名领导班子成员 × 其每个联系支部",
            "One task per leader and contact branch (联系点)",
        ),
    )
    due_day: StrictInt | None = Field(
        None,
        ge=1,
        le=31,
        **describe(
            "截止于当月第几日（超过月末按月末计）；不填则为周期最后一天",
            "Due on this day of the month (clamped to the month's end); default: the period's last day",
            15,
        ),
    )
    due_month: StrictInt | None = Field(
        None,
        ge=1,
        le=12,
        **describe(
            "季度/半年/年度规则截止于周期中的第几个月（默认最后一个月）",
            "For quarter/half/year rules: which month of the period (default: the last)",
        ),
    )
    due_weekday: StrictInt | None = Field(
        None,
        ge=1,
        le=7,
        **describe("按周规则截止于周几（1=周一）", "Weekly rules: due weekday (1=Monday)", 4),
    )
    anchor: AnchorField | None = Field(
        None,
        **describe(
            '按节日定截止日（every = "year"）：春节、除夕、清明、七一、国庆（农历节日按当年日期）',
            'Due relative to a holiday (with every = "year"): spring_festival, new_year_eve, qingming, party_founding, national_day',
            "除夕",
        ),
    )
    anchor_offset: StrictInt = Field(
        0,
        ge=-366,
        le=366,
        **describe("相对节日的天数（负数为节前）", "Days after the anchor (negative: before it)", -1),
    )
    record_date: Literal["joined", "probation_start", "applied_on", "activist_since", "term_start"] | None = Field(
        None,
        **describe(
            "按人员或组织档案中的日期定截止日：joined 入党、probation_start 预备期开始、applied_on 申请、activist_since 积极分子、term_start 任期开始",
            "Due relative to a date in the person's or unit's record",
        ),
    )
    after_months: StrictInt | None = Field(
        None,
        ge=1,
        le=600,
        **describe(
            "档案日期之后几个月到期（换届默认取任期年数）",
            "Months after the record date (a term: the unit's term_years)",
            12,
        ),
    )
    repeat: bool = Field(
        False, **describe("之后每隔 after_months 重复（如政治生日、积极分子考察）", "Repeat every after_months")
    )
    opens_before: Duration | None = Field(
        None,
        **describe(
            "截止前多久开始（默认周期开始即开始）",
            "Open this long before the deadline (default: when the period starts)",
        ),
    )
    due_soon: Duration | None = Field(None, **describe("覆盖 [org] due_soon", "Overrides [org] due_soon"))
    deadline_on_rest_day: RestDayPolicy | None = Field(
        None, **describe("覆盖 [org] deadline_on_rest_day", "Overrides [org] deadline_on_rest_day")
    )
    owner: Recipients = Field(
        default_factory=lambda: ["role:secretary"],
        **describe(
            "责任人，按顺序取第一个找到的：role:书记、role:书记@parent、person:ID、self",
            "Owner, first match wins: role:ROLE, role:ROLE@parent, person:ID, self",
            ["role:书记"],
        ),
    )
    escalate_to: Recipients = Field(
        default_factory=list,
        **describe("逾期后上报给谁", "Who is told when it is overdue", ["role:书记@parent"]),
    )
    quorum: Literal["members", "committee"] | None = Field(
        None,
        **describe(
            "登记完成时核对法定人数：members 有表决权的党员过半、committee 委员过半",
            "Quorum checked on completion: members (voting members) or committee",
        ),
    )
    remind: list[RemindStep] | None = Field(
        None, **describe("覆盖 [notify] remind", "Overrides [notify] remind", ["open", "3d", "due"])
    )
    escalate: list[LadderStep] | None = Field(
        None, **describe("覆盖 [notify] escalate（空列表为不上报）", "Overrides [notify] escalate ([] for none)")
    )
    urgent: bool = Field(
        False,
        **describe(
            "紧急：提醒立即逐条发送，不等每日汇总，不受免打扰限制",
            "Urgent: reminders go out at once, not in the digest, even in quiet hours",
        ),
    )
    needs_confirmation: bool = Field(
        False,
        **describe(
            "完成需附证据，并由发现人 zhibu confirm 确认后才销号（整改）",
            "Closed only with evidence and then the finder's zhibu confirm (整改, 问题消号)",
        ),
    )
    collects_dues: bool = Field(
        False,
        **describe(
            "这是党费任务：登记时核对 --amount 与按基数计算的应缴额",
            "A dues rule: done --amount is checked against the amount due",
        ),
    )
    enabled: bool = Field(True, **describe("是否启用", "Whether the rule is active"))
    source: str | None = Field(
        None, **describe("依据（条例条款）", "Where the obligation comes from", "支部工作条例 第十二条")
    )
