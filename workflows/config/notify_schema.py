"""The schema of [notify] and [daemon]: when reminders go out, through which channels, within
which budgets; and the service's timer, budget and socket."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from workflows.config.essentials import DEFAULT_SOCKET
from workflows.config.fields import (
    ClockTime,
    Duration,
    IPAddress,
    RemindStep,
    Section,
    TimeRange,
    describe,
)
from workflows.config.rule_schema import LadderStep, _default_ladder


class DaemonSection(Section):
    """[daemon] — the service started by ``zhibu run``."""

    tick_interval: Duration = Field(
        timedelta(minutes=5),
        **describe("多久检查一次", "How often the daemon runs a tick", "5m"),
    )
    tick_budget: Duration = Field(
        timedelta(minutes=4),
        **describe(
            "一次检查最长运行多久，超时的检查进程被终止（下一次照常进行）",
            "Longest a tick may run; a tick process past it is killed (the next one runs as usual)",
            "4m",
        ),
    )
    socket: str = Field(
        DEFAULT_SOCKET,
        **describe(
            "服务的 Unix 套接字：不能直接写数据库的用户经它登记（其所在目录不存在时不开启；空字符串关闭）",
            "The service's Unix socket: users who cannot write the store record through it "
            "(not opened when its folder does not exist; empty turns it off)",
            "/run/zhibu/zhibu.sock",
        ),
    )
    socket_group: str = Field(
        "zhibu",
        **describe(
            "可使用套接字的用户组（套接字权限 0660）",
            "The group whose members may use the socket (it is made 0660)",
            "zhibu",
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
    send_timeout: Duration = Field(
        timedelta(seconds=30),
        **describe(
            "每条消息发送的最长时间，超时即放弃并稍后重试",
            "Hard deadline of one send; past it the send is abandoned and retried later",
            "30s",
        ),
    )
    delivery_budget: Duration = Field(
        timedelta(minutes=3),
        **describe(
            "每次检查用于发送的最长时间，其余消息留待下次",
            "How long one tick may spend delivering; what is left waits for the next tick",
            "3m",
        ),
    )
    senders: int = Field(
        8, ge=1, le=64, **describe("同时发送的线程数", "Messages sent at the same time, all channels together")
    )
    senders_per_channel: int = Field(
        4,
        ge=1,
        le=32,
        **describe(
            "每个邮件渠道同时使用的 SMTP 连接数（群机器人始终一次一条）",
            "SMTP connections used at once per email channel (a group bot always takes one at a time)",
        ),
    )
    mail_processes: int = Field(
        2,
        ge=0,
        le=16,
        **describe(
            "大批邮件（300 封以上）由几个辅助进程构建和发送；0 表示都在检查进程内发送",
            "Helper processes that build and send a large batch of email (300 or more); 0 sends it all in the tick's process",
        ),
    )
    im_per_minute: int = Field(
        20,
        ge=1,
        le=600,
        **describe(
            "每个群机器人每分钟最多发送几条（企业微信、钉钉群机器人：20）",
            "Messages a minute per group bot (WeCom and DingTalk group robots allow 20)",
        ),
    )


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


class WebSection(Section):
    """[web] — the task page a digest's links open: off unless ``listen`` is set."""

    listen: str = Field(
        "",
        **describe(
            "任务页面的监听地址（如 127.0.0.1:8080，放在本单位的反向代理之后）；为空则不开启",
            "Address the task page listens on (e.g. 127.0.0.1:8080, behind the organization's reverse proxy); empty: off",
            "127.0.0.1:8080",
        ),
    )
    base_url: str = Field(
        "",
        **describe(
            "链接中的网址前缀（反向代理对外的 https 地址）",
            "The public https address links start with",
            "https://zhibu.example.org",
        ),
    )
    trusted_proxy: IPAddress = Field(
        "",
        **describe(
            "反向代理的地址：只相信来自它的 X-Forwarded-For，按真实访问者限流；为空则按直接连接的地址限流",
            "The reverse proxy's address: X-Forwarded-For is believed from it alone and requests are "
            "rate-limited per visitor; empty: per connecting address",
            "127.0.0.1",
        ),
    )
    link_days: int = Field(14, ge=1, le=90, **describe("汇总中的链接多少天后失效", "Days a digest's link stays valid"))
    max_upload_mb: int = Field(
        10, ge=1, le=100, **describe("每次登记上传附件的总大小上限（MB）", "Upload limit per record, in MB")
    )
