"""A roster file's problems are named by row and column, in Chinese or English."""

from __future__ import annotations

from pathlib import Path

from workflows.roster_file import parse_roster, read_rows, unit_lookup

UNITS = unit_lookup([("zb1", "第一党支部")])


def messages(rows: list[list[str]], lang: str) -> list[str]:
    return [e.message.render("zh" if lang == "zh" else "en") for e in parse_roster(rows, UNITS).errors]


def test_header_problems_are_all_reported() -> None:
    rows = [["编号", "姓明", "人员类型"], ["m1", "张三", "正式党员"]]
    assert messages(rows, "zh") == [
        "无法识别的列名“姓明”（可用 --mapping 列名=字段 指定）",
        "无法识别的列名“人员类型”，是否应为“人员类别”？",
        "缺少“姓名”列",
        "缺少“所在支部”列",
    ]
    assert messages(rows, "en") == [
        "unknown column '姓明' (use --mapping HEADER=field)",
        "unknown column '人员类型' — did you mean '人员类别'?",
        "no column '姓名'",
        "no column '所在支部'",
    ]
    assert (
        messages([["编号", "姓名", "所在支部", "QQ号"]], "zh")[0]
        == "无法识别的列名“QQ号”（可用 --mapping 列名=字段 指定）"
    )
    assert messages([], "en") == ["the file is empty"]


def test_cell_problems_name_the_column_as_the_file_does() -> None:
    rows = [
        ["编号", "姓名", "所在支部", "离退休", "固定党费"],
        ["m 1", "张三", "第一党支部", "是", "20"],
        ["m2", "", "第二党支部", "退休", "-5"],
    ]
    found = parse_roster(rows, UNITS)
    assert [(e.row, e.column) for e in found.errors] == [
        (2, "id"),
        (3, "name"),
        (3, "unit"),
        (3, "retired"),
        (3, "dues_fixed"),
    ]
    assert messages(rows, "zh") == [
        "编号“m 1”只能包含字母、数字、汉字和 - _ .",
        "姓名不能为空",
        "所在支部“第二党支部”不是配置中的组织",  # not "did you mean 第一党支部": its number differs
        "离退休“退休”应为“是”或“否”",
        "固定党费“-5”不是金额",
    ]
    assert messages(rows, "en")[2] == "unit '第二党支部': is not a unit in the config"
    mistyped = [["编号", "姓名", "所在支部"], ["m3", "李四", "第一党支布"]]
    assert messages(mistyped, "en") == ["unit '第一党支布': is not a unit in the config — did you mean '第一党支部'?"]
    assert not found.people


def test_a_csv_is_read_a_record_at_a_time_and_a_cell_may_hold_a_line_break(tmp_path: Path) -> None:
    file = tmp_path / "花名册.csv"
    file.write_text(
        "编号,姓名,所在支部,职务\n"
        'm1,张三,第一党支部,"支部书记\n组织委员"\n'  # Excel keeps the line break inside quotes
        "m2,李四,第九党支部,\n",
        encoding="utf-8-sig",
    )
    rows = read_rows(file)
    assert not isinstance(rows, list)  # parsed as it is taken
    found = parse_roster(rows, UNITS, into=lambda person: (person["id"], person["roles"]))
    assert found.people == [("m1", ["secretary", "organization-member"])]
    assert [(e.row, e.column) for e in found.errors] == [(3, "unit")]  # rows as Excel numbers them


def test_the_header_may_follow_a_title_and_common_columns_are_skipped() -> None:
    rows = [
        ["机关第一党支部党员花名册", None, None, None, None],
        [None, None, None, None, None],
        ["序号", "编号", "姓名", "性别", "所在支部", "备注", "籍贯"],
        [1, "m1", "王芳", "女", "第一党支部", "", "河北"],
        [2, "m2", "王芳", "女", "第一党支部", "同名", "山东"],
        [3, "m3", "李四", "男", "第九党支部", "", ""],
    ]
    found = parse_roster(rows, UNITS, {"籍贯": "-"})
    assert [(e.row, e.column) for e in found.errors] == [(6, "unit")]  # the file's own row numbers
    assert found.errors[0].message.render("zh") == "所在支部“第九党支部”不是配置中的组织"
    assert found.ignored == ["序号", "性别", "备注", "籍贯"]
    assert [(w.row, w.message.render("zh")) for w in found.warnings] == [
        (5, "与第 4 行同名（“王芳”在同一支部）：记录出席时请用编号区分")
    ]
    assert [p["id"] for p in found.people] == ["m1", "m2"]


def test_a_roster_without_an_id_column_is_refused_with_why() -> None:
    said = messages([["姓名", "所在支部"], ["王芳", "第一党支部"]], "zh")
    assert said == [
        "缺少“编号”列：每名党员须有不随行序变化的编号（工号、党员编号等），任务编号依它而定；列名不同时用 --mapping 列名=id"
    ]
