"""Party dues (党费): the monthly amount from a member's base, by the 2008 rules (pure).

关于中国共产党党费收缴、使用和管理的规定（2008）: on the whole monthly income after tax —
≤3000 元 0.5%, ≤5000 元 1%, ≤10000 元 1.5%, above 2%. Retirees: ≤5000 元 0.5%, above 1%.
Students, the unemployed and others pay a fixed amount set by their branch.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
WORKING_BRACKETS: tuple[tuple[Decimal | None, Decimal], ...] = (
    (Decimal(3000), Decimal("0.005")),
    (Decimal(5000), Decimal("0.01")),
    (Decimal(10000), Decimal("0.015")),
    (None, Decimal("0.02")),
)
RETIREE_BRACKETS: tuple[tuple[Decimal | None, Decimal], ...] = (
    (Decimal(5000), Decimal("0.005")),
    (None, Decimal("0.01")),
)
MONTHS_PER_PERIOD = {"month": 1, "quarter": 3, "half": 6, "year": 12}


def rate_of(base: Decimal | None, *, retired: bool = False) -> Decimal | None:
    """The bracket's rate for a monthly ``base`` (None without a base)."""
    if base is None:
        return None
    for ceiling, rate in RETIREE_BRACKETS if retired else WORKING_BRACKETS:
        if ceiling is None or base <= ceiling:
            return rate
    raise AssertionError("the last bracket has no ceiling")


def monthly_dues(base: Decimal | None, *, retired: bool = False, fixed: Decimal | None = None) -> Decimal | None:
    """The monthly amount in yuan, or None when the roster gives neither a base nor a fixed amount."""
    if fixed is not None:
        return fixed.quantize(CENT, ROUND_HALF_UP)
    rate = rate_of(base, retired=retired)
    if base is None or rate is None:
        return None
    return (base * rate).quantize(CENT, ROUND_HALF_UP)


def dues_for_period(monthly: Decimal, every: str) -> Decimal:
    """What a task of the dues rule's period (month, quarter, …) asks for."""
    return (monthly * MONTHS_PER_PERIOD.get(every, 1)).quantize(CENT, ROUND_HALF_UP)
