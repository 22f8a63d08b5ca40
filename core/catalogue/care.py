"""Messages: the visit checklist (两不愁三保障), follow-ups, hardship reports, festival visits."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {}
MESSAGES |= {
    "festival_spring_festival": ("春节", "Spring Festival"),
    "festival_mid_autumn": ("中秋", "Mid-Autumn"),
    "festival_unknown": (
        "没有“{value}”这个节日走访，可选：{choices}",
        "No festival visit called '{value}'; choose from {choices}",
    ),
}
# the 两不愁三保障 checklist (care/checklist.py)
MESSAGES |= {
    "care_item_food_clothing": ("吃穿", "food and clothing"),
    "care_item_education": ("义务教育", "compulsory education"),
    "care_item_medical": ("基本医疗", "basic medical care"),
    "care_item_housing": ("住房安全", "safe housing"),
    "care_item_water": ("饮水安全", "safe drinking water"),
    "care_item_unknown": (
        "没有“{value}”这一项，两不愁三保障为：{choices}",
        "No checklist item '{value}'; the items are {choices}",
    ),
    "care_check_note_too_long": (
        "每项问题的说明最多 {limit} 个字，现在 {length} 个字",
        "A problem's note may have at most {limit} characters, it has {length}",
    ),
    "care_problem_with_note": ("{item}（{note}）", "{item} ({note})"),
    "care_no_problems": ("无", "none"),
}
# visit plans (care/visits.py)
MESSAGES |= {
    "care_plan_days": (
        "走访周期 {days} 天无效，应在 {low}–{high} 天之间",
        "A visit plan of {days} days is invalid; choose {low} to {high} days",
    ),
    "care_plan_unassigned": (
        "这些户还没有帮扶责任人，请先分配再设走访周期：{numbers}",
        "These households have no helper yet; assign one before setting a plan: {numbers}",
    ),
}
# hardship reports (care/hardship.py, care/hardship_alert.py, bot/household.py)
MESSAGES |= {
    "care_kind_illness": ("因病", "illness"),
    "care_kind_disaster": ("因灾", "disaster"),
    "care_kind_unemployment": ("失业", "unemployment"),
    "care_kind_other": ("其他", "other"),
    "care_hardship_received": (
        "已收到您的求助（{kind}），已告知村委会和帮扶责任人，他们会尽快联系您。可再发“求助+情况”补充。",
        "We have your request for help ({kind}); the committee and your helper have been told "
        "and will contact you soon. Send 求助 + details to add more.",
    ),
    "care_hardship_alert": (
        "【求助·防返贫监测】{head}（户编号 {number}，电话 {phone}）{time} 报告困难：{kind}。"
        "原话：{text}。请尽快联系核实，处理后在待办事项中登记。",
        "[Help request] {head} (household {number}, phone {phone}) reported hardship at {time}: "
        "{kind}. In their words: {text}. Please contact them soon and close the follow-up.",
    ),
    "care_hardship_no_text": ("（未写具体情况）", "(no details given)"),
}
# follow-ups (care/follow_ups.py)
MESSAGES |= {
    "care_source_visit": ("走访", "visit"),
    "care_source_hardship": ("求助", "help request"),
    "care_follow_up_not_found": ("找不到待办事项 #{id}", "No follow-up #{id}"),
    "care_resolution_missing": (
        "请写明处理结果（如：已联系镇民政办申请临时救助）",
        "Say what was done (e.g. applied for temporary relief)",
    ),
    "care_resolution_too_long": (
        "处理结果最多 {limit} 个字，现在 {length} 个字",
        "The resolution may have at most {limit} characters, it has {length}",
    ),
    "care_follow_up_closed": (
        "待办事项 #{id} 已于 {when} 由{by}处理，不能重复处理",
        "Follow-up #{id} was already closed at {when} by {by}",
    ),
}
# importing helper assignments (care/helper_import.py)
MESSAGES |= {
    "care_import_no_helper_column": (
        "文件“{source}”中没有“帮扶责任人”列",
        "The file {source} has no 帮扶责任人 column",
    ),
    "care_import_empty": ("{source} 中没有任何分配", "{source} holds no assignments"),
    "care_import_missing_number": ("缺少户编号", "户编号 missing"),
    "care_import_missing_helper": ("缺少帮扶责任人姓名", "Helper's name missing"),
    "care_import_name_too_long": (
        "帮扶责任人姓名过长（最多 {limit} 个字）",
        "Helper's name too long (at most {limit})",
    ),
    "care_import_duplicate_number": (
        "户编号与第 {first} 行重复",
        "户编号 repeats row {first}",
    ),
    "care_import_unknown_household": (
        "{village}没有户编号为 {number} 的农户",
        "{village} has no household {number}",
    ),
    "care_import_bad_every": (
        "走访周期“{value}”无效，应为 {low}–{high} 之间的整数天",
        "Visit plan {value} is invalid: a whole number of days from {low} to {high}",
    ),
    "care_import_bad_phone": (
        "帮扶责任人电话 {value} 不是有效的电话号码",
        "Helper's phone {value} is not a valid phone number",
    ),
    "care_import_phone_differs": (
        "{name}的电话与第 {first} 行不同",
        "{name}'s phone differs from row {first}",
    ),
    "care_import_not_helper": (
        "{name}是本村的{role}，不是帮扶责任人",
        "{name} is a {role} of this village, not a helper",
    ),
    "care_import_inactive": (
        "{name}已不在册（停用），请先恢复或换人",
        "{name} is no longer active",
    ),
}
# the helper's Telegram checklist step (bot/telegram/helper.py)
MESSAGES |= {
    "care_bot_checklist": (
        "两不愁三保障逐项看一下：点一项可在 ✅无问题 和 ⚠️有问题 之间切换，都看完点“确认”。",
        "The checklist: tap an item to switch between ✅ fine and ⚠️ problem, then tap Confirm.",
    ),
    "care_bot_check_button": ("{mark} {item}", "{mark} {item}"),
    "care_bot_confirm": ("确认", "Confirm"),
    "care_bot_ask_problem_note": (
        "发现问题：{problems}。请简单写下情况（会转村两委跟进；没有就回复“无”）：",
        "Problems: {problems}. Describe them briefly for the committee (or \u201c无\u201d):",
    ),
    "care_bot_visit_problems": (
        "发现问题 {count} 项：{problems}，已转村两委待办。",
        "{count} problem(s) found: {problems}; passed to the committee.",
    ),
}
# the CLI (bot/cli/followups.py)
MESSAGES |= {
    "care_followups_title": (
        "{village}未处理的待办事项（{count} 项）",
        "Open follow-ups of {village} ({count})",
    ),
    "care_followups_empty": ("{village}没有未处理的待办事项", "{village} has no open follow-ups"),
    "care_followups_col_id": ("编号", "No."),
    "care_followups_col_opened": ("提出时间", "Opened"),
    "care_followups_col_household": ("农户", "Household"),
    "care_followups_col_source": ("来源", "From"),
    "care_followups_col_item": ("事项", "About"),
    "care_followups_col_note": ("情况", "Note"),
    "care_followups_col_time": ("时间", "Time"),
    "care_followups_col_kind": ("类别", "Kind"),
    "care_followups_col_words": ("原话", "Words"),
    "care_followups_col_channel": ("渠道", "Channel"),
    "care_followups_closed": (
        "已处理待办 #{id}：{head}（{number}）{item}；处理结果：{resolution}（{actor}）",
        "Follow-up #{id} closed: {head} ({number}) {item}; {resolution} ({actor})",
    ),
    "care_hardship_title": (
        "{village}近 {days} 天的求助（{count} 条）",
        "Help requests in {village}, last {days} days ({count})",
    ),
    "care_hardship_none": (
        "{village}近 {days} 天没有农户求助",
        "No help requests in {village} in the last {days} days",
    ),
}
# the committee's Telegram menu: 帮扶分配 and 待办事项 (bot/telegram/committee.py)
MESSAGES |= {
    "care_chat_menu_assign": ("帮扶分配", "Assign helper"),
    "care_chat_menu_follow_ups": ("待办事项", "Follow-ups"),
    "care_chat_assign_start": (
        "帮扶分配：给一户指定帮扶责任人（原有责任人的改由新人负责）。",
        "Assign a helper to a household (one who had a helper moves to the new one).",
    ),
    "care_chat_assign_no_helpers": (
        "本村还没有在册的帮扶责任人，请先登记（命令行：staff add 姓名 --role helper）。",
        "This village has no active helper yet; add one first (CLI: staff add NAME --role helper).",
    ),
    "care_chat_assign_pick": (
        "{head}（{number}）现在的帮扶责任人：{current}。请选择帮扶责任人（括号里是已负责的户数）：",
        "{head} ({number}) now has helper: {current}. Pick a helper (households each has):",
    ),
    "care_chat_assign_nobody": ("无", "none"),
    "care_chat_assign_more": (
        "本村共 {count} 位帮扶责任人，这里按姓名列出前 {shown} 位；其他人请用命令行 helpers assign 分配。",
        "The village has {count} helpers; the first {shown} by name are listed. "
        "Assign the others with the CLI (helpers assign).",
    ),
    "care_chat_helper_button": ("{name}（{count}户）", "{name} ({count})"),
    "care_chat_assigned": (
        "已将 {head}（{number}）分配给帮扶责任人{name}",
        "{head} ({number}) is now assigned to helper {name}",
    ),
    "care_chat_assigned_from": (
        "，原帮扶责任人为{previous}",
        "; the previous helper was {previous}",
    ),
    "care_chat_assign_same": (
        "{head}（{number}）的帮扶责任人本来就是{name}，没有变化。",
        "{head} ({number}) already has helper {name}; nothing changed.",
    ),
    "care_chat_follow_ups_none": ("现在没有未处理的待办事项。", "There are no open follow-ups."),
    "care_chat_follow_ups_head": (
        "未处理的待办事项（最早的在前）：",
        "Open follow-ups (oldest first):",
    ),
    "care_chat_follow_up_line": (
        "#{id} {opened} {head}（{number}）{source}·{item}：{note}",
        "#{id} {opened} {head} ({number}) {source}: {item}: {note}",
    ),
    "care_chat_follow_ups_more": ("……等共{count}件", "… {count} in all"),
    "care_chat_follow_up_button": ("处理 #{id}", "Close #{id}"),
    "care_chat_follow_up_ask": (
        "待办 #{id}：{head}（{number}）{item}。请写处理结果（如：已联系镇民政办申请临时救助）：",
        "Follow-up #{id}: {head} ({number}) {item}. What was done?",
    ),
    "care_chat_follow_ups_left": (
        "还有 {count} 件待办未处理。",
        "{count} follow-up(s) still open.",
    ),
}
