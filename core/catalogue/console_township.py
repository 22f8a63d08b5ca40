"""Catalogue entries: the console's login audit, township-wide notices and settings."""

MESSAGES: dict[str, tuple[str, str]] = {
    # the login audit (usecases/login_audit.py, web/console/logins.py)
    "console_audit_nav": ("登录与操作记录", "Logins and actions"),
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
    # the action log (village/action_log.py): who did what, shown under the logins
    "console_actions_title": ("操作记录", "Actions"),
    "console_actions_help": (
        "最近 {count} 条操作（新的在前）：指派帮扶责任人、走访计划、赡养人登记与更正、撤销通知等。"
        "记账、发放、走访等在各自的台账里写明经办人。",
        "The latest {count} actions, newest first: helpers assigned, visit plans, supporters "
        "added and corrected, notices cancelled and the like. Ledger entries, payouts and visits "
        "name their actor in their own records.",
    ),
    "console_actions_col_at": ("时间", "When"),
    "console_actions_col_village": ("村名", "Village"),
    "console_actions_col_actor": ("操作人", "By"),
    "console_actions_col_detail": ("操作", "What"),
    "console_actions_none": ("还没有操作记录", "No actions yet"),
    "action_assign_helper": (
        "把 {count} 户交给帮扶责任人 {helper}：{households}",
        "{count} households given to helper {helper}: {households}",
    ),
    "action_visit_plan": (
        "走访计划改为每 {days} 天（{count} 户）：{households}",
        "Visit plan set to every {days} days ({count} households): {households}",
    ),
    "action_visit_plan_default": (
        "走访计划恢复默认（{count} 户）：{households}",
        "Visit plan back to the default ({count} households): {households}",
    ),
    "action_festival_visits": ("节日走访改为：{festivals}", "Festival visits set to: {festivals}"),
    "action_supporter_text": ("{name}（{relation}，{phone}）", "{name} ({relation}, {phone})"),
    "action_add_supporter": ("登记赡养人 #{id} {supporter}", "Supporter #{id} added: {supporter}"),
    "action_edit_supporter": (
        "更正赡养人 #{id}：{before} → {after}",
        "Supporter #{id} corrected: {before} → {after}",
    ),
    "action_end_pledge": (
        "赡养承诺 #{id} 截止到 {month}",
        "Pledge #{id} ended with {month}",
    ),
    "action_elder_age": (
        "孝善基金老人年龄改为 {age} 岁及以上",
        "Fund elders are now {age} and over",
    ),
    "action_chronic_illness_on": (
        "户 {number} 的 {name} 标为慢性病",
        "{name} of household {number} marked chronically ill",
    ),
    "action_chronic_illness_off": (
        "户 {number} 的 {name} 取消慢性病标记",
        "{name} of household {number}: chronic illness mark cleared",
    ),
    "action_import_roster": (
        "导入名单《{source}》：本村 {count} 户",
        "Roster {source} imported: {count} households of this village",
    ),
    "action_village_settings": ("修改村设置：{changes}", "Village settings changed: {changes}"),
    "action_cancel_notice": (
        "撤销通知 #{id}「{title}」，作废未发消息 {count} 条",
        'Notice #{id} "{title}" cancelled, {count} unsent messages void',
    ),
    "console_trusted_proxies_bad": (
        "XIANGXIN_TRUSTED_PROXIES 里有不是 IP 地址或网段的值：{value}",
        "XIANGXIN_TRUSTED_PROXIES holds something that is not an address or network: {value}",
    ),
}
