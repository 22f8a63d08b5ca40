"""Catalogue entries: the console's login audit, township-wide notices and settings."""

MESSAGES: dict[str, tuple[str, str]] = {
    # the login audit (usecases/login_audit.py, web/console/logins.py)
    "console_audit_nav": ("登录记录", "Logins"),
    "console_audit_title": ("{village} 登录记录", "{village}: console logins"),
    "console_audit_county_title": ("全县登录记录", "Console logins, whole county"),
    "console_audit_help": (
        "最近 {count} 次登录尝试（新的在前）。不认识的地址或姓名反复失败，请提醒本人改密码"
        "（xiangxin staff password）。",
        "The latest {count} login tries, newest first. Repeated failures from an unknown "
        "address or name: ask the person to change their password (xiangxin staff password).",
    ),
    "console_audit_failed_day": (
        "近 24 小时失败 {count} 次，来自 {peers} 个地址",
        "{count} failed tries in the last 24 hours, from {peers} addresses",
    ),
    "console_audit_col_at": ("时间", "When"),
    "console_audit_col_village": ("村名", "Village"),
    "console_audit_col_name": ("姓名", "Name"),
    "console_audit_col_peer": ("地址", "Address"),
    "console_audit_col_result": ("结果", "Result"),
    "console_audit_col_ended": ("退出时间", "Logged out"),
    "console_audit_ok": ("登录成功", "Logged in"),
    "console_audit_inactive": ("账号已停用", "Account switched off"),
    "console_audit_wrong": ("密码不对或无此账号", "Wrong password or no such account"),
    "console_audit_county": ("（县、乡）", "(county)"),
    "console_audit_none": ("还没有登录记录", "No logins yet"),
    "console_trusted_proxies_bad": (
        "XIANGXIN_TRUSTED_PROXIES 里有不是 IP 地址或网段的值：{value}",
        "XIANGXIN_TRUSTED_PROXIES holds something that is not an address or network: {value}",
    ),
}
