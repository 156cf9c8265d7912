"""Bilingual messages (Chinese first, English available) and the error base class.

Every sentence a secretary reads comes from :data:`MESSAGES`, keyed by a stable id, so the
same error can be shown in zh or en and tests can assert on the key instead of the wording.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, NamedTuple

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

# key -> (zh, en); str.format placeholders shared by both.
MESSAGES: dict[str, tuple[str, str]] = {
    # configuration
    "config.not_found": ("找不到配置文件 {path}", "config file not found: {path}"),
    "config.toml": (
        "{path} 不是合法的 TOML：{reason}",
        "{path} is not valid TOML: {reason}",
    ),
    "config.invalid": (
        "配置文件 {path} 有 {count} 处错误：",
        "config file {path} has {count} error(s):",
    ),
    "config.ok": (
        "配置正确：{units} 个组织，{people} 名人员，{rules} 条规则。",
        "config is valid: {units} units, {people} people, {rules} rules.",
    ),
    "config.missing": ("缺少必填项", "required key is missing"),
    "config.unknown_key": ("未知的键 '{key}'", "unknown key '{key}'"),
    "config.did_you_mean": ("，是否应为 '{suggestion}'？", " — did you mean '{suggestion}'?"),
    "config.expected": ("应为{expected}，实际为 {actual!r}", "expected {expected}, got {actual!r}"),
    "config.one_of": ("应为以下之一：{choices}", "expected one of: {choices}"),
    "config.too_small": ("应不小于 {limit}", "must be at least {limit}"),
    "config.too_large": ("应不大于 {limit}", "must be at most {limit}"),
    "config.duplicate_id": (
        "id '{id}' 重复（第一次出现在 {first}）",
        "duplicate id '{id}' (first defined at {first})",
    ),
    "config.unknown_unit": ("未定义的组织 '{id}'", "unknown unit '{id}'"),
    "config.unknown_person": ("未定义的人员 '{id}'", "unknown person '{id}'"),
    "config.unknown_role": ("未知的职务 '{role}'", "unknown role '{role}'"),
    "config.unknown_status": ("未知的人员类别 '{status}'", "unknown member status '{status}'"),
    "config.unknown_unit_kind": ("未知的组织类型 '{kind}'", "unknown unit kind '{kind}'"),
    "config.warning": ("提示", "warning"),
    "config.at_line": ("第 {line} 行", "line {line}"),
    "config.unit_cycle": (
        "组织隶属关系出现循环：{cycle}",
        "the unit tree has a cycle: {cycle}",
    ),
    "config.bad_parent_kind": (
        "上级组织 '{parent}' 是{parent_kind}，不能领导{kind}",
        "parent '{parent}' is a {parent_kind} and cannot contain a {kind}",
    ),
    "config.bad_duration": (
        "无法识别的时长 {value!r}，应写作 30m、12h、7d 或 2w",
        "bad duration {value!r}; write e.g. 30m, 12h, 7d or 2w",
    ),
    "config.bad_clock_time": ("无法识别的时刻 {value!r}，应写作 08:30", "bad time of day {value!r}; write e.g. 08:30"),
    "config.bad_time_range": (
        "无法识别的时段 {value!r}，应写作 21:00-08:00",
        "bad time range {value!r}; write e.g. 21:00-08:00",
    ),
    "config.bad_remind_step": (
        "无法识别的提醒时点 {value!r}，应为 open、due 或截止前的时长（如 7d）",
        "bad reminder step {value!r}; use open, due or a duration before the deadline such as 7d",
    ),
    "config.unknown_obligation": ("内置工作目录中没有 '{name}'", "the built-in catalogue has no '{name}'"),
    "config.unknown_anchor": (
        "未知的节日 '{anchor}'，可用：春节、除夕、清明、七一、国庆",
        "unknown anchor '{anchor}'; use spring_festival, new_year_eve, qingming, party_founding or national_day",
    ),
    "config.anchor_needs_year": (
        '按节日定截止日的规则需要 every = "year"',
        'a rule anchored on a holiday needs every = "year"',
    ),
    "config.bad_stage_name": (
        "阶段名称 {value!r} 不能为空、不能含 /，且不超过 40 个字",
        "stage name {value!r} must be 1 to 40 characters without /",
    ),
    "config.unknown_channel": ("未定义的渠道 '{name}'", "unknown channel '{name}'"),
    "config.channel_url": (
        "渠道需要 url 或 url_file 之一",
        "a channel needs exactly one of url and url_file",
    ),
    "config.bad_channel_url": (
        "apprise 无法识别的渠道地址 {url}",
        "apprise does not recognise the channel URL {url}",
    ),
    "config.bad_timezone": ("未知的时区 {value!r}", "unknown time zone {value!r}"),
    "config.bad_id": (
        "id {value!r} 只能包含字母、数字、汉字和 - _ .",
        "id {value!r} may contain only letters, digits, Chinese characters and - _ .",
    ),
    "config.bad_recipient": (
        "无法识别的对象 {value!r}，应写作 role:书记、role:书记@parent、role:书记@committee、person:ID、self、owner、leader-of 或 unit-channel",
        "bad recipient {value!r}; write role:secretary, role:secretary@parent, role:secretary@committee, "
        "person:ID, self, owner, leader-of or unit-channel",
    ),
    "config.self_needs_per_person": (
        "'self' 只能用于按人或按联系点生成的规则（per_person 或 per_contact）",
        "'self' is only valid on a per-person rule (per_person = true)",
    ),
    "config.duplicate_alias": (
        "规则简称 '{alias}' 与规则 '{other}' 重复",
        "rule alias '{alias}' is also used by rule '{other}'",
    ),
    "config.due_day_week": (
        "按周的规则用 due_weekday（1=周一 … 7=周日），不用 due_day/due_month",
        "a weekly rule takes due_weekday (1=Monday … 7=Sunday), not due_day/due_month",
    ),
    "config.due_weekday_not_week": (
        'due_weekday 只能用于按周的规则（every = "week"）',
        'due_weekday is only valid when every = "week"',
    ),
    "config.due_month_range": (
        "due_month 应在 1 到 {months} 之间（一个{period}有 {months} 个月）",
        "due_month must be between 1 and {months} (a {period} has {months} months)",
    ),
    "config.no_units_match": (
        "没有任何组织符合该规则的范围",
        "no unit matches this rule's scope",
    ),
    "config.env_missing": (
        "环境变量 {var} 未设置",
        "environment variable {var} is not set",
    ),
    "config.roster_row": (
        "{file} 第 {row} 行 {column}：{message}",
        "{file} row {row} {column}: {message}",
    ),
    "config.roster_duplicate": (
        "{file} 中的编号 '{id}' 已在配置的 [[people]] 中",
        "{file}: id '{id}' is also in the config's [[people]]",
    ),
    "config.env_file": (
        "无法读取 {path}：{reason}",
        "cannot read {path}: {reason}",
    ),
    "config.exists": (
        "{path} 已存在，未覆盖（加 --force 可覆盖）",
        "{path} already exists and was not overwritten (use --force)",
    ),
    "config.written": ("已写入配置文件 {path}", "wrote config file {path}"),
    "init.store": ("数据库已就绪：{url}", "store ready: {url}"),
    "init.next": (
        "下一步：把 {path} 中的组织和人员改成本单位的，运行 zhibu check 检查，再运行 zhibu run 启动",
        "next: put your own units and people into {path}, run zhibu check, then zhibu run",
    ),
    # store
    "store.unavailable": (
        "无法打开数据库 {url}：{reason}",
        "cannot open the store {url}: {reason}",
    ),
    "store.readonly": (
        "数据库 {url} 是只读的，未做任何修改：{reason}",
        "the store {url} is read-only; nothing was changed: {reason}",
    ),
    "store.outdated": (
        "数据库结构版本为 {current}，需要 {head}：请运行 zhibu db upgrade",
        "the store schema is at {current}, {head} is needed: run zhibu db upgrade",
    ),
    "store.upgraded": ("数据库已升级到 {head}", "store upgraded to {head}"),
    "store.current": ("数据库已是最新版本 {head}", "store is already at {head}"),
    # time
    "time.bad_instant": (
        "无法识别的时间 {value!r}，应写作 2026-03-31、2026-03-31T09:00 或 2026-03-31T09:00+08:00",
        "bad time {value!r}; write 2026-03-31, 2026-03-31T09:00 or 2026-03-31T09:00+08:00",
    ),
    "time.bad_date": (
        "无法识别的日期 {value!r}，应写作 2026-03-31",
        "bad date {value!r}; write 2026-03-31",
    ),
    "time.bad_period": (
        "无法识别的周期 {value!r}，应写作 2026、2026H1、2026Q1、2026-03 或 2026-W05",
        "bad period {value!r}; write 2026, 2026H1, 2026Q1, 2026-03 or 2026-W05",
    ),
    "time.bad_range": (
        "开始日期 {start} 晚于结束日期 {end}",
        "start {start} is after end {end}",
    ),
    # tasks
    "task.not_found": ("找不到任务 '{key}'。", "no task '{key}'."),
    "task.suggest": ("您是不是要找：", "Did you mean:"),
    "task.none": ("没有符合条件的任务。", "no task matches."),
    "task.empty_store": (
        "数据库中还没有任务：运行 zhibu sync（或 zhibu run）按配置生成任务",
        "the store has no tasks yet: run zhibu sync (or zhibu run) to create them from the config",
    ),
    "task.waived": (
        "任务 {key} 已于 {on} 免除（{reason}），不能再登记完成；如需撤销免除请运行 zhibu undo {key}",
        "task {key} was waived on {on} ({reason}); run zhibu undo {key} first to record it",
    ),
    "task.already_done": (
        "任务 {key} 已完成（{on}）；如登记有误请先运行 zhibu undo {key}",
        "task {key} is already done ({on}); run zhibu undo {key} first if that was a mistake",
    ),
    "task.retired": (
        "任务 {key} 对应的规则或人员已不在配置中，任务已停用",
        "task {key} is retired: its rule, unit or person is no longer configured",
    ),
    "task.future": (
        "日期 {on} 在今天（{today}）之后，不能登记尚未发生的事",
        "the date {on} is after today ({today}); only what already happened can be recorded",
    ),
    "task.before_period": (
        "日期 {on} 早于该任务所属周期 {period}（自 {start} 起），不能计入",
        "the date {on} is before the task's period {period} (which starts {start})",
    ),
    "task.nothing_to_undo": (
        "任务 {key} 没有可撤销的登记",
        "task {key} has no record to undo",
    ),
    "task.already_waived": ("任务 {key} 已免除", "task {key} is already waived"),
    "task.recorded": (
        "已登记 {key}：{on}（{count}/{required}）",
        "recorded {key}: {on} ({count}/{required})",
    ),
    "task.recorded_late": (
        "注意：截止日期为 {due}，本次按逾期完成记录",
        "note: the deadline was {due}; this is recorded as late",
    ),
    "task.quorum_ok": (
        "法定人数：应到 {expected}，实到 {present}，已超过半数",
        "quorum: {present} of {expected} present, more than half",
    ),
    "task.quorum_failed": (
        "未达到法定人数：应到 {expected}，实到 {present}，未超过半数，会议不能作出决定",
        "no quorum: {present} of {expected} present, not more than half; the meeting cannot take decisions",
    ),
    "task.quorum_unknown": (
        "未填写到会人数，无法判断是否达到法定人数（用 --attendees、--present 或 --absent）",
        "attendance not given, so the quorum cannot be checked (use --attendees, --present or --absent)",
    ),
    "task.quorum_ambiguous": (
        "仅凭实到人数 {present} 无法判断有表决权的党员是否过半（应到有表决权 {voting}，其中可能含预备党员）；"
        "请用 --present 或 --absent 填写名单",
        "a head count of {present} cannot tell whether more than half of the {voting} voting "
        "members came (probationary members do not vote); give --present or --absent names",
    ),
    "task.unknown_attendee": (
        "到会/缺席名单中的 '{name}' 不是 {unit} 的成员",
        "'{name}' in the attendance list is not a member of {unit}",
    ),
    "task.attachment_missing": (
        "附件 {path} 不存在（可填写文件路径或以 http(s):// 开头的链接）",
        "attachment {path} does not exist (give a file path or an http(s):// link)",
    ),
    "task.not_quorum_rule": (
        "{key} 不核对法定人数，已忽略到会名单",
        "{key} has no quorum check; the attendance was recorded as given",
    ),
    "task.already_acked": (
        "任务 {key} 已确认过，逾期上报已停止",
        "task {key} is already acknowledged; its escalation has stopped",
    ),
    "task.acked": (
        "已确认 {key}：不再逐级上报（责任人仍会收到提醒）",
        "acknowledged {key}: escalation stopped (the owner is still reminded)",
    ),
    "task.snooze_past": ("暂停提醒的截止时间 {until} 已经过去", "the snooze end {until} is already past"),
    "task.snoozed": ("{key} 在 {until} 之前不再提醒", "no reminder about {key} before {until}"),
    "notify.sent": ("已通过 {channel} 发送：成功", "sent through {channel}: ok"),
    "notify.failed": ("通过 {channel} 发送失败：{error}", "sending through {channel} failed: {error}"),
    "notify.no_target": (
        "没有渠道能联系到 {who}：请填写其 email 并设置 [notify] email_channel，或为其配置 channels",
        "no channel reaches {who}: give them an email and set [notify] email_channel, or add channels",
    ),
    "notify.unknown": ("找不到人员 {who}，也不是渠道地址", "{who} is neither a person nor a channel URL"),
    "outbox.retried": ("已重新排队 {count} 条消息", "queued {count} message(s) again"),
    "outbox.none": ("发件箱中没有符合条件的消息", "no message in the outbox matches"),
    "status.last_tick": ("最近一次检查：{at}", "last tick: {at}"),
    "status.never": ("从未运行", "never"),
    "status.queue": (
        "待发送 {queued} 条（最早一条排队于 {oldest}），发送中 {sending} 条，已发送 {sent} 条，失败 {failed} 条",
        "queue: {queued} queued (oldest {oldest}), {sending} sending, {sent} sent, {failed} failed",
    ),
    "status.tasks": (
        "任务：进行中 {open} 项，临近截止 {due_soon} 项，已逾期 {overdue} 项",
        "tasks: {open} open, {due_soon} due soon, {overdue} overdue",
    ),
    "status.failures": ("最近的发送失败：", "recent delivery failures:"),
    "status.config": ("配置：{path}（版本 {version}）", "config: {path} (version {version})"),
    "status.stale": (
        "警告：服务已超过 3 个检查间隔（{interval}）没有运行，请检查 zhibu run 是否在运行",
        "warning: no tick for more than three intervals ({interval}); is zhibu run running?",
    ),
    "status.store": ("数据库：{url}（结构版本 {revision}）", "store: {url} (schema {revision})"),
    "event.unknown_kind": (
        "没有规则响应事件 '{kind}'（可用：{kinds}）",
        "no rule listens to the event '{kind}' (known: {kinds})",
    ),
    "event.unknown_person": ("找不到人员 '{who}'", "no person '{who}'"),
    "event.recorded": ("已记录事件 #{id}（{kind}，{who}，{on}）", "recorded event #{id} ({kind}, {who}, {on})"),
    "event.task": ("  新任务：{key}，截止 {due}", "  new task: {key}, due {due}"),
    "dues.bad_amount": ("无法识别的金额 {value!r}，应写作 37.50", "bad amount {value!r}; write e.g. 37.50"),
    "dues.differs": (
        "注意：按缴费基数应缴 {expected} 元，实缴 {paid} 元，请核对",
        "note: {expected} yuan is due by the member's base, {paid} was recorded; please check",
    ),
    "dues.no_amount": (
        "未填写金额（--amount），按缴费基数应缴 {expected} 元",
        "no --amount given; {expected} yuan is due by the member's base",
    ),
    "roster.invalid": (
        "花名册 {path} 有 {count} 处错误，未导入任何数据：",
        "the roster {path} has {count} problem(s); nothing was imported:",
    ),
    "roster.row_error": ("  第 {row} 行：{message}", "  row {row}: {message}"),
    "roster.file_empty": ("文件是空的", "the file is empty"),
    "roster.unknown_column": (
        "无法识别的列名“{header}”（可用 --mapping 列名=字段 指定）",
        "unknown column '{header}' (use --mapping HEADER=field)",
    ),
    "roster.unknown_column_near": (
        "无法识别的列名“{header}”，是否应为“{near}”？",
        "unknown column '{header}' — did you mean '{near}'?",
    ),
    "roster.missing_column": ("缺少“{header}”列", "no column for '{field}'"),
    "roster.duplicate_id": ("编号“{id}”与第 {other} 行重复", "id '{id}' is also on row {other}"),
    "roster.in_config": (
        "编号“{id}”已在配置文件中定义，请删去其中一处",
        "id '{id}' is defined in the config; remove it there or here",
    ),
    "roster.empty": ("{column}不能为空", "{column} '': is empty"),
    "roster.value": ("{column}“{text}”{problem}", "{column} {text!r}: {problem}"),
    "roster.not_unit": ("不是配置中的组织", "is not a unit in the config"),
    "roster.not_unit_near": (
        "不是配置中的组织，是否应为“{near}”？",
        "is not a unit in the config — did you mean '{near}'?",
    ),
    "roster.not_status": (
        "不是人员类别（正式党员、预备党员、入党积极分子、发展对象、入党申请人）",
        "is not a member status (正式党员, 预备党员, 入党积极分子, 发展对象, 入党申请人)",
    ),
    "roster.not_role": ("中的“{part}”不是职务", "'{part}' is not a role"),
    "roster.not_date": ("不是日期（如 2026-03-01）", "is not a date (2026-03-01)"),
    "roster.not_amount": ("不是金额", "is not an amount"),
    "roster.not_yes_no": ("应为“是”或“否”", "should be 是 or 否"),
    "roster.bad_id": (
        "只能包含字母、数字、汉字和 - _ .",
        "may contain only letters, digits, Chinese characters and - _ .",
    ),
    "roster.not_understood": ("无法识别", "not understood"),
    "roster.plan": (
        "新增 {added} 人，更新 {changed} 人（其中调动 {transferred} 人），离开 {left} 人",
        "{added} added, {changed} changed ({transferred} transferred), {left} left",
    ),
    "roster.dry_run": ("（预览，未写入）", "(dry run: nothing written)"),
    "rectify.needs_evidence": (
        "整改 {key} 需附证据：用 --attach 附上文件或链接，或用 --note 写明整改情况",
        "{key} is closed with evidence: --attach a file or link, or describe it with --note",
    ),
    "rectify.awaiting_confirmation": (
        "{key} 已整改，等待发现人 {finder} 确认：zhibu confirm {key}",
        "{key} was rectified and waits for {finder} to confirm: zhibu confirm {key}",
    ),
    "rectify.nothing_to_confirm": (
        "{key} 还没有登记整改情况，无法确认",
        "{key} has no rectification recorded yet; nothing to confirm",
    ),
    "rectify.not_finder": (
        "{key} 应由发现人 {finder} 确认（当前登记人：{by}）",
        "{key} is confirmed by its finder {finder}, not {by}",
    ),
    "rectify.not_rectification": (
        "{key} 不是整改事项，无需确认",
        "{key} is not a rectification; there is nothing to confirm",
    ),
    "rectify.confirmed": ("已确认 {key} 整改到位，问题已销号", "confirmed {key}: the problem is closed"),
    "rectify.created": (
        "  发现问题，已建整改任务：{key}（负责人 {owner}，期限 {due}）",
        "  problem recorded as {key} (owner {owner}, due {due})",
    ),
    "chain.not_a_stage": ("{key} 不是分阶段办理的任务", "{key} is not a stage of a chain"),
    "chain.first_stage": (
        "{key} 是第一个阶段，无法再退回",
        "{key} is the first stage; there is nothing to send it back to",
    ),
    "chain.too_early": (
        "{key} 最早 {earliest} 才能办理（条例规定的最短间隔），不能登记为 {on}",
        "{key} cannot be done before {earliest} (the minimum interval the rules set), not on {on}",
    ),
    "chain.not_open": ("{key} 已办结，不能退回", "{key} is closed and cannot be sent back"),
    "chain.next": (
        "下一阶段已开始：{key}（负责人 {owner}，期限 {due}）",
        "next stage open: {key} (owner {owner}, due {due})",
    ),
    "chain.next_later": (
        "下一阶段 {key} 最早 {start} 开始（条例规定的最短间隔；负责人 {owner}，期限 {due}）",
        "next stage {key} may start on {start} at the earliest (the minimum interval; owner {owner}, due {due})",
    ),
    "chain.sent_back": (
        "已退回，上一阶段重新办理：{key}（负责人 {owner}，期限 {due}）",
        "sent back; the previous stage is open again: {key} (owner {owner}, due {due})",
    ),
    "task.undone": ("已撤销 {key} 的登记（#{record}）", "undid record #{record} of {key}"),
    "task.waived_ok": ("已免除 {key}：{reason}", "waived {key}: {reason}"),
    # runs
    "sync.report": (
        "同步完成：新建 {created} 项任务，停用 {retired} 项",
        "sync: {created} task(s) created, {retired} retired",
    ),
    "sync.skipped": (
        "配置和周期均无变化，无需生成新任务",
        "nothing changed since the last sync; no task to create",
    ),
    "tick.report": (
        "{now}：新建 {created} 项，开始 {opened} 项，临近截止 {due_soon} 项，逾期 {overdue} 项",
        "{now}: {created} created, {opened} opened, {due_soon} due soon, {overdue} overdue",
    ),
    "tick.totals": (
        "当前：进行中 {open} 项，临近截止 {due_soon} 项，已逾期 {overdue} 项",
        "now: {open} open, {due_soon} due soon, {overdue} overdue",
    ),
    "tick.messages": (
        "提醒：新增提醒事项 {notices} 条，生成消息 {digests} 条，已发送 {sent} 条，待重试 {retried} 条，失败 {failed} 条",
        "reminders: {notices} notice(s), {digests} message(s) queued, {sent} sent, {retried} to retry, {failed} failed",
    ),
    "tick.section_due_soon": ("临近截止：", "due soon:"),
    "tick.section_overdue": ("已逾期：", "overdue:"),
    "tick.people": ("{key}/…（{count} 人）", "{key}/… ({count} people)"),
    "tick.more": ("……另有 {count} 项", "… and {count} more"),
    "run.started": (
        "zhibu 已启动：每 {interval} 检查一次，数据库 {url}；按 Ctrl+C 停止",
        "zhibu started: a tick every {interval}, store {url}; press Ctrl+C to stop",
    ),
    "run.stopped": ("zhibu 已停止", "zhibu stopped"),
    "report.bad_period": (
        "无法识别的报告期 {value!r}，可写作 2026、2026H1、2026Q3、2026-03，或区间 2026-01..2026-06",
        "bad report period {value!r}; write 2026, 2026H1, 2026Q3, 2026-03 or a range 2026-01..2026-06",
    ),
    "report.unknown_unit": ("没有组织 '{unit}'。可选：{choices}", "no unit '{unit}'. Choices: {choices}"),
    "report.unknown_person": (
        "没有人员 '{person}'（按编号或姓名查找）。例如：{choices}",
        "no person '{person}' (by id or name). For example: {choices}",
    ),
    "report.unknown_rule": ("没有工作 '{rule}'。可选：{choices}", "no rule '{rule}'. Choices: {choices}"),
    "report.bad_sort": ("无法按 {value!r} 排序，可选：{choices}", "cannot sort by {value!r}; choices: {choices}"),
    "report.bad_format": (
        "--format {value} 不适用于这里，可选：{choices}",
        "--format {value} does not apply here; choices: {choices}",
    ),
    "report.unwritable": (
        "无法写入 {path}：{reason}（未留下部分文件）",
        "cannot write {path}: {reason} (no partial file left)",
    ),
    "report.written": ("已写入 {path}", "written: {path}"),
    "report.heading": (
        "{unit} 工作完成情况 {period}（{first} 至 {last}）",
        "{unit}: obligations {period} ({first} to {last})",
    ),
    "report.rollup": ("合计（含下级组织）", "total (with the units below)"),
    "report.empty": ("这段时间没有任务。", "No tasks in this period."),
    "report.missing_list": ("未完成：", "missing:"),
    "report.waived_list": ("免办：", "waived:"),
    "report.person_heading": ("{name}（{unit}）{period}", "{name} ({unit}) {period}"),
    "report.dues": (
        "党费：月应缴 {monthly} 元，已缴 {paid} 元，欠缴 {owed} 元",
        "dues: {monthly} yuan a month, paid {paid}, owed {owed}",
    ),
    "report.talks": ("谈心谈话：已谈 {held} 人次，未谈 {missing} 人次", "talks: {held} held, {missing} not yet"),
    "report.volunteering": ("志愿服务：{done} 次，{hours} 小时", "volunteering: {done} times, {hours} hours"),
    "report.next": ("接下来：", "next:"),
    "col.rule": ("工作", "obligation"),
    "col.required": ("应完成", "required"),
    "col.on_time": ("按时完成", "on time"),
    "col.late": ("逾期完成", "late"),
    "col.waived": ("免办", "waived"),
    "col.missing": ("未完成", "missing"),
    "col.pending": ("未到期", "pending"),
    "col.outcome": ("结果", "outcome"),
    "col.done_on": ("完成日期", "done on"),
    "col.reason": ("说明", "reason"),
    "col.person": ("人员", "person"),
    "outcome.on_time": ("按时完成", "on time"),
    "outcome.late": ("逾期完成", "late"),
    "outcome.waived": ("免办", "waived"),
    "outcome.missing": ("未完成", "missing"),
    "outcome.pending": ("未到期", "pending"),
    "col.id": ("ID", "ID"),
    "col.key": ("任务编号", "key"),
    "col.title": ("名称", "title"),
    "col.unit": ("组织", "unit"),
    "col.opens": ("开始", "opens"),
    "col.due": ("截止", "due"),
    "col.state": ("状态", "state"),
    "col.count": ("次数", "count"),
    "col.assignee": ("负责人", "owner"),
    "show.records": ("登记记录：", "records:"),
    "show.history": ("变更记录：", "history:"),
    "show.none": ("（无）", "(none)"),
    "record.done": ("完成", "done"),
    "record.waive": ("免除", "waived"),
    "record.sendback": ("退回（sendback）", "sent back (sendback)"),
    "record.reversal": ("撤销 #{id}", "undid #{id}"),
    "digest.subject": (
        "【zhibu】{name}：{count} 项工作提醒（{day}）",
        "[zhibu] {name}: {count} item(s) to see to ({day})",
    ),
    "digest.greeting": ("{name}，您好：", "Hello {name},"),
    "digest.intro": (
        "以下工作请留意。办完后复制任务编号，运行 zhibu done 任务编号 即可登记。",
        "Here is what needs you. When something is done, paste its key into: zhibu done KEY",
    ),
    "digest.overdue": ("已逾期", "Overdue"),
    "digest.today": ("今天截止", "Due today"),
    "digest.week": ("本周截止", "Due this week"),
    "digest.new": ("新开始的工作", "Newly opened"),
    "digest.chasing": ("请您督促", "You are chasing"),
    "digest.problems": ("未销号的整改问题", "Open problems (整改)"),
    "digest.due": ("截止 {day}", "due {day}"),
    "digest.owner": ("负责人 {name}", "owner {name}"),
    "digest.section_more": (
        "……另有 {count} 项，运行 {command} 查看全部",
        "… and {count} more: run {command} to see them all",
    ),
    "digest.more": ("……另有 {count} 项未列出，请运行 zhibu list 查看", "… {count} more not shown; run zhibu list"),
    "digest.footer": (
        "本消息由 zhibu 自动发送，每人每天最多一条汇总。",
        "Sent by zhibu: at most one digest per person per day.",
    ),
    "urgent.subject": ("【zhibu 紧急】{title}（{key}）", "[zhibu urgent] {title} ({key})"),
    "test.subject": ("【zhibu】测试消息", "[zhibu] test message"),
    "test.body": (
        "这是 zhibu 的测试消息：{org} 的提醒会通过这个渠道送达。",
        "This is a zhibu test message: reminders of {org} will arrive through this channel.",
    ),
    "plan.total": ("共 {count} 项", "{count} occurrence(s)"),
    # states
    "state.upcoming": ("未开始", "upcoming"),
    "state.open": ("进行中", "open"),
    "state.due_soon": ("临近截止", "due soon"),
    "state.overdue": ("已逾期", "overdue"),
    "state.done": ("已完成", "done"),
    "state.waived": ("已免除", "waived"),
    "state.retired": ("已停用", "retired"),
    "state.late": ("逾期完成", "done late"),
}


class Bilingual(NamedTuple):
    """A parameter value that differs by language."""

    zh: str
    en: str

    def render(self, lang: Lang) -> str:
        """The text in ``lang``."""
        return self.zh if lang == "zh" else self.en


class Message(NamedTuple):
    """A message rendered when it is shown, in the reader's language (parameters may be
    messages or :class:`Bilingual` values themselves)."""

    key: str
    params: Mapping[str, Any]

    def render(self, lang: Lang) -> str:
        """The message in ``lang``."""
        return t(
            self.key,
            lang,
            **{n: v.render(lang) if isinstance(v, Message | Bilingual) else v for n, v in self.params.items()},
        )


def t(key: str, lang: Lang, /, **params: Any) -> str:
    """Render message ``key`` in ``lang`` with ``params``."""
    zh, en = MESSAGES[key]
    template = zh if lang == "zh" else en
    return template.format(**params)


class ZhibuError(Exception):
    """An error a user can act on, rendered in zh or en; ``exit_code`` follows the CLI contract."""

    exit_code = 1

    def __init__(self, key: str, /, *, details: Sequence[str | Message] | None = None, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
        self.details = list(details or [])

    def message(self, lang: Lang) -> str:
        """The whole message, with any detail lines below the headline."""
        lines = [t(self.key, lang, **self.params)]
        lines.extend(d if isinstance(d, str) else d.render(lang) for d in self.details)
        suggestions = self.params.get("suggestions")
        if suggestions:
            lines.append(t("task.suggest", lang))
            lines.extend(f"  {item}" for item in suggestions)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.message("en")


class UsageError(ZhibuError):
    """Bad input on the command line (exit 2)."""

    exit_code = 2


class StateError(ZhibuError):
    """The request is well formed but the task's state refuses it (exit 1)."""

    exit_code = 1


class NotFoundError(ZhibuError):
    """Nothing matched (exit 1)."""

    exit_code = 1
