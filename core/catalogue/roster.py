"""Catalogue entries: the household roster (建档立卡户名单) import, list, show and 慢性病."""

MESSAGES: dict[str, tuple[str, str]] = {
    # the file as a whole
    "roster_file_missing": ("找不到文件：{path}", "File not found: {path}"),
    "roster_file_type": (
        "不支持的文件类型“{suffix}”：请使用 .xlsx 或 .csv（旧版 .xls 请先在 Excel 中另存为 .xlsx）",
        "Unsupported file type {suffix}: use .xlsx or .csv (save old .xls files as .xlsx first)",
    ),
    "roster_file_unreadable": (
        "无法读取 {path}：文件已损坏或不是 Excel 文件（{detail}）",
        "Cannot read {path}: damaged or not an Excel file ({detail})",
    ),
    "roster_encoding": (
        "无法识别 CSV 文件的编码：请保存为 UTF-8 或 GBK",
        "Unknown CSV encoding: save it as UTF-8 or GBK",
    ),
    "roster_no_header": (
        "在“{sheet}”的前 5 行中找不到含“户编号”的表头行",
        "No header row with 户编号 in the first 5 rows of {sheet}",
    ),
    "roster_village_needed": (
        "文件中没有“村”列，请指定导入到哪个村（命令行用 --village 村名）",
        "The file has no 村 column: say which village it is for (--village on the command line)",
    ),
    "roster_empty": ("{source} 中没有任何农户", "{source} holds no households"),
    # one row
    "roster_missing_number": ("缺少户编号", "户编号 missing"),
    "roster_missing_head": ("缺少户主姓名", "户主姓名 missing"),
    "roster_missing_member_name": ("缺少成员姓名", "Member name missing"),
    "roster_too_long": ("{field}过长（最多 {limit} 个字）", "{field} too long (at most {limit})"),
    "roster_id_card_length": (
        "{field} {value} 位数不对（应为 18 位）",
        "{field} {value} must have 18 characters",
    ),
    "roster_id_card_format": (
        "{field} {value} 格式不对（前 17 位为数字，末位为数字或 X）",
        "{field} {value}: 17 digits and a digit or X expected",
    ),
    "roster_id_card_checksum": (
        "{field} {value} 校验位不对，请核对号码",
        "{field} {value} has a wrong check digit",
    ),
    "roster_id_card_birth": (
        "{field} {value} 中的出生日期不对",
        "{field} {value} holds an impossible birth date",
    ),
    "roster_bad_phone": (
        "{field} {value} 不是有效的电话号码",
        "{field} {value} is not a valid phone number",
    ),
    "roster_landline_as_phone": (
        "{field} {value} 是座机，收不到短信；请填手机号（“固定电话”列已另有座机）",
        "{field} {value} is a landline and cannot receive SMS; give a mobile number "
        "(the 固定电话 column already holds a landline)",
    ),
    "roster_bad_size": (
        "家庭人口“{value}”不是正整数",
        "家庭人口 {value} is not a positive whole number",
    ),
    "roster_bad_type": (
        "户类型“{value}”无效，应为 脱贫户、监测户 或 一般户",
        "Unknown 户类型 {value}: 脱贫户, 监测户 or 一般户 expected",
    ),
    "roster_bad_chronic": (
        "慢性病“{value}”无效，应填 是 或 否（也可填 1/0、Y/N、√、有/无；空白为否）",
        "Unknown 慢性病 value {value}: 是 or 否 expected (also 1/0, Y/N, √, 有/无; blank is 否)",
    ),
    "roster_duplicate_number": (
        "户编号与第 {first} 行重复，这两户都未导入",
        "户编号 repeats row {first}; neither household imported",
    ),
    "roster_no_head_row": (
        "此户没有与户主关系为“户主”的行，找不到户主，整户未导入",
        "No row of this household has the relation 户主; household not imported",
    ),
    "roster_second_head": (
        "与第 {first} 行都填了“户主”，一户只能有一个户主，整户未导入",
        "Row {first} is also marked 户主; a household has one head; household not imported",
    ),
    "roster_orphan_member": (
        "成员行上面没有户主行，找不到所属的户",
        "Member row with no household above it",
    ),
    "roster_unknown_household": (
        "户编号在户主行中不存在，找不到所属的户",
        "No household row has this 户编号",
    ),
    "roster_duplicate_member": (
        "与第 {first} 行是同一个人（身份证号或姓名相同）",
        "Same person as row {first} (same ID-card number or name)",
    ),
    "roster_head_mismatch": (
        "此行是户主本人（关系或身份证号相同），但姓名与户主“{head}”不一致",
        "This row is the head (relation or ID card), but the name differs from {head}",
    ),
    "roster_unknown_village": ("找不到村“{name}”", "No village named {name}"),
    "roster_village_mismatch": (
        "村“{name}”与指定的“{expected}”不一致",
        "Village {name} is not the chosen {expected}",
    ),
    "roster_missing_village": (
        "缺少村名（未指定导入到哪个村）",
        "Village missing (and none was chosen)",
    ),
    "roster_number_taken": (
        "户编号已登记在{village}，不能导入到其他村",
        "户编号 already belongs to {village}",
    ),
    # warnings: imported all the same
    "roster_head_elsewhere": (
        "户主身份证号 {id_card} 也是{village} {other} 户的户主（已照常导入，请与县里核实）",
        "Head's ID card {id_card} also heads household {other} of {village} "
        "(imported all the same; check with the county)",
    ),
    "roster_warnings_title": (
        "请核实（共 {count} 处，不影响导入）：",
        "Please check ({count}; imported all the same):",
    ),
    "roster_warning_line": ("  第 {row} 行 {number}：{reason}", "  row {row} {number}: {reason}"),
    # phones for SMS (roster, helper list, 孝善 supporters)
    "phone_landline": (
        "{value} 是座机，收不到短信；请填手机号",
        "{value} is a landline and cannot receive SMS; give a mobile number",
    ),
    "roster_landline_shown": ("座机 {number}", "landline {number}"),
    # CLI output
    "roster_reading": ("正在读取 {name}", "Reading {name}"),
    "roster_writing": ("正在导入", "Importing"),
    "roster_summary": (
        "新增 {created} 户、更新 {updated} 户、成员 {members} 人",
        "{created} households added, {updated} updated, {members} members",
    ),
    "roster_summary_detail": (
        "（未变 {unchanged} 户；成员新增 {m_created} 人、修改 {m_updated} 人、停用 {m_deactivated} 人）",
        "({unchanged} unchanged; members: {m_created} added, {m_updated} changed, {m_deactivated} deactivated)",
    ),
    "roster_problems_title": ("有问题的行（共 {count} 处）", "Rows with problems ({count})"),
    "roster_stopped": (
        "有 {count} 处问题，本次没有写入任何数据。请改正后重新导入，或加 --skip-bad 只导入没有问题的户。",
        "{count} problems: nothing was written. Fix them and import again, or add --skip-bad to import the good households.",
    ),
    "roster_skipped": (
        "导入 {households} 户（{people} 人），跳过 {skipped_households} 户、{skipped_people} 人"
        "（{count} 处问题，见下表）",
        "{households} households imported ({people} people); {skipped_households} households "
        "and {skipped_people} people skipped ({count} problems, listed below)",
    ),
    "roster_skipped_households": ("跳过的户：第 {rows} 行", "Households skipped: rows {rows}"),
    "roster_skipped_people": ("跳过的人：第 {rows} 行", "People skipped: rows {rows}"),
    "roster_more_problems": (
        "另有 {count} 处问题未列出",
        "{count} more problems not shown",
    ),
    "roster_none": ("{village}还没有登记农户", "{village} has no households yet"),
    "roster_count": ("共 {count} 户", "{count} households"),
    "roster_sheet_row": ("{sheet} 第 {row} 行", "{sheet} row {row}"),
    "roster_col_row": ("行号", "Row"),
    "roster_col_number": ("户编号", "Household no."),
    "roster_col_reason": ("原因", "Reason"),
    "roster_col_head": ("户主", "Head"),
    "roster_col_group": ("组", "Group"),
    "roster_col_size": ("人口", "Size"),
    "roster_col_type": ("户类型", "Type"),
    "roster_col_phone": ("电话", "Phone"),
    "roster_col_name": ("姓名", "Name"),
    "roster_col_relation": ("与户主关系", "Relation"),
    "roster_col_id_card": ("身份证号", "ID card"),
    "roster_col_age": ("年龄", "Age"),
    "roster_col_status": ("状态", "Status"),
    "roster_col_chronic": ("慢病", "Chronic"),  # short: the ID-card column must not wrap
    "roster_chronic_yes": ("是", "yes"),
    "roster_chronic_no": ("否", "no"),
    "roster_member_active": ("在册", "listed"),
    "roster_member_inactive": ("已不在册", "no longer listed"),
    "roster_show_head": (
        "户编号：{number}　户主：{head}　{village}　{group}",
        "Household {number}: head {head}, {village}, {group}",
    ),
    "roster_show_ids": (
        "身份证号：{id_card}　电话：{phone}　家庭人口：{size}　户类型：{type}",
        "ID card: {id_card}  phone: {phone}  size: {size}  type: {type}",
    ),
    # 慢性病 by hand
    "roster_member_not_found": (
        "户 {number} 没有在册成员“{name}”",
        "Household {number} lists no member {name}",
    ),
    "roster_member_ambiguous": (
        "户 {number} 有多名在册成员叫“{name}”，请改用其身份证号",
        "Household {number} lists several members called {name}; use the ID-card number",
    ),
    "roster_chronic_marked": (
        "已将 {number} 户 {name} 登记为慢性病患者",
        "{name} of household {number} is now recorded with a chronic illness",
    ),
    "roster_chronic_cleared": (
        "已取消 {number} 户 {name} 的慢性病登记",
        "{name} of household {number} is no longer recorded with a chronic illness",
    ),
    "roster_chronic_unchanged": (
        "（原已如此，未作改动）",
        "(it already was; nothing changed)",
    ),
}
