"""Deterministic synthetic organizations (fixed seed, fictitious names) written as zhibu configs.

    python -m bench.orgs --branches 30 --members 20 > org.toml

Every branch has a secretary, an organization member who collects dues, a propaganda member and
ordinary members (a few probationary); every person has an email address at example.org. The
rules are the small test org's 三会一课, 主题党日 and quarterly dues.
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

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
    """A config for one 党委 with ``branches`` branches of ``members`` people each."""
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--branches", type=int, default=10)
    parser.add_argument("--members", type=int, default=30)
    parser.add_argument("--seed", type=int, default=20261124)
    args = parser.parse_args()
    print(synthetic_config(args.branches, args.members, seed=args.seed))


if __name__ == "__main__":
    main()
