"""``xiangxin roster import/list/show/chronic``: summaries, bad-row tables, exit codes, masking."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from typer.testing import Result

from tests.test_roster import (
    CHRONIC_HEADER,
    FAMILY_ROWS,
    LI,
    ZHANG,
    ZHANG_WIFE,
    bad_checksum,
    with_chronic,
    write_xlsx,
)

Invoke = Callable[..., Result]


def test_import_list_show(invoke: Invoke, tmp_path: Path) -> None:
    assert invoke("village", "add", "幸福村").exit_code == 0
    path = write_xlsx(tmp_path / "名单.xlsx", FAMILY_ROWS)
    result = invoke("roster", "import", str(path), "--village", "幸福村")
    assert result.exit_code == 0, result.output
    assert "新增 2 户、更新 0 户、成员 5 人" in result.output

    again = invoke("roster", "import", str(path))
    assert again.exit_code == 0, again.output
    assert "新增 0 户、更新 0 户、成员 5 人" in again.output
    assert "未变 2 户" in again.output

    listed = invoke("roster", "list", "--village", "幸福村")
    assert listed.exit_code == 0, listed.output
    assert "X001" in listed.output and "张三" in listed.output and "脱贫户" in listed.output
    assert "138****5678" in listed.output and "13812345678" not in listed.output
    assert "共 2 户" in listed.output

    shown = invoke("roster", "show", "X001")
    assert shown.exit_code == 0, shown.output
    assert "王芳" in shown.output and "配偶" in shown.output
    assert ZHANG[:4] + "*" * 10 + ZHANG[-4:] in shown.output
    for secret in (ZHANG, ZHANG_WIFE, "13812345678", "19560302"):
        assert secret not in shown.output
    missing = invoke("roster", "show", "X999")
    assert missing.exit_code == 1 and "找不到户" in missing.output


def test_bad_rows_stop_unless_skipped(invoke: Invoke, tmp_path: Path) -> None:
    assert invoke("village", "add", "幸福村").exit_code == 0
    rows = [
        *FAMILY_ROWS,  # rows 3-7
        [None, "缺编号", None, None, "幸福村", None, None, None, None, None, None],  # 8
        ["X010", "错电话", None, "1381234", "幸福村", None, None, None, None, None, None],  # 9
        ["X011", "错证号", bad_checksum(LI), None, "幸福村", None, None, None, None, None, None],
        ["X012", "外村人", None, None, "幸运村", None, None, None, None, None, None],  # 11
    ]
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    stopped = invoke("roster", "import", str(path), "--village", "幸福村")
    assert stopped.exit_code == 1
    out = stopped.output
    assert "没有写入任何数据" in out and "--skip-bad" in out
    for row, reason in (("8", "缺少户编号"), ("9", "电话"), ("10", "校验位"), ("11", "幸运村")):
        assert any(
            line.strip(" │┃|").startswith(row) and reason in line for line in out.splitlines()
        ), (
            row,
            out,
        )
    assert bad_checksum(LI) not in out and "1381234" not in out
    assert "还没有登记农户" in invoke("roster", "list", "-v", "幸福村").output

    skipped = invoke("roster", "import", str(path), "--village", "幸福村", "--skip-bad")
    assert skipped.exit_code == 0, skipped.output
    assert "新增 2 户" in skipped.output
    assert "导入 2 户（5 人），跳过 4 户、0 人" in skipped.output
    assert "跳过的户：第 8、9、10、11 行" in skipped.output
    assert "缺少户编号" in skipped.output
    assert "共 2 户" in invoke("roster", "list", "-v", "幸福村").output


def test_file_problems_are_plain_chinese(invoke: Invoke, tmp_path: Path) -> None:
    missing = invoke("roster", "import", str(tmp_path / "无此文件.xlsx"), "-v", "幸福村")
    assert missing.exit_code == 1 and "找不到文件" in missing.output
    assert "Traceback" not in missing.output
    old = tmp_path / "名单.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    unsupported = invoke("roster", "import", str(old), "-v", "幸福村")
    assert unsupported.exit_code == 1 and "不支持的文件类型" in unsupported.output
    path = write_xlsx(tmp_path / "名单.xlsx", FAMILY_ROWS)
    unknown = invoke("roster", "import", str(path), "-v", "无名村")
    assert unknown.exit_code == 1 and "找不到村" in unknown.output


def _member_line(output: str, name: str) -> str:
    """The line of the members table that names ``name``."""
    lines = [line for line in output.splitlines() if f"│ {name} " in line]
    assert len(lines) == 1, output
    return lines[0]


def test_chronic_column_and_command(invoke: Invoke, tmp_path: Path) -> None:
    assert invoke("village", "add", "幸福村").exit_code == 0
    assert invoke("staff", "add", "周主任", "--role", "committee", "-v", "幸福村").exit_code == 0
    assert invoke("staff", "add", "吴店主", "--role", "shopkeeper", "-v", "幸福村").exit_code == 0
    rows = with_chronic(FAMILY_ROWS, "是", None, "否", None, None)
    path = write_xlsx(tmp_path / "名单.xlsx", rows, header=CHRONIC_HEADER)
    result = invoke("roster", "import", str(path), "--village", "幸福村")
    assert result.exit_code == 0, result.output

    shown = invoke("roster", "show", "X001", "-v", "幸福村")
    assert shown.exit_code == 0, shown.output
    assert "慢病" in shown.output
    assert ZHANG[:4] + "*" * 10 + ZHANG[-4:] in _member_line(shown.output, "张三")  # no wrap
    assert "是" in _member_line(shown.output, "张三")
    assert "否" in _member_line(shown.output, "王芳")

    marked = invoke("roster", "chronic", "X001", "王芳", "-v", "幸福村", "-b", "周主任")
    assert marked.exit_code == 0, marked.output
    assert "已将 X001 户 王芳 登记为慢性病患者" in marked.output
    assert "原已如此" not in marked.output
    again = invoke("roster", "chronic", "X001", "王芳", "--yes", "-v", "幸福村", "-b", "周主任")
    assert again.exit_code == 0 and "原已如此" in again.output
    shown = invoke("roster", "show", "X001")
    assert "是" in _member_line(shown.output, "王芳")

    cleared = invoke("roster", "chronic", "X001", "张三", "--no", "-v", "幸福村", "-b", "周主任")
    assert cleared.exit_code == 0, cleared.output
    assert "已取消 X001 户 张三 的慢性病登记" in cleared.output
    assert "否" in _member_line(invoke("roster", "show", "X001").output, "张三")

    refused = invoke("roster", "chronic", "X001", "张三", "-v", "幸福村", "-b", "吴店主")
    assert refused.exit_code == 1
    assert "吴店主没有权限" in refused.output and "村两委" in refused.output
    assert "否" in _member_line(invoke("roster", "show", "X001").output, "张三")

    nobody = invoke("roster", "chronic", "X001", "李小花", "-v", "幸福村", "-b", "周主任")
    assert nobody.exit_code == 1 and "户 X001 没有在册成员“李小花”" in nobody.output
    no_house = invoke("roster", "chronic", "X999", "王芳", "-v", "幸福村", "-b", "周主任")
    assert no_house.exit_code == 1 and "找不到户" in no_house.output
    assert "Traceback" not in refused.output + nobody.output + no_house.output


def test_bad_chronic_value_stops_the_import(invoke: Invoke, tmp_path: Path) -> None:
    assert invoke("village", "add", "幸福村").exit_code == 0
    rows = with_chronic(FAMILY_ROWS, "是", "高血压", None, None, None)
    path = write_xlsx(tmp_path / "名单.xlsx", rows, header=CHRONIC_HEADER)
    result = invoke("roster", "import", str(path), "--village", "幸福村")
    assert result.exit_code == 1
    assert any(
        line.strip(" │┃|").startswith("4") and "慢性病“高血压”无效" in line
        for line in result.output.splitlines()
    ), result.output
    assert "还没有登记农户" in invoke("roster", "list", "-v", "幸福村").output
