"""Generate ``examples/roster.csv``: about 200 fictitious members of the example 局机关党委, with the
Chinese headers branches keep. Deterministic (fixed seed): ``python examples/make_roster.py``."""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉红建飞斌宇浩凯秀兰健俊帆欣怡晨旭东海峰波宁琳颖婷雪倩慧丹莹亮成志国新"

# (unit name as branches write it, members, party groups or None, retired)
BRANCHES = [
    ("办公室党支部", 30, ("办公室党支部第一党小组", "办公室党支部第二党小组"), False),
    ("政策法规处党支部", 22, None, False),
    ("计划财务处党支部", 24, None, False),
    ("离退休干部党支部", 26, None, True),
    ("业务一处党支部", 30, ("业务一处党支部第一党小组", "业务一处党支部第二党小组"), False),
    ("业务二处党支部", 24, None, False),
    ("信息中心党支部", 22, None, False),
    ("机关服务中心党支部", 22, None, False),
]
COMMITTEE = ("书记", "组织委员、党费收缴人", "宣传委员", "纪检委员")
HEADERS = [
    "编号",
    "姓名",
    "所在支部",
    "人员类别",
    "职务",
    "入党时间",
    "预备期开始",
    "申请入党时间",
    "确定积极分子时间",
    "缴费基数",
    "手机",
    "邮箱",
    "流动党员",
    "离退休",
]


def day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def rows() -> list[list[str]]:
    rng = random.Random(2026)
    names: set[str] = set()
    table: list[list[str]] = []
    serial = 0
    for number, (branch, size, groups, retired) in enumerate(BRANCHES, start=1):
        for index in range(size):
            serial += 1
            name = ""
            while not name or name in names:
                name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            names.add(name)
            unit = branch
            roles = COMMITTEE[index] if index < len(COMMITTEE) else ""
            if groups and index >= len(COMMITTEE):  # the others belong to a party group
                unit = groups[index % 2]
                if index in (len(COMMITTEE), len(COMMITTEE) + 1):
                    roles = "党小组长"
            status, joined, probation, applied, activist = "正式党员", "", "", "", ""
            if not retired and index == size - 1:
                status, applied = "入党申请人", day_between(rng, date(2026, 1, 5), date(2026, 10, 30)).isoformat()
            elif not retired and index == size - 2:
                status = "入党积极分子"
                applied = day_between(rng, date(2024, 3, 1), date(2024, 12, 31)).isoformat()
                activist = day_between(rng, date(2025, 1, 10), date(2025, 12, 20)).isoformat()
            elif not retired and index == size - 3 and number % 2:
                status = "预备党员"
                probation = day_between(rng, date(2025, 7, 1), date(2026, 6, 30)).isoformat()
                joined = probation
            else:
                first = date(1965, 1, 1) if retired else date(1995, 1, 1)
                joined = day_between(rng, first, date(2024, 6, 30)).isoformat()
            base = rng.randrange(2600, 6000, 100) if retired else rng.randrange(4500, 16000, 100)
            member = status in ("正式党员", "预备党员")
            table.append(
                [
                    f"P{serial:04d}",
                    name,
                    unit,
                    status,
                    roles,
                    joined,
                    probation,
                    applied,
                    activist,
                    str(base) if member else "",
                    f"139{rng.randrange(10**8):08d}",
                    f"p{serial:04d}@example.org" if roles and "党小组长" not in roles else "",
                    "是" if not retired and member and rng.random() < 0.04 else "否",
                    "是" if retired else "否",
                ]
            )
    return table


def main() -> None:
    target = Path(__file__).with_name("roster.csv")
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows())
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
