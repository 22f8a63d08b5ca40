"""Catalogue entries: CLI output shared by several commands (villages, staff, db)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "db_upgraded": ("数据库已是最新结构：{url}", "Database schema is up to date: {url}"),
    "village_created": (
        "已新建村：{name}（编号 {id}，1 积分 = {value} 元，公示 {days} 天）",
        "Village created: {name} (id {id}, 1 point = {value} yuan, notice {days} days)",
    ),
    "village_updated": ("已更新{name}的设置", "Settings of {name} updated"),
    "staff_created": (
        "已登记工作人员：{name}（编号 {id}，{role}，{village}）",
        "Staff registered: {name} (id {id}, {role}, {village})",
    ),
    "col_id": ("编号", "ID"),
    "col_name": ("名称", "Name"),
    "col_village": ("村", "Village"),
    "col_township": ("乡镇", "Township"),
    "col_point_value": ("1积分折合(元)", "Yuan per point"),
    "col_publicity_days": ("公示天数", "Notice days"),
    "col_role": ("角色", "Role"),
    "col_household": ("所属户", "Household"),
    "col_phone": ("电话", "Phone"),
    "col_time": ("时间", "Time"),
    "col_amount": ("积分", "Points"),
    "col_balance_after": ("结余", "Balance"),
    "col_kind": ("类型", "Kind"),
    "col_reason": ("原因", "Reason"),
    "col_actor": ("经办人", "By"),
    "balance_line": (
        "{name}（{number}）积分余额：{balance} 分，折合 {yuan} 元",
        "{name} ({number}) balance: {balance} points = {yuan} yuan",
    ),
    "reversed": (
        "已冲正记录 #{entry_id}：新记录 #{id}，{amount:+d} 分，余额 {balance} 分",
        "Entry #{entry_id} reversed by #{id} ({amount:+d}); balance {balance}",
    ),
    "verify_problem_line": (
        "户 #{household}  记录 #{entry}  {problem}（{detail}）",
        "household #{household} entry #{entry} {problem} ({detail})",
    ),
}
