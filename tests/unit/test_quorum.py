"""Quorum: more than half of the voting members (probationary members do not vote)."""

from __future__ import annotations

import pytest

from tests.conftest import EXAMPLE
from workflows.config.load import load_config
from workflows.errors import UsageError
from workflows.quorum import Attendance, check_quorum
from workflows.roster import roster_from_config

# zb1: 7 members (张伟 李娜 陈强 赵磊 孙丽 周杰 and probationary 吴霞) → 6 voters; committee of 3.
ROSTER = roster_from_config(load_config(EXAMPLE))


def test_branch_counts_include_its_party_groups() -> None:
    verdict = check_quorum("members", ROSTER, "zb1", Attendance(attendees=7))
    assert (verdict.expected, verdict.voting_expected, verdict.met) == (7, 6, True)


@pytest.mark.parametrize(
    ("attendees", "met"),
    [
        (5, True),  # at worst 4 of 6 voters came: more than half
        (4, None),  # 3 or 4 voters: cannot tell without names
        (3, False),  # at most 3 of 6: not more than half
    ],
)
def test_head_count_bounds_the_voters(attendees: int, met: bool | None) -> None:
    assert check_quorum("members", ROSTER, "zb1", Attendance(attendees=attendees)).met is met


def test_names_decide_when_the_count_cannot() -> None:
    # 4 present, but one is the probationary member: 3 of 6 voters is not more than half.
    verdict = check_quorum("members", ROSTER, "zb1", Attendance(present=["张伟", "lina", "陈强", "吴霞"]))
    assert (verdict.present, verdict.voting_present_min, verdict.met) == (4, 3, False)
    verdict = check_quorum("members", ROSTER, "zb1", Attendance(absent=["吴霞", "孙丽"]))
    assert (verdict.present, verdict.voting_present_min, verdict.met) == (5, 5, True)


def test_committee_quorum_is_more_than_half_of_the_committee() -> None:
    assert check_quorum("committee", ROSTER, "zb1", Attendance(present=["张伟", "李娜"])).met is True
    assert check_quorum("committee", ROSTER, "zb1", Attendance(absent=["张伟", "李娜"])).met is False


def test_unknown_attendee_is_an_error() -> None:
    with pytest.raises(UsageError) as caught:
        check_quorum("members", ROSTER, "zb1", Attendance(present=["郑宇"]))  # a zb2 member
    assert "郑宇" in caught.value.message("zh")


def test_no_attendance_gives_no_verdict() -> None:
    verdict = check_quorum("members", ROSTER, "zb1", Attendance())
    assert verdict.met is None
    assert verdict.present is None
