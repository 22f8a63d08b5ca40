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
