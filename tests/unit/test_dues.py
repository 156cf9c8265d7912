"""Party dues by the 2008 brackets (on the whole base), retirees' brackets and fixed amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from workflows.dues import dues_for_period, monthly_dues


@pytest.mark.parametrize(
    ("base", "retired", "monthly"),
    [
        ("3000", False, "15.00"),  # 0.5% up to and including 3000
        ("3000.01", False, "30.00"),  # 1% on the whole base above 3000
        ("5000", False, "50.00"),
        ("6800", False, "102.00"),  # 1.5%
        ("10000", False, "150.00"),
        ("12345.67", False, "246.91"),  # 2%, rounded to the fen
        ("5000", True, "25.00"),  # retirees: 0.5% up to 5000
        ("6200", True, "62.00"),  # then 1%
    ],
)
def test_monthly_dues_brackets(base: str, retired: bool, monthly: str) -> None:
    assert monthly_dues(Decimal(base), retired=retired) == Decimal(monthly)


def test_fixed_amount_and_missing_base() -> None:
    assert monthly_dues(Decimal(9000), fixed=Decimal("0.2")) == Decimal("0.20")
    assert monthly_dues(None) is None


def test_amount_for_the_rules_period() -> None:
    assert dues_for_period(Decimal("102.00"), "quarter") == Decimal("306.00")
    assert dues_for_period(Decimal("102.00"), "month") == Decimal("102.00")
