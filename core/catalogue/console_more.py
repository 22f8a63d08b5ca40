"""Catalogue entries: the console's care additions: visit plans, festivals, hardship."""

MESSAGES: dict[str, tuple[str, str]] = {
    # navigation
    "console_more_nav_care": ("帮扶", "Helpers"),
    "console_more_nav_hardship": ("困难求助", "Hardship"),
    # the 帮扶 page
    "console_more_care_title": (
        "{village} 帮扶责任人与走访计划",
        "{village}: helpers and visit plans",
    ),
    "console_more_mine_title": ("{name} 负责的农户", "Households of {name}"),
    "console_more_helpers_title": ("帮扶责任人", "Helper cadres"),
    "console_more_no_helpers": (
        "本村还没有在册的帮扶责任人（可用命令行 helpers import 导入）",
        "No active helper cadres yet (import them with helpers import)",
    ),
    "console_more_households_title": ("农户的帮扶责任人和走访周期", "Households: helper and plan"),
    "console_more_search": ("查找农户", "Find a household"),
    "console_more_search_placeholder": ("户编号、户主姓名或拼音首字母", "Number, name or initials"),
    "console_more_no_households": ("没有找到农户", "No households found"),
    "console_more_no_own": ("您还没有负责的农户", "You have no households yet"),
    "console_more_more": (
        "只列出前 {count} 户，请输入户编号或姓名查找",
        "Only the first {count} are listed; search to narrow",
    ),
    "console_more_col_number": ("户编号", "Number"),
    "console_more_col_head": ("户主", "Head"),
    "console_more_col_helper": ("帮扶责任人", "Helper"),
    "console_more_col_households": ("负责户数", "Households"),
    "console_more_col_plan": ("走访周期", "Plan"),
    "console_more_col_last": ("上次走访", "Last visit"),
    "console_more_col_due": ("应访日期", "Due"),
    "console_more_col_assign": ("分配", "Assign"),
    "console_more_col_set_plan": ("设走访周期", "Set plan"),
    "console_more_unassigned": ("未分配", "unassigned"),
    "console_more_helper_left": ("{name}（已停用）", "{name} (inactive)"),
    "console_more_overdue": ("逾期", "overdue"),
    "console_more_pick": ("选择帮扶责任人", "Choose a helper"),
    "console_more_assign": ("分配", "Assign"),
    "console_more_reassign": ("改派", "Reassign"),
    "console_more_days": ("天数", "Days"),
    "console_more_days_hint": (
        "每几天走访一次（{low}–{high}），留空恢复默认 {default} 天",
        "Days between visits ({low}–{high}); blank: the default {default}",
    ),
    "console_more_set_plan": ("保存", "Save"),
    "console_more_pick_helper": ("请选择帮扶责任人", "Choose a helper"),
    "console_more_assigned": (
        "已将 {number} {head} 分配给帮扶责任人{helper}",
        "{number} {head} is now with helper {helper}",
    ),
    "console_more_assigned_already": (
        "{number} {head} 的帮扶责任人已是{helper}，未改动",
        "{number} {head} already has helper {helper}; nothing changed",
    ),
    "console_more_plan_not_number": (
        "走访周期“{value}”不是天数，请填写数字（如 30）",
        "The visit plan '{value}' is not a number of days (e.g. 30)",
    ),
    "console_more_planned": (
        "{number} {head} 走访周期：{plan}，下次应访 {due}",
        "{number} {head}: visits {plan}, next due {due}",
    ),
    # festival visits
    "console_more_festivals_title": ("节日走访", "Festival visits"),
    "console_more_festivals_now": ("当前：{festivals}", "Now: {festivals}"),
    "console_more_festivals_help": (
        "开启后，节日前各帮扶责任人会收到走访提醒；全部不勾选即关闭。",
        "Helpers are reminded before each festival switched on; untick all to switch off.",
    ),
    "console_more_festivals_save": ("保存节日走访", "Save festival visits"),
    "console_more_festivals_set": (
        "{village} 节日走访：{festivals}",
        "{village} festival visits: {festivals}",
    ),
    # 困难求助
    "console_more_hardship_title": ("{village} 困难求助", "{village}: hardship reports"),
    "console_more_hardship_days": ("最近几天", "Days back"),
    "console_more_hardship_show": ("查看", "Show"),
    "console_more_hardship_none": (
        "最近 {days} 天没有农户求助",
        "No hardship reports in the last {days} days",
    ),
    "console_more_bad_days": (
        "天数应为 1–{high} 的数字",
        "Days must be a number from 1 to {high}",
    ),
    "console_more_col_time": ("时间（北京时间）", "Time (Beijing)"),
    "console_more_col_id_card": ("身份证号", "ID card"),
    "console_more_col_phone": ("电话", "Phone"),
    "console_more_col_kind": ("类型", "Kind"),
    "console_more_col_words": ("原话", "In their words"),
    "console_more_col_channel": ("渠道", "Channel"),
    "console_more_col_follow_up": ("待办", "Follow-up"),
    "console_more_channel_sms": ("短信", "SMS"),
    "console_more_channel_telegram": ("Telegram", "Telegram"),
    "console_more_channel_cli": ("村委代录", "entered by the committee"),
    "console_more_follow_up_open": ("待处理", "open"),
    "console_more_follow_up_closed": (
        "已处理（{when}）：{resolution}",
        "closed ({when}): {resolution}",
    ),
}
