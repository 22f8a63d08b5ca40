"""Messages: household search, helper cadres (帮扶责任人) and home visits (走访)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # search
    "search_empty": (
        "请输入要查找的户编号、户主姓名或拼音首字母（如 zsf）",
        "Type a household number, the head's name or pinyin initials (e.g. zsf)",
    ),
    "search_too_long": (
        "查找内容太长（最多 {limit} 个字）",
        "The search text is too long (at most {limit} characters)",
    ),
    # assignments
    "visit_no_households": ("请至少指定一户", "Name at least one household"),
    "visit_not_a_helper": (
        "{name}不是{village}在册的帮扶责任人，不能分配农户",
        "{name} is not an active helper cadre of {village}",
    ),
    "visit_household_elsewhere": (
        "户 {number} 不属于{village}",
        "Household {number} does not belong to {village}",
    ),
    "visit_not_assigned": (
        "{actor}不是{head}（{number}）的帮扶责任人，不能登记这次走访",
        "{actor} is not the helper of {head} ({number}) and cannot log this visit",
    ),
    # logging a visit
    "visit_method_in_person": ("入户", "in person"),
    "visit_method_phone": ("电话", "by phone"),
    "visit_bad_method": (
        "走访方式“{value}”无效（可选：{choices}）",
        "Unknown visit method {value} (choices: {choices})",
    ),
    "visit_date_future": (
        "走访日期 {date} 还没到，不能提前登记",
        "The visit date {date} is in the future",
    ),
    "visit_date_too_old": (
        "走访日期 {date} 已超过一年，不能补登（最早 {earliest}）",
        "The visit date {date} is more than a year ago (earliest {earliest})",
    ),
    "visit_bad_date": (
        "日期“{value}”无效，请写成 2026-03-01 的格式",
        "Invalid date {value}; write it as 2026-03-01",
    ),
    "visit_note_too_long": (
        "走访记录最多 {limit} 个字，现在 {length} 个字",
        "The note may have at most {limit} characters, it has {length}",
    ),
    # status of a household
    "visit_state_overdue": ("逾期", "overdue"),
    "visit_state_this_week": ("本周", "this week"),
    "visit_state_later": ("—", "—"),
    "visit_never": ("未走访", "never"),
    # CLI
    "helpers_assigned": (
        "已将 {count} 户分配给帮扶责任人{helper}",
        "{count} household(s) assigned to {helper}",
    ),
    "helpers_already": (
        "另有 {count} 户原已由{helper}负责，未变",
        "{count} more were already {helper}'s; unchanged",
    ),
    "helpers_title": (
        "{helper}负责的农户（{date}，每 {days} 天走访一次）",
        "Households of {helper} ({date}; a visit every {days} days)",
    ),
    "helpers_empty": ("{helper}还没有分配农户", "{helper} has no households yet"),
    "helpers_summary": (
        "共 {total} 户：逾期 {overdue} 户，本周应访 {week} 户",
        "{total} households: {overdue} overdue, {week} due this week",
    ),
    "helpers_col_number": ("户编号", "Household no."),
    "helpers_col_head": ("户主", "Head"),
    "helpers_col_last": ("上次走访", "Last visit"),
    "helpers_col_due": ("应访日期", "Due"),
    "helpers_col_state": ("状态", "Status"),
    "visit_logged": (
        "已登记走访：{head}（{number}），{date}，{method}，登记人 {actor}；下次应访 {due}",
        "Visit logged: {head} ({number}), {date}, {method}, by {actor}; next due {due}",
    ),
    "visit_last_text": ("{date}（{method}）", "{date} ({method})"),
    "visit_checked_fine": ("两不愁三保障：均无问题", "Checklist: all fine"),
    "visit_checked_problems": (
        "两不愁三保障发现问题 {count} 项：{problems}；已转村两委待办",
        "Checklist: {count} problem(s): {problems}; passed to the committee",
    ),
    # visit plans and festival visits (CLI)
    "helpers_col_every": ("走访周期", "Plan"),
    "helpers_every_own": ("每 {days} 天", "every {days} days"),
    "helpers_every_default": ("每 {days} 天（默认）", "every {days} days (default)"),
    "helpers_festivals_line": ("节日走访：{festivals}", "Festival visits: {festivals}"),
    "helpers_festivals_none": ("未开启", "off"),
    "helpers_plan_choose": (
        "请用 --every 天数 指定走访周期，或用 --default 恢复默认（两者选一）",
        "Give either --every DAYS or --default",
    ),
    "helpers_plan_set": (
        "已将 {count} 户的走访周期设为每 {days} 天",
        "{count} household(s) now visited every {days} days",
    ),
    "helpers_plan_reset": (
        "已将 {count} 户恢复默认走访周期（每 {days} 天）",
        "{count} household(s) back to the default plan (every {days} days)",
    ),
    "helpers_festivals_choose": (
        "--on 与 --off 不能同时使用",
        "Use --on or --off, not both",
    ),
    "helpers_festivals_set": (
        "{village}的节日走访：{festivals}",
        "Festival visits of {village}: {festivals}",
    ),
    # importing assignments (CLI)
    "helpers_import_reading": ("读取 {name}", "Reading {name}"),
    "helpers_import_writing": ("分配农户", "Assigning households"),
    "helpers_import_problems_title": (
        "有问题的行（共 {count} 处）",
        "Rows with problems ({count})",
    ),
    "helpers_import_col_row": ("行号", "Row"),
    "helpers_import_col_number": ("户编号", "Household no."),
    "helpers_import_col_reason": ("问题", "Problem"),
    "helpers_import_stopped": (
        "有 {count} 处问题，未导入任何数据；请改正文件后重新导入",
        "{count} problem(s): nothing imported; fix the file and import again",
    ),
    "helpers_import_done": (
        "已读取 {rows} 行：新分配或改派 {assigned} 户，原已分配未变 {unchanged} 户，"
        "设定走访周期 {plans} 户",
        "{rows} rows: {assigned} household(s) assigned or moved, {unchanged} unchanged, "
        "{plans} plan(s) set",
    ),
    "helpers_import_created": (
        "新建帮扶责任人 {count} 名：{names}",
        "{count} new helper(s): {names}",
    ),
}
