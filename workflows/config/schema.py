"""The configuration schema: one source of truth for every key, its type, default and meaning.

``zhibu check`` validates against these models, the README's reference is generated from them
(a test keeps the two in step), and ``config.example.toml`` is validated by the same code.
Each field's description is bilingual: ``"中文 | English"``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from pydantic import Field
from pydantic.dataclasses import dataclass as pydantic_dataclass

from workflows.calendar import RestDayPolicy
from workflows.config.essentials import DEFAULT_LOCALE, DEFAULT_STORE_URL, DEFAULT_TIMEZONE
from workflows.config.fields import (
    SECTION_CONFIG,
    Duration,
    Ident,
    Logins,
    RoleId,
    Section,
    StatusField,
    TimeRange,
    Timezone,
    UnitKindField,
    describe,
    described,
)
from workflows.config.notify_schema import ChannelEntry, DaemonSection, NotifySection, WebSection
from workflows.config.rule_schema import RuleEntry
from workflows.vocabulary import (
    Status,
)


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
    office_roles: list[RoleId] = Field(
        ["party-affairs-officer", "organization-member"],
        **describe(
            "党委办公室的职务：党委（committee）中担任这些职务的人可在其下所有组织登记",
            "Roles of the committee's office: people of a committee unit in these roles may record anywhere below it",
        ),
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
    evidence_dir: str | None = Field(
        None,
        **describe(
            "证据文件（会议记录、照片）的存放目录；默认在 SQLite 数据库文件旁的 evidence/，否则在配置文件旁",
            "Folder of evidence files (minutes, photos); default: evidence/ beside the SQLite file, else beside the config",
            "/var/lib/zhibu/evidence",
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


class CalendarSection(Section):
    """[calendar] — a year's official holidays and 调休 workdays as the State Council publishes them,
    for a year the holidays package does not know as published yet."""

    holidays: list[date] = Field(
        default_factory=list,
        **describe(
            "放假日（国务院办公厅公布的安排）；写了某年的放假日，该年就完全按这里的安排",
            "Official days off; once a year has days here, that year follows this list alone",
            ["2027-01-01", "2027-02-06"],
        ),
    )
    workdays: list[date] = Field(
        default_factory=list,
        **describe("调休上班的周末", "Weekend days worked in exchange (调休)", ["2027-02-14"]),
    )


class RosterSection(Section):
    """[roster] — the 花名册 files read with the config, with the Chinese headers branches keep."""

    files: list[str] = Field(
        default_factory=list,
        **describe(
            "花名册文件（CSV 或 XLSX，相对于本配置文件），与 [[people]] 合并；文件内容变化时读入并写入存储",
            "Roster files (CSV or XLSX, relative to this config), added to [[people]]; read into the store when their bytes change",
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
    login: Logins = described(
        "此人在服务器上的操作系统登录名（一个或多个）：以此登录名运行 zhibu 即以此人身份登记",
        "The person's OS login name(s) on the server: running zhibu as that login acts as this person",
        "wangjg",
        default_factory=list,
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
    web: WebSection = Field(default_factory=WebSection, **describe("任务页面", "The task page"))
    channels: dict[str, ChannelEntry] = Field(default_factory=dict, **describe("提醒渠道", "Channels (apprise URLs)"))
    roster: RosterSection = Field(default_factory=RosterSection, **describe("花名册文件", "Roster files"))
    calendar: CalendarSection = Field(
        default_factory=CalendarSection, **describe("节假日安排", "Declared holidays and 调休")
    )
    export: ExportSection = Field(default_factory=ExportSection, **describe("导出文件", "Exported files"))
    units: list[UnitEntry] = Field(**describe("组织树", "The unit tree"))
    people: list[PersonEntry] = Field(
        default_factory=list, **describe("人员（少量时可直接写在配置中）", "People (small orgs)")
    )
    rules: dict[Ident, RuleEntry] = Field(
        default_factory=dict, **describe("规则（各项工作）", "Rules (the obligations)")
    )
