"""WeCom, DingTalk and Feishu bots. Their servers cannot be reached from here, so ``requests.post``
stands in for them and we check the exact payload apprise would send."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests

from notifiers.channels import send
from notifiers.render import Item, Section, environment, fit_for_channel, render
from scheduler.app import open_app
from scheduler.engine.tick import tick
from tests.conftest import beijing, edit_config

WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DING_TOKEN, DING_SECRET = "b8a1c0ffee0123456789abcdef", "SEC0123456789abcdef"
FEISHU_TOKEN = "9f3e1d2c-aaaa-bbbb-cccc-1234567890ab"


class FakePlatform:
    """Answers like the IM platforms do, recording each request."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.calls: list[dict[str, Any]] = []

    def post(self, url: str, data: Any = None, headers: Any = None, params: Any = None, **_: Any) -> requests.Response:
        body = data.decode("utf-8") if isinstance(data, bytes) else data
        self.calls.append({"url": url, "payload": json.loads(body), "params": params})
        response = requests.Response()
        response.status_code = self.status
        response._content = b'{"errcode": 0, "errmsg": "ok", "code": 0, "msg": "success", "StatusCode": 0}'
        return response


@pytest.fixture
def platform(monkeypatch: pytest.MonkeyPatch) -> FakePlatform:
    fake = FakePlatform()
    monkeypatch.setattr(requests, "post", fake.post)
    return fake


def test_digest_reaches_wecom_dingtalk_and_feishu_bots(example_config: Path, platform: FakePlatform) -> None:
    edit_config(
        example_config,
        r'(tick_interval = "5m".*?\n)',
        f'\\1\n[channels.wecom]\nurl = "wecombot://{WECOM_KEY}"\n\n[channels.ding]\nurl = "dingtalk://{DING_SECRET}@{DING_TOKEN}/"\n\n'
        f'[channels.feishu]\nurl = "feishu://{FEISHU_TOKEN}"\n',
    )
    edit_config(
        example_config,
        r'(id = "zhengyu"\nname = "郑宇"\nunit = "zb2"\n)',
        '\\1channels = ["wecom", "ding", "feishu"]\n',
    )
    app = open_app(example_config)
    tick(app, beijing("2026-03-02 08:00"))
    tick(app, beijing("2026-03-02 08:30"))
    by_host = {call["url"].split("/")[2]: call for call in platform.calls}
    title = "【zhibu】某局机关党委：新开始 4 项 · 4 项工作提醒（2026-03-02）"  # all of them new on the first morning

    wecom = by_host["qyapi.weixin.qq.com"]
    assert wecom["url"] == f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={WECOM_KEY}"
    assert wecom["payload"]["msgtype"] == "text"
    content = wecom["payload"]["text"]["content"]
    assert content.startswith(title)
    assert "- `zb2/支委会/2026-03` 【新】支部委员会会议 · 第二党支部（业务科室） · 截止 2026-03-31" in content
    assert len(content.encode("utf-8")) <= 2048

    ding = by_host["oapi.dingtalk.com"]
    assert ding["url"] == f"https://oapi.dingtalk.com/robot/send?access_token={DING_TOKEN}"
    assert ding["payload"]["msgtype"] == "markdown"
    assert ding["payload"]["markdown"]["title"] == title
    assert "`zb2/党员大会/2026Q1`" in ding["payload"]["markdown"]["text"]
    assert set(ding["params"]) == {"timestamp", "sign"}  # signed with the robot's secret

    feishu = by_host["open.feishu.cn"]
    assert feishu["payload"]["msg_type"] == "interactive"
    assert feishu["payload"]["card"]["header"]["title"]["content"] == title
    assert "`zb2/党课/2026Q1`" in feishu["payload"]["card"]["elements"][0]["text"]["content"]


def test_a_long_digest_is_cut_to_the_wecom_limit_with_a_count(platform: FakePlatform) -> None:
    items = [
        Item(f"zb{i % 40}/党费/2026Q1/member{i:03d}", "缴纳党费", "第一党支部", date(2026, 3, 31), "overdue")
        for i in range(300)
    ]
    message = render(
        environment(),
        "zh",
        "digest",
        {
            "org": "某局机关党委",
            "recipient": "李娜",
            "day": date(2026, 4, 1),
            "sections": [Section("overdue", "已逾期", items)],
            "total": 300,
            "news": "",
            "heads": "",
            "calendar": "",
            "lang": "zh",
        },
    )
    url = f"wecombot://{WECOM_KEY}"
    assert send(url, fit_for_channel(url, message, "zh")).ok
    content = platform.calls[0]["payload"]["text"]["content"]
    shown = content.count("\n- `")
    assert len(content.encode("utf-8")) <= 2048
    assert 0 < shown < 300
    assert content.rstrip().endswith(f"……另有 {300 - shown} 项未列出，请运行 zhibu list 查看")


def test_refused_bot_is_permanent_and_its_key_never_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakePlatform(status=404)
    monkeypatch.setattr(requests, "post", fake.post)
    message = render(environment(), "en", "test", {"org": "Test org"})
    for url, secrets in (
        (f"wecombot://{WECOM_KEY}", [WECOM_KEY]),
        (f"dingtalk://{DING_SECRET}@{DING_TOKEN}/", [DING_SECRET, DING_TOKEN]),
        (f"feishu://{FEISHU_TOKEN}", [FEISHU_TOKEN]),
    ):
        result = send(url, message)
        assert not result.ok
        assert result.permanent, result.error
        for secret in secrets:
            assert secret not in result.error
