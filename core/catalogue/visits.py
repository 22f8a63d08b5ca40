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
}
