from __future__ import annotations

from collections.abc import Callable

from typer.testing import Result


def test_village_and_staff_commands(invoke: Callable[..., Result]) -> None:
    result = invoke("village", "add", "幸福村", "--township", "城关镇", "--point-value", "0.5")
    assert result.exit_code == 0, result.output
    assert "已新建村：幸福村" in result.output
    again = invoke("village", "add", "幸福村")
    assert again.exit_code == 1
    assert "已存在" in again.output
    assert invoke("staff", "add", "王文书", "--role", "committee", "-v", "幸福村").exit_code == 0
    bad = invoke("staff", "add", "李四", "--role", "boss", "-v", "幸福村")
    assert bad.exit_code == 1 and "未知角色" in bad.output
    listed = invoke("staff", "list", "-v", "幸福村")
    assert "王文书" in listed.output and "村两委" in listed.output
    assert invoke("ledger", "verify").exit_code == 0


def test_blank_names_are_refused(invoke: Callable[..., Result]) -> None:
    for blank in ("", "   ", "\t"):
        village = invoke("village", "add", blank)
        assert village.exit_code == 1 and "村名不能为空" in village.output, village.output
    assert "幸福村" not in invoke("village", "list").output
    added = invoke("village", "add", " 幸福村 ")
    assert added.exit_code == 0 and "已新建村：幸福村（" in added.output

    staff = invoke("staff", "add", "  ", "--role", "committee", "-v", "幸福村")
    assert staff.exit_code == 1 and "工作人员姓名不能为空" in staff.output, staff.output
    too_long = invoke("staff", "add", "张" * 65, "--role", "committee", "-v", "幸福村")
    assert too_long.exit_code == 1 and "太长" in too_long.output
    assert invoke("staff", "add", " 王文书 ", "--role", "committee", "-v", "幸福村").exit_code == 0
    twice = invoke("staff", "add", "王文书", "--role", "committee", "-v", "幸福村")
    assert twice.exit_code == 1 and "已在幸福村登记" in twice.output


def test_village_settings_out_of_range_are_refused(invoke: Callable[..., Result]) -> None:
    assert invoke("village", "add", "幸福村").exit_code == 0
    assert invoke("staff", "add", "王文书", "--role", "committee", "-v", "幸福村").exit_code == 0
    by = ("-v", "幸福村", "--by", "王文书")
    for option, value, said in (
        ("--point-value", "1e20", "1 积分折合金额超出范围"),
        ("--point-value", "0.001", "最多两位小数"),
        ("--point-value", "NaN", "不是有效的数字"),
        ("--point-value", "-1", "1 积分折合的金额"),
        ("--point-value", "0", "1 积分折合的金额"),
        ("--publicity-days", "1000", "公示天数超出范围"),
        ("--commend-bonus", "2000000000", "年度表彰奖励积分超出范围"),
    ):
        result = invoke("village", "set", *by, option, value)
        assert result.exit_code == 1, result.output
        assert said in result.output.replace("\n", "") and "Traceback" not in result.output
    assert "1.00" in invoke("village", "list").output.replace("\n", "")
