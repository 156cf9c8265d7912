"""Deterministic synthetic organizations (fixed seed, fictitious names) written as zhibu configs.

    python -m bench.orgs --branches 30 --members 20 > org.toml      # a small org, for the tests
    python -m bench.orgs --size city --out /tmp/city               # config + roster.csv

Sizes: ``ju`` (a 局: 1 党委, 10 branches, 300 members), ``city`` (1,000 branches, 30,000 members),
``province`` (20,000 branches, 500,000 members) — each 党委 with 6 leaders holding 3 contact
branches, every member in ``roster.csv`` with Chinese headers, the whole catalogue enabled.

Every branch has a secretary, an organization member who collects dues, a propaganda member and
ordinary members (a few probationary); every person has an email address at example.org. The
rules are the small test org's 三会一课, 主题党日 and quarterly dues.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
from dataclasses import dataclass
from pathlib import Path

from scheduler.actions.operator import login_of_uid

REPO = Path(__file__).resolve().parent.parent
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏建国志文辉力斌宇浩凯欣怡婷雪梅琳晨阳博宁"


def example_rules() -> str:
    """The ``[rules.*]`` part of the small test org (tests/fixtures/small_org.toml)."""
    text = (REPO / "tests" / "fixtures" / "small_org.toml").read_text(encoding="utf-8")
    return text[text.index("[rules.member_meeting]") :]


def synthetic_config(
    branches: int, members: int, *, seed: int = 20261124, store: str = "sqlite:///zhibu.db", extra: str = ""
) -> str:
    """A config for one 党委 with ``branches`` branches of ``members`` people each; its secretary
    is the login running this (so that login may record anywhere in it)."""
    rng = random.Random(seed)
    lines = [
        "[org]",
        f'name = "合成测试党委（{branches} 个支部）"',
        "",
        "[store]",
        f'url = "{store}"',
        "",
        extra,
        "[[units]]",
        'id = "dw"',
        'name = "合成测试党委"',
        'kind = "committee"',
        "",
        "[[people]]",
        'id = "dwsj"',
        'name = "党委书记"',
        'unit = "dw"',
        'roles = ["书记"]',
        'email = "dwsj@example.org"',
        f'login = "{login_of_uid(os.getuid())}"',
        "",
    ]
    for b in range(1, branches + 1):
        unit = f"zb{b:03d}"
        lines += ["[[units]]", f'id = "{unit}"', f'name = "第{b}党支部"', 'kind = "branch"', 'parent = "dw"', ""]
        for m in range(1, members + 1):
            ident = f"{unit}m{m:03d}"
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
            roles = {1: '["书记"]', 2: '["组织委员", "党费收缴人"]', 3: '["宣传委员"]'}.get(m, "[]")
            status = "probationary" if m > 3 and rng.random() < 0.08 else "full"
            lines += [
                "[[people]]",
                f'id = "{ident}"',
                f'name = "{name}"',
                f'unit = "{unit}"',
                f"roles = {roles}",
                f'status = "{status}"',
                f'email = "{ident}@example.org"',
                "",
            ]
    return "\n".join(lines) + "\n" + example_rules()


def with_email_channel(config: str, smtp_url: str) -> str:
    """The config with its digests sent by email through ``smtp_url``."""
    block = f'[notify]\nemail_channel = "mail"\n\n[channels.mail]\nurl = "{smtp_url}"\n\n'
    return re.sub(r"\[\[units\]\]", block + "[[units]]", config, count=1)


@dataclass(frozen=True)
class Size:
    """An organization shape: 党委 under one top committee, branches per 党委, members per branch."""

    name: str
    committees: int
    branches: int
    members: int

    @property
    def total_branches(self) -> int:
        """Branches in all."""
        return self.committees * self.branches

    @property
    def total_members(self) -> int:
        """Members in all (leaders not counted)."""
        return self.total_branches * self.members


SIZES = {
    "ju": Size("ju", 1, 10, 30),  # a 局: 1 党委, 10 branches, 300 members
    "city": Size("city", 20, 50, 30),  # 1,000 branches, 30,000 members
    "province": Size("province", 200, 100, 25),  # 20,000 branches, 500,000 members
}
LEADERS = 6  # per 党委, each with 3 contact branches
CONTACTS = 3


def write_org(size: Size, folder: Path, *, seed: int = 20261124, store: str = "sqlite:///zhibu.db") -> Path:
    """Write ``folder/zhibu.toml`` (units, leaders, the whole catalogue) and ``folder/roster.csv``
    (every member, Chinese headers) for ``size``; returns the config's path. Deterministic."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    units = [
        "[org]",
        f'name = "合成测试（{size.name}）"',
        "",
        "[store]",
        f'url = "{store}"',
        "",
        "[catalogue]",
        'enable = "all"',
        "",
        "[roster]",
        'files = ["roster.csv"]',
        "",
        "[[units]]",
        'id = "top"',
        'name = "机关工委"',
        'kind = "committee"',
        "",
    ]
    people: list[str] = []
    roster = [
        [
            "编号",
            "姓名",
            "所在支部",
            "人员类别",
            "职务",
            "入党时间",
            "申请入党时间",
            "确定积极分子时间",
            "缴费基数",
            "邮箱",
        ]
    ]
    for c in range(1, size.committees + 1):
        committee = f"dw{c:03d}"
        units += ["[[units]]", f'id = "{committee}"', f'name = "第{c}党委"', 'kind = "committee"', 'parent = "top"', ""]
        branches = [f"{committee}zb{b:03d}" for b in range(1, size.branches + 1)]
        for b, branch in enumerate(branches, start=1):
            units += ["[[units]]", f'id = "{branch}"', f'name = "第{c}党委第{b}支部"', 'kind = "branch"']
            units += [f'parent = "{committee}"', ""]
            for m in range(1, size.members + 1):
                ident = f"{branch}m{m:03d}"
                name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
                roles = {1: "书记", 2: "组织委员、党费收缴人", 3: "宣传委员", 4: "纪检委员"}.get(m, "")
                status, applied, activist = "正式党员", "", ""
                if m == size.members:
                    status, applied = "入党申请人", f"2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 28):02d}"
                elif m == size.members - 1:
                    status, activist = "入党积极分子", f"2025-{rng.randrange(1, 13):02d}-{rng.randrange(1, 28):02d}"
                joined = f"{rng.randrange(1980, 2025)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 28):02d}"
                base = rng.randrange(3000, 16000, 100) if status == "正式党员" else ""
                email = f"{ident}@example.org" if m <= 4 else ""
                roster.append(
                    [
                        ident,
                        name,
                        branch,
                        status,
                        roles,
                        joined if status == "正式党员" else "",
                        applied,
                        activist,
                        str(base),
                        email,
                    ]
                )
        for leader in range(1, LEADERS + 1):
            contacts = rng.sample(branches, min(CONTACTS, len(branches)))
            people += [
                "[[people]]",
                f'id = "{committee}ld{leader}"',
                f'name = "{rng.choice(SURNAMES)}{rng.choice(GIVEN)}"',
                f'unit = "{committee}"',
                f"roles = {json.dumps(['书记', '领导班子成员'] if leader == 1 else ['领导班子成员'], ensure_ascii=False)}",
                f"contact_units = {json.dumps(contacts)}",
                f'email = "{committee}ld{leader}@example.org"',
                "",
            ]
    (folder / "zhibu.toml").write_text("\n".join(units + people) + "\n", encoding="utf-8")
    with (folder / "roster.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(roster)
    return folder / "zhibu.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--branches", type=int, default=10)
    parser.add_argument("--members", type=int, default=30)
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--size", choices=sorted(SIZES), help="write a whole org (config + roster) instead")
    parser.add_argument("--out", type=Path, default=Path("bench-org"), help="folder for --size")
    args = parser.parse_args()
    if args.size:
        print(write_org(SIZES[args.size], args.out, seed=args.seed))
        return
    print(synthetic_config(args.branches, args.members, seed=args.seed))


if __name__ == "__main__":
    main()
