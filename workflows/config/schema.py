"""The configuration schema: one source of truth for every key, its type, default and meaning.

``zhibu check`` validates against these models, the README's reference is generated from them
(a test keeps the two in step), and ``config.example.toml`` is validated by the same code.
Each field's description is bilingual: ``"中文 | English"``.
"""

from __future__ import annotations

import difflib
import re
from datetime import date, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.dataclasses import dataclass as pydantic_dataclass
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from workflows.calendar import ANCHOR_ALIASES, Anchor, RestDayPolicy
from workflows.config.essentials import DEFAULT_LOCALE, DEFAULT_STORE_URL, DEFAULT_TIMEZONE
from workflows.durations import parse_duration
from workflows.periods import PeriodKind
from workflows.vocabulary import (
    ROLE_ALIASES,
    STATUS_ALIASES,
    UNIT_KIND_ALIASES,
    Status,
    UnitKind,
    normalize_role,
    normalize_status,
    normalize_unit_kind,
)

ID_PATTERN = re.compile(r"^[A-Za-z0-9_.\-\u3400-\u9fff]+$")


def zhibu_error(key: str, **params: Any) -> PydanticCustomError:
    """A validation error carrying one of our message keys, rendered later in zh or en."""
    return PydanticCustomError("zhibu", key, {"key": key, **params})


def suggestion(value: str, choices: list[str]) -> str | None:
    """The closest choice to a mistyped ``value``, if any is close enough."""
    found = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return found[0] if found else None


def _ident(value: str) -> str:
    if not ID_PATTERN.match(value):
        raise zhibu_error("config.bad_id", value=value)
    return value


def _stage_name(value: str) -> str:
    if not value.strip() or "/" in value or len(value) > 40:
        raise zhibu_error("config.bad_stage_name", value=value)
    return value


def _clock_time(value: str) -> str:
    if not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", value):
        raise zhibu_error("config.bad_clock_time", value=value)
    return value


def _time_range(value: str) -> str:
    parts = value.split("-")
    if value and (len(parts) != 2 or not all(re.match(r"^([01]\d|2[0-3]):[0-5]\d$", p.strip()) for p in parts)):
        raise zhibu_error("config.bad_time_range", value=value)
    return value


def _remind_step(value: str) -> str:
    if value not in ("open", "due") and parse_duration(value) is None:
        raise zhibu_error("config.bad_remind_step", value=value)
    return value


def _duration(value: object) -> object:
    if isinstance(value, str):
        parsed = parse_duration(value)
        if parsed is None:
            raise zhibu_error("config.bad_duration", value=value)
        return parsed
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise zhibu_error("config.bad_timezone", value=value) from None
    return value


def _normalizer(table: dict[str, Any], key: str, field: str) -> Any:
    def normalize(value: object) -> object:
        if not isinstance(value, str):
            return value
        found = table.get(value.strip())
        if found is not None:
            return found
        raise zhibu_error(key, **{field: value}, suggestion=suggestion(value, list(table)))

    return normalize


def _role(value: str) -> str:
    role = normalize_role(value)
    if role is None:
        raise zhibu_error("config.unknown_role", role=value, suggestion=suggestion(value, list(ROLE_ALIASES)))
    return role


RECIPIENT_PATTERN = re.compile(
    r"^(?:(role):([^@\s]+)(@parent|@committee)?|(person):(\S+)|(self)|(owner)|(leader-of)(?::(\S+))?|(unit-channel))$"
)


def _recipients(value: object) -> object:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        return value
    normalized: list[object] = []
    for item in items:
        if not isinstance(item, str):
            normalized.append(item)
            continue
        spelled = item.strip()
        if spelled in ("role:party-committee-secretary", "role:党委书记"):
            spelled = "role:secretary@committee"  # the secretary of the 党委 above, as the issue spells it
        match = RECIPIENT_PATTERN.match(spelled)
        if not match:
            raise zhibu_error("config.bad_recipient", value=item)
        if match.group(1):
            role = _role(match.group(2))
            normalized.append(f"role:{role}{match.group(3) or ''}")
        elif match.group(8):
            normalized.append(f"leader-of:{match.group(9)}" if match.group(9) else "leader-of")
        else:
            normalized.append(spelled)
    return normalized


Ident = Annotated[str, AfterValidator(_ident)]
Duration = Annotated[timedelta, BeforeValidator(_duration)]
Timezone = Annotated[str, AfterValidator(_timezone)]
RoleId = Annotated[str, AfterValidator(_role)]
UnitKindField = Annotated[UnitKind, BeforeValidator(_normalizer(UNIT_KIND_ALIASES, "config.unknown_unit_kind", "kind"))]
StatusField = Annotated[Status, BeforeValidator(_normalizer(STATUS_ALIASES, "config.unknown_status", "status"))]
Recipients = Annotated[list[str], BeforeValidator(_recipients)]
AnchorField = Annotated[Anchor, BeforeValidator(_normalizer(ANCHOR_ALIASES, "config.unknown_anchor", "anchor"))]
ClockTime = Annotated[str, AfterValidator(_clock_time)]
StageName = Annotated[str, AfterValidator(_stage_name)]
TimeRange = Annotated[str, AfterValidator(_time_range)]
RemindStep = Annotated[str, AfterValidator(_remind_step)]

# Re-exported for the loader's typo suggestions and for the reference generator.
NORMALIZERS = {"role": normalize_role, "status": normalize_status, "kind": normalize_unit_kind}


def describe(zh: str, en: str, example: object = None) -> Any:
    """Field metadata: bilingual description plus an optional example for the reference."""
    extra: dict[str, Any] = {"zh": zh}
    if example is not None:
        extra["example"] = example
    return {"description": en, "json_schema_extra": extra}


def described(zh: str, en: str, example: object = None, **field: Any) -> Any:
    """A field with :func:`describe`'s metadata, spelt so that mypy's dataclass checks accept it."""
    return Field(**field, **describe(zh, en, example))


SECTION_CONFIG = ConfigDict(extra="forbid", validate_default=False)


class Section(BaseModel):
    """Base of every table: unknown keys are errors, never silently ignored."""

    model_config = SECTION_CONFIG


def schema_fields(owner: Any) -> dict[str, FieldInfo] | None:
    """The fields of a table's schema — a model, or the slotted dataclass of the people — or
    None when ``owner`` is not one."""
    if isinstance(owner, type) and issubclass(owner, BaseModel):
        return owner.model_fields
    fields = getattr(owner, "__pydantic_fields__", None) if isinstance(owner, type) else None
    return fields if isinstance(fields, dict) else None


class OrgSection(Section):
    """[org] — the organization as a whole."""

    name: str = Field(**describe("组织名称，出现在提醒和报表中", "Name shown in reminders and reports", "某局机关党委"))
    timezone: Timezone = Field(
        DEFAULT_TIMEZONE,
        **describe("计算周期、截止日期用的时区", "Zone in which periods and deadlines are computed"),
    )
    locale: Literal["zh", "en"] = Field(
        DEFAULT_LOCALE, **describe("界面语言：zh 或 en", "Language of messages: zh or en")
    )
    calendar: str = Field(
        "CN",
        **describe(
            "工作日历（holidays 包的国家代码，含调休）",
            "Working-day calendar (holidays country code, 调休 included)",
        ),
    )
    deadline_on_rest_day: RestDayPolicy = Field(
        RestDayPolicy.PREVIOUS,
        **describe(
            "截止日遇休息日时：keep 不变、previous 提前到上一个工作日、next 顺延",
            "A deadline on a rest day: keep, previous working day, or next working day",
        ),
    )
    due_soon: Duration = Field(
        timedelta(days=7),
        **describe("截止前多久算“临近截止”", "How long before the deadline a task is due soon", "7d"),
    )


class StoreSection(Section):
    """[store] — where tasks and records are kept."""

    url: str = Field(
        DEFAULT_STORE_URL,
        **describe(
            "数据库地址（SQLAlchemy URL）；SQLite 相对路径相对于配置文件所在目录",
            "Database URL (SQLAlchemy); a relative SQLite path is relative to the config file",
            "postgresql+psycopg://zhibu@/zhibu",
        ),
    )


class SyncSection(Section):
    """[sync] — how far ahead tasks are created."""

    horizon: int = Field(
        1,
        ge=0,
        le=12,
        **describe(
            "除当前周期外，提前生成几个周期的任务",
            "How many periods after the current one to create tasks for",
        ),
    )
    start: date | None = Field(
        None,
        **describe(
            "从哪天开始跟踪：截止日早于此日的任务不生成（默认为第一次同步的日期，之前的工作不算逾期）",
            "Track from this day: nothing due before it is created (default: the day of the first sync, "
            "so work due before zhibu was set up is not reported overdue)",
            "2026-01-01",
        ),
    )


class DaemonSection(Section):
    """[daemon] — the service started by ``zhibu run``."""

    tick_interval: Duration = Field(
        timedelta(minutes=5),
        **describe("多久检查一次", "How often the daemon runs a tick", "5m"),
    )


class LadderStep(Section):
    """One rung of an escalation ladder."""

    after: int = Field(0, ge=0, **describe("截止后第几个工作日", "Working days after the deadline", 3))
    after_months: int | None = Field(
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
    repeat_every: int | None = Field(
        None, ge=1, **describe("之后每隔几个工作日重复", "Repeat every this many working days")
    )
    max_repeats: int = Field(0, ge=0, le=52, **describe("最多重复几次", "At most this many repeats"))


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
    within_days: int = Field(
        14, ge=1, le=366, **describe("本阶段开始后几天内完成", "Days the stage may take once open")
    )
    wait_days: int = Field(
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


class NotifySection(Section):
    """[notify] — reminders: when, how often, through which channel."""

    digest_time: ClockTime = Field(
        "08:30", **describe("每日汇总提醒的发送时间", "Local time of the daily digest", "08:30")
    )
    digest_items: int = Field(
        20,
        ge=1,
        le=500,
        **describe(
            "每日汇总中每一类（已逾期、本周截止……）最多列出的条目数，其余给出数量和查看全部的 zhibu list 命令",
            "At most this many tasks per digest section (overdue, due this week, …); the rest are"
            " counted, with the zhibu list command that shows them all",
            20,
        ),
    )
    quiet_hours: TimeRange = Field(
        "21:00-08:00",
        **describe("免打扰时段（空字符串为不限）", "Quiet hours (empty: none)", "21:00-08:00"),
    )
    rest_days: bool = Field(
        True,
        **describe(
            "周末和法定节假日不发送（调休上班日照常）",
            "Hold messages on weekends and official holidays (调休 workdays count as working)",
        ),
    )
    email_channel: str | None = Field(
        None,
        **describe(
            "用于给个人发邮件的渠道名（[channels] 中的 mailto 地址），收件人取各人的 email",
            "Channel (in [channels]) used to email people; each person's email is the recipient",
            "mail",
        ),
    )
    templates_dir: str | None = Field(
        None,
        **describe(
            "自定义模板目录（覆盖同名的内置模板），相对于配置文件",
            "Folder of templates overriding the built-in ones, relative to the config",
        ),
    )
    remind: list[RemindStep] = Field(
        default_factory=lambda: ["open", "7d", "1d", "due"],
        **describe(
            "默认提醒时点：open 任务开始时、7d/1d 截止前、due 截止当天",
            "Default reminder plan: open, a duration before the deadline, due",
        ),
    )
    escalate: list[LadderStep] = Field(
        default_factory=_default_ladder,
        **describe("默认逾期上报阶梯", "Default escalation ladder for overdue work"),
    )
    max_attempts: int = Field(
        8, ge=1, le=100, **describe("发送失败最多重试几次", "Delivery attempts before a message is marked failed")
    )
    retry_after: Duration = Field(
        timedelta(minutes=1), **describe("首次重试间隔（之后翻倍）", "First retry delay (doubles each time)", "1m")
    )
    retry_cap: Duration = Field(timedelta(hours=6), **describe("重试间隔上限", "Longest retry delay", "6h"))


class ChannelEntry(Section):
    """[channels.NAME] — one way to reach people: an apprise URL."""

    url: str | None = Field(
        None,
        **describe(
            "apprise 地址，如 mailtos://、wecombot://、dingtalk://、feishu://、json://；密钥用 ${环境变量}",
            "apprise URL (mailtos://, wecombot://, dingtalk://, feishu://, json://); secrets via ${VAR}",
            "wecombot://${ZB1_WECOM_KEY}",
        ),
    )
    url_file: str | None = Field(
        None,
        **describe("从文件读取地址（如 systemd 凭据）", "Read the URL from this file (e.g. a systemd credential)"),
    )


class CatalogueSection(Section):
    """[catalogue] — which built-in obligations this organization keeps."""

    enable: Literal["all", "none"] | list[str] = Field(
        "none",
        **describe(
            "启用内置工作目录：all 全部、none 不用，或列出 id/简称；再用 [rules.ID] 覆盖其中的数字",
            "Built-in obligations to keep: all, none, or a list of ids/aliases; [rules.ID] overrides their keys",
            "all",
        ),
    )
    disable: list[str] = Field(
        default_factory=list, **describe("不启用的内置工作（id 或简称）", "Built-in obligations left out", ["政治生日"])
    )


class ExportSection(Section):
    """[export] — files zhibu keeps up to date for other programs."""

    ics_path: str | None = Field(
        None,
        **describe(
            "每次检查后（有变化时）重写的日历文件（iCalendar，相对于本配置文件），手机日历可订阅",
            "An iCalendar file of the open tasks rewritten after a tick when anything changed "
            "(relative to this config); phone calendars can subscribe to it",
            "/var/lib/zhibu/zhibu.ics",
        ),
    )


class RosterSection(Section):
    """[roster] — the 花名册 files read with the config, with the Chinese headers branches keep."""

    files: list[str] = Field(
        default_factory=list,
        **describe(
            "花名册文件（CSV 或 XLSX，相对于本配置文件），每次读取配置时读入；与 [[people]] 合并",
            "Roster files (CSV or XLSX, relative to this config) read with it; added to [[people]]",
            ["examples/roster.csv"],
        ),
    )


class UnitEntry(Section):
    """[[units]] — one 党委, 党总支, 党支部 or 党小组."""

    id: Ident = Field(**describe("简短的唯一编号，用在任务编号中", "Short unique id, used in task keys", "zb1"))
    name: str = Field(**describe("组织全称", "Full name", "第一党支部"))
    kind: UnitKindField = Field(
        **describe(
            "类型：committee 党委、general_branch 党总支、branch 党支部、group 党小组",
            "Kind: committee, general_branch, branch or group",
            "branch",
        )
    )
    parent: Ident | None = Field(
        None, **describe("上级组织的 id（最上级不填）", "Id of the parent unit (none at the top)", "jgdw")
    )
    channel: str | None = Field(
        None,
        **describe("本组织的群机器人渠道名", "Name of the unit's group channel (a WeCom/DingTalk bot)", "zb1-wecom"),
    )
    term_start: date | None = Field(None, **describe("本届委员会任期开始日期", "Start of the committee's current term"))
    term_years: int | None = Field(
        None,
        ge=1,
        le=10,
        **describe("任期年数（默认党委 5 年、其他 3 年）", "Term in years (default: committee 5, others 3)"),
    )


# A validated dataclass with slots, not a model: a province holds 500,000 people, and a model
# instance takes three times the memory (its own __dict__ and set of the fields given).
@pydantic_dataclass(slots=True, config=SECTION_CONFIG)
class PersonEntry:
    """[[people]] — a member or applicant (large rosters are imported instead)."""

    id: Ident = described("唯一编号（如工号或拼音）", "Unique id (staff number or pinyin)", "zhangsan")
    name: str = described("姓名", "Name", "张三")
    unit: Ident = described("所在组织的 id", "Id of the person's unit", "zb1")
    status: StatusField = described(
        "人员类别：full 正式党员、probationary 预备党员、activist 积极分子、target 发展对象、applicant 申请人",
        "Status: full, probationary, activist, target or applicant",
        default=Status.FULL,
    )
    roles: list[RoleId] = described(
        "在本组织中的职务，如 书记、组织委员", "Roles in the unit, e.g. secretary", ["书记"], default_factory=list
    )
    email: str | None = described("电子邮箱", "Email address", default=None)
    phone: str | None = described("手机号", "Mobile phone", default=None)
    joined: date | None = described("入党日期", "Date of joining the Party", default=None)
    probation_start: date | None = described("预备期开始日期", "Start of the probation year", default=None)
    applied_on: date | None = described("递交入党申请书日期", "Date of the application to join", default=None)
    activist_since: date | None = described("确定为入党积极分子的日期", "Date of becoming an activist", default=None)
    dues_base: float | None = described(
        "党费缴纳基数（元/月，税后收入或离退休费）", "Monthly base for dues (yuan, after tax)", 6800, default=None, ge=0
    )
    dues_fixed: float | None = described(
        "固定党费（元/月，学生、未就业等）",
        "A fixed monthly amount (students, the unemployed…)",
        0.2,
        default=None,
        ge=0,
    )
    channels: list[str] = described(
        "个人的其他提醒渠道名", "Further channels that reach this person", default_factory=list
    )
    quiet_hours: TimeRange | None = described(
        "个人的免打扰时段（覆盖 [notify]）", "Personal quiet hours (override [notify])", default=None
    )
    contact_units: list[Ident] = described(
        "领导班子成员的联系支部", "Contact branches of a leadership member", ["zb1"], default_factory=list
    )
    mobile: bool = described("是否流动党员", "Works elsewhere (流动党员)", default=False)
    retired: bool = described("是否离退休", "Retired", default=False)


class RuleEntry(Section):
    """[rules.ID] — one recurring obligation."""

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
    within_days: int = Field(
        7, ge=0, le=366, **describe("事件发生后几天内完成", "Days after the event within which it is due")
    )
    unit_kinds: list[UnitKindField] = Field(
        default_factory=lambda: [UnitKind.BRANCH],
        **describe("适用的组织类型", "Kinds of unit the rule applies to", ["branch"]),
    )
    unit_ids: list[Ident] | None = Field(
        None, **describe("只适用于这些组织（不填则按类型）", "Only these units (default: by kind)")
    )
    min_per_period: int = Field(
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
    due_day: int | None = Field(
        None,
        ge=1,
        le=31,
        **describe(
            "截止于当月第几日（超过月末按月末计）；不填则为周期最后一天",
            "Due on this day of the month (clamped to the month's end); default: the period's last day",
            15,
        ),
    )
    due_month: int | None = Field(
        None,
        ge=1,
        le=12,
        **describe(
            "季度/半年/年度规则截止于周期中的第几个月（默认最后一个月）",
            "For quarter/half/year rules: which month of the period (default: the last)",
        ),
    )
    due_weekday: int | None = Field(
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
    anchor_offset: int = Field(
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
    after_months: int | None = Field(
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


class Config(Section):
    """The whole configuration file."""

    org: OrgSection = Field(**describe("组织基本信息", "The organization"))
    store: StoreSection = Field(default_factory=StoreSection, **describe("数据库", "Storage"))
    sync: SyncSection = Field(default_factory=SyncSection, **describe("任务生成", "Task creation"))
    daemon: DaemonSection = Field(default_factory=DaemonSection, **describe("后台服务", "The daemon"))
    catalogue: CatalogueSection = Field(
        default_factory=CatalogueSection, **describe("内置工作目录", "The built-in catalogue")
    )
    notify: NotifySection = Field(default_factory=NotifySection, **describe("提醒", "Reminders"))
    channels: dict[str, ChannelEntry] = Field(default_factory=dict, **describe("提醒渠道", "Channels (apprise URLs)"))
    roster: RosterSection = Field(default_factory=RosterSection, **describe("花名册文件", "Roster files"))
    export: ExportSection = Field(default_factory=ExportSection, **describe("导出文件", "Exported files"))
    units: list[UnitEntry] = Field(**describe("组织树", "The unit tree"))
    people: list[PersonEntry] = Field(
        default_factory=list, **describe("人员（少量时可直接写在配置中）", "People (small orgs)")
    )
    rules: dict[Ident, RuleEntry] = Field(
        default_factory=dict, **describe("规则（各项工作）", "Rules (the obligations)")
    )
