"""Catalogue entries: the console's roster import, visit and follow-up pages."""

MESSAGES: dict[str, tuple[str, str]] = {
    # navigation
    "console_care_nav_import": ("导入名单", "Import roster"),
    "console_care_nav_visits": ("走访", "Visits"),
    "console_care_nav_follow_ups": ("待办", "Follow-ups"),
    # roster import
    "console_care_import_title": ("{village} 导入建档立卡名单", "{village}: import the roster"),
    "console_care_import_help": (
        "上传 Excel（.xlsx）或 CSV 文件，最大 {limit} MB。再次导入按户编号更新，不会重复建档；"
        "默认有一行出错就什么都不导入，并列出全部问题。",
        "Upload an .xlsx or .csv file of at most {limit} MB. Re-importing updates households "
        "by number; by default one bad row imports nothing and every problem is listed.",
    ),
    "console_care_file": ("名单文件", "Roster file"),
    "console_care_skip_bad": (
        "跳过有问题的行（成员行有错只跳过此人，户主行有错跳过整户）",
        "Skip bad rows (a bad member row skips that person, a bad head row the household)",
    ),
    "console_care_upload": ("上传并导入", "Upload and import"),
    "console_care_no_file": ("请选择要导入的名单文件", "Choose a roster file to import"),
    "console_care_file_too_big": (
        "文件太大：最大 {limit} MB，请按组拆分后分别导入",
        "The file is too big: at most {limit} MB; split it by group",
    ),
    "console_care_stopped": (
        "{name} 有 {count} 处问题，没有导入任何数据。请改正后重新上传，或勾选“跳过有问题的行”。",
        "{name} has {count} problems; nothing was imported. Fix them and upload again, "
        "or tick “skip bad rows”.",
    ),
    "console_care_import_done": (
        "导入完成：共 {households} 户（新建 {created} 户，更新 {updated} 户），{people} 人",
        "Imported {households} households ({created} new, {updated} updated), {people} people",
    ),
    "console_care_import_skipped": (
        "；跳过 {households} 户、{people} 人",
        "; skipped {households} households and {people} people",
    ),
    "console_care_problems": ("有问题的行（共 {count} 处）", "Rows with problems ({count})"),
    "console_care_skipped_rows": (
        "以下行已跳过（共 {count} 处）",
        "These rows were skipped ({count})",
    ),
    "console_care_warnings": (
        "请核实（已照常导入，共 {count} 条）",
        "Please check (imported all the same; {count})",
    ),
    "console_care_col_row": ("行号", "Row"),
    "console_care_col_number": ("户编号", "Household no."),
    "console_care_col_problem": ("问题", "Problem"),
    "console_care_more": ("另有 {count} 条未列出", "{count} more not listed"),
    # visits
    "console_care_visits_title": ("{village} 走访", "{village}: home visits"),
    "console_care_due_title": ("本周应走访与逾期", "Due this week and overdue"),
    "console_care_no_due": ("本周没有应走访的农户", "No visits due this week"),
    "console_care_col_head": ("户主", "Head"),
    "console_care_col_helper": ("帮扶责任人", "Helper"),
    "console_care_col_due": ("应访日期", "Due"),
    "console_care_col_last": ("上次走访", "Last visit"),
    "console_care_col_state": ("状态", "State"),
    "console_care_col_households": ("负责户数", "Households"),
    "console_care_overdue_days": ("逾期 {days} 天", "{days} days overdue"),
    "console_care_log": ("记录", "Log"),
    "console_care_helpers_title": ("帮扶责任人", "Helpers"),
    "console_care_no_helpers": ("还没有帮扶责任人", "No helpers yet"),
    "console_care_log_title": ("记录走访", "Log a visit"),
    "console_care_household": ("户编号", "Household no."),
    "console_care_method": ("方式", "How"),
    "console_care_date": ("走访日期", "Date"),
    "console_care_checklist": (
        "两不愁三保障（有问题的请勾选并说明）",
        "Checklist (tick what is wrong and say what)",
    ),
    "console_care_problem": ("有问题", "problem"),
    "console_care_item_note": ("说明", "note"),
    "console_care_note": ("备注", "Note"),
    "console_care_save_visit": ("保存走访记录", "Save the visit"),
    "console_care_visit_logged": (
        "已记录走访：{number} {head}，{date}，{method}；发现问题 {problems} 项",
        "Visit logged: {number} {head}, {date}, {method}; {problems} problems found",
    ),
    # follow-ups
    "console_care_follow_ups_title": ("{village} 待办事项", "{village}: follow-ups"),
    "console_care_no_follow_ups": ("没有待办事项", "No open follow-ups"),
    "console_care_col_about": ("事项", "About"),
    "console_care_col_source": ("来源", "From"),
    "console_care_col_note": ("说明", "Note"),
    "console_care_col_opened": ("提出日期", "Opened"),
    "console_care_col_close": ("办结", "Close"),
    "console_care_resolution": ("处理结果", "What was done"),
    "console_care_close": ("办结", "Close"),
    "console_care_follow_up_closed": (
        "已办结：{number} {head} {about}（{resolution}）",
        "Closed: {number} {head} {about} ({resolution})",
    ),
}
