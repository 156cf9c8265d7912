"""The draft 工作汇报 from the simulated year (tests/e2e/year.py: a meeting held late, a 党课 waived,
a member who never pays, a problem found and closed): every figure equals the report's, the
placeholders are there, and the Word document opens with its headings — and, where LibreOffice
is installed (CI installs it), renders to a PDF whose first page is the title."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from tests.e2e.year import Year

AFTER = "2027-01-05T09:00"
HEADINGS = [
    "一、组织建设",
    "二、“三会一课”与组织生活",
    "三、党员教育管理",
    "四、党费收缴",
    "五、发展党员",
    "六、联系点与问题整改",
    "七、存在的不足",
    "八、下一步打算",
]


def report_counts(year: Year, unit: str, period: str) -> dict[str, Counter[str]]:
    import json

    result = year.run("report", "--period", period, "--unit", unit, "--now", AFTER, "--format", "json")
    assert result.exit_code == 0, result.output
    counts: dict[str, Counter[str]] = {}
    for row in json.loads(result.stdout)["summary"]:
        found = counts.setdefault(row["rule"], Counter())
        for outcome in ("required", "on_time", "late", "waived", "missing", "pending"):
            found[outcome] += row[outcome]
    return counts


def draft(year: Year, unit: str, period: str, *before: str) -> str:
    result = year.run(*before, "report", "--summary", "--period", period, "--unit", unit, "--now", AFTER)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_branch_draft_says_what_its_report_counts(year: Year) -> None:
    text = draft(year, "zb1", "2026")
    counts = report_counts(year, "zb1", "2026")
    assert text.startswith("# 办公室党支部2026年党建工作汇报")
    assert [line[3:] for line in text.splitlines() if line.startswith("## ")] == HEADINGS
    meetings = counts["member_meeting"]
    said = re.search(r"召开支部党员大会(\d+)次（应开(\d+)次", text)
    assert said is not None, text
    assert (int(said[1]), int(said[2])) == (meetings["on_time"] + meetings["late"], meetings["required"])
    theme = counts["theme_day"]
    said = re.search(r"开展主题党日(\d+)次（应开(\d+)次，其中逾期(\d+)次", text)
    assert said is not None, text
    assert [int(n) for n in said.groups()] == [theme["on_time"] + theme["late"], theme["required"], theme["late"]]
    assert theme["late"] >= 1  # May's was held after its deadline
    lecture = counts["party_lecture"]
    assert f"经批准免于单独召开{lecture['waived']}次" in text  # the waived 党课
    dues = counts["dues"]
    said = re.search(r"缴纳党费：应缴(\d+)人次，按时缴纳(\d+)人次，补缴(\d+)人次，未缴(\d+)人次", text)
    assert said is not None, text
    assert [int(n) for n in said.groups()] == [dues["required"], dues["on_time"], dues["late"], dues["missing"]]
    assert dues["missing"] >= 1  # the member who never pays
    shortfalls = text.split("## 七、存在的不足")[1].split("## 八")[0]
    assert "缴纳党费：应完成" in shortfalls
    assert f"未完成{dues['missing']}项" in shortfalls
    for placeholder in ("【请补充：学习的主要内容和形式】", "【请补充：下一步工作打算】", "【请补充：原因分析】"):
        assert placeholder in text


def test_a_party_draft_adds_up_its_branches(year: Year) -> None:
    text = draft(year, "jgdw", "2026H2")
    counts = report_counts(year, "jgdw", "2026H2")
    assert "2026年下半年" in text
    branches = re.search(r"下设党支部(\d+)个", text)
    assert branches is not None
    assert int(branches[1]) >= 2
    problems = counts.get("rectification")
    if problems:
        said = re.search(r"发现并交办问题(\d+)个，已整改销号(\d+)个", text)
        assert said is not None, text
        assert (int(said[1]), int(said[2])) == (problems["required"], problems["on_time"] + problems["late"])
    english = draft(year, "jgdw", "2026H2", "--lang", "en")
    assert "the second half of 2026" in english
    assert "【To add: the plans for the next period】" in english


def test_the_word_draft_opens_with_its_headings_and_renders(year: Year, tmp_path: Path) -> None:
    from docx import Document

    target = tmp_path / "汇报.docx"
    result = year.run("report", "--summary", "--period", "2026", "--unit", "zb1", "--now", AFTER, "-o", str(target))
    assert result.exit_code == 0, result.output
    document = Document(str(target))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "办公室党支部2026年党建工作汇报"
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == HEADINGS
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert "PAGE" in section.footer._element.xml  # page numbers
    body = next(p for p in document.paragraphs if p.text.startswith("2026年，召开支部党员大会"))
    east_asian = body.runs[0]._element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    )
    assert east_asian == "仿宋_GB2312"
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice is not installed here (CI installs libreoffice-writer-nogui)")
    subprocess.run(
        [office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(target)],
        check=True,
        capture_output=True,
        timeout=180,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    pdf = tmp_path / "汇报.pdf"
    assert pdf.exists()
    shown = subprocess.run(["pdftotext", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True)
    assert "党建工作汇报" in shown.stdout.replace(" ", "")
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", pages)[1]) >= 2  # type: ignore[index]
