"""The organization's vocabulary: unit kinds, member statuses and roles, in English and Chinese.

Config and roster files may use either the English id (``secretary``) or the Chinese term a
secretary would write (``书记``); everything inside zhibu uses the English id.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

E = TypeVar("E", bound=str)


class UnitKind(StrEnum):
    """党委 → 党总支 → 党支部 → 党小组."""

    COMMITTEE = "committee"
    GENERAL_BRANCH = "general_branch"
    BRANCH = "branch"
    GROUP = "group"


class Status(StrEnum):
    """Where a person stands on the path to and in membership."""

    FULL = "full"
    PROBATIONARY = "probationary"
    ACTIVIST = "activist"
    TARGET = "target"
    APPLICANT = "applicant"


UNIT_KIND_NAMES: dict[UnitKind, tuple[str, str]] = {
    UnitKind.COMMITTEE: ("党委", "party committee"),
    UnitKind.GENERAL_BRANCH: ("党总支", "general branch"),
    UnitKind.BRANCH: ("党支部", "branch"),
    UnitKind.GROUP: ("党小组", "party group"),
}

# Which kinds may sit directly under which: a committee may hold branches directly.
ALLOWED_PARENTS: dict[UnitKind, frozenset[UnitKind]] = {
    UnitKind.COMMITTEE: frozenset({UnitKind.COMMITTEE}),
    UnitKind.GENERAL_BRANCH: frozenset({UnitKind.COMMITTEE}),
    UnitKind.BRANCH: frozenset({UnitKind.COMMITTEE, UnitKind.GENERAL_BRANCH}),
    UnitKind.GROUP: frozenset({UnitKind.BRANCH, UnitKind.GENERAL_BRANCH}),
}

STATUS_NAMES: dict[Status, tuple[str, str]] = {
    Status.FULL: ("正式党员", "full member"),
    Status.PROBATIONARY: ("预备党员", "probationary member"),
    Status.ACTIVIST: ("入党积极分子", "activist"),
    Status.TARGET: ("发展对象", "development target"),
    Status.APPLICANT: ("入党申请人", "applicant"),
}

# role id -> (zh, en)
ROLE_NAMES: dict[str, tuple[str, str]] = {
    "secretary": ("书记", "secretary"),
    "deputy-secretary": ("副书记", "deputy secretary"),
    "committee-member": ("委员", "committee member"),
    "organization-member": ("组织委员", "organization member"),
    "propaganda-member": ("宣传委员", "propaganda member"),
    "discipline-member": ("纪检委员", "discipline member"),
    "group-leader": ("党小组长", "party group leader"),
    "party-affairs-officer": ("党务专干", "party affairs officer"),
    "dues-collector": ("党费收缴人", "dues collector"),
    "leader": ("领导班子成员", "leadership member"),
}

# The members of a unit's committee (支委会/党委会): used for the committee quorum.
COMMITTEE_ROLES: frozenset[str] = frozenset(
    {
        "secretary",
        "deputy-secretary",
        "committee-member",
        "organization-member",
        "propaganda-member",
        "discipline-member",
    }
)

# Statuses that make someone a party member of the unit (and so expected at meetings).
MEMBER_STATUSES: frozenset[Status] = frozenset({Status.FULL, Status.PROBATIONARY})
# Probationary members attend but do not vote.
VOTING_STATUSES: frozenset[Status] = frozenset({Status.FULL})


def _aliases(names: dict[E, tuple[str, str]]) -> dict[str, E]:
    table: dict[str, E] = {}
    for ident, (zh, en) in names.items():
        table[str(ident)] = ident
        table[zh] = ident
        table[en] = ident
        table[str(ident).replace("-", "_")] = ident
    return table


UNIT_KIND_ALIASES: dict[str, UnitKind] = _aliases(UNIT_KIND_NAMES) | {
    "总支": UnitKind.GENERAL_BRANCH,
    "支部": UnitKind.BRANCH,
    "机关党委": UnitKind.COMMITTEE,
    "党组": UnitKind.COMMITTEE,
}
STATUS_ALIASES: dict[str, Status] = _aliases(STATUS_NAMES) | {
    "党员": Status.FULL,
    "积极分子": Status.ACTIVIST,
    "申请人": Status.APPLICANT,
}
ROLE_ALIASES: dict[str, str] = _aliases(ROLE_NAMES) | {
    "支委": "committee-member",
    "支委委员": "committee-member",
    "党委委员": "committee-member",
    "支部书记": "secretary",
    "党委书记": "secretary",
    "收缴人": "dues-collector",
    "领导": "leader",
}


def normalize_role(value: str) -> str | None:
    """The role id for an English or Chinese role name, or None if unknown."""
    return ROLE_ALIASES.get(value.strip())


def normalize_status(value: str) -> Status | None:
    """The status for an English or Chinese status name, or None if unknown."""
    return STATUS_ALIASES.get(value.strip())


def normalize_unit_kind(value: str) -> UnitKind | None:
    """The unit kind for an English or Chinese name, or None if unknown."""
    return UNIT_KIND_ALIASES.get(value.strip())


# Events that call for a visit (五必访) or a talk (五必谈); configs may name others of their own.
EVENT_NAMES: dict[str, tuple[str, str]] = {
    "hospitalized": ("生病住院", "hospitalized"),
    "disaster": ("遭遇天灾人祸", "struck by disaster"),
    "bereavement": ("党员病逝", "death of a member"),
    "hardship": ("生产生活困难", "hardship"),
    "job_change": ("工作职务变动", "change of job"),
    "commendation": ("受到表彰奖励", "commendation"),
    "discipline": ("受到处罚批评", "discipline"),
    "wavering": ("思想波动", "difficulty or wavering"),
    "integrity_report": ("廉洁方面有反映", "integrity complaint"),
    "after_appraisal": ("党性分析评议后", "after a Party-spirit appraisal"),
}
EVENT_ALIASES: dict[str, str] = _aliases(EVENT_NAMES) | {
    "住院": "hospitalized",
    "病逝": "bereavement",
    "困难": "hardship",
    "工作变动": "job_change",
}
