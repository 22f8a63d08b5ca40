"""Catalogue entries shared by every area: lookups, access, input."""

MESSAGES: dict[str, tuple[str, str]] = {
    "village_not_found": ("找不到村：{name}", "No such village: {name}"),
    "village_exists": ("村“{name}”已存在", "Village {name} already exists"),
    "household_not_found": ("找不到户：{ref}", "No such household: {ref}"),
    "staff_not_found": ("找不到工作人员：{ref}", "No such staff member: {ref}"),
    "staff_ambiguous": (
        "有多名工作人员叫“{ref}”，请改用编号：{ids}",
        "Several staff members are called {ref}; use an id: {ids}",
    ),
    "staff_exists": (
        "工作人员“{name}”已在{village}登记",
        "Staff {name} already exists in {village}",
    ),
    "forbidden_role": (
        "{actor}没有权限执行此操作（需要：{roles}）",
        "{actor} may not do this (needs: {roles})",
    ),
    "forbidden_village": (
        "{actor}不属于{village}，不能处理该村事务",
        "{actor} does not belong to {village}",
    ),
    "bad_role": (
        "未知角色：{role}（可选：{choices}）",
        "Unknown role: {role} (choices: {choices})",
    ),
    "bad_number": ("“{value}”不是有效的数字", "{value} is not a valid number"),
    "name_empty": ("{what}不能为空", "{what} must not be empty"),
    "name_too_long": ("{what}太长：最多 {limit} 个字", "{what} is too long: at most {limit}"),
    "value_out_of_range": (
        "{what}超出范围：应在 {low} 到 {high} 之间",
        "{what} out of range: from {low} to {high}",
    ),
    "point_value_bad": (
        "1 积分折合的金额“{value}”无效：应大于 0、最多 {high} 元、最多两位小数",
        "Yuan per point {value} is invalid: above 0, at most {high}, two decimals",
    ),
    "notice_cron_too_often": (
        "周期“{cron}”发送太频繁（{every}一次）：群发通知最多每天一次。确需如此，请加 --force",
        "Schedule {cron} fires too often ({every}): at most daily; add --force to insist",
    ),
    "notice_every_minutes": ("每 {n} 分钟", "every {n} minutes"),
    "notice_every_hours": ("每 {n} 小时", "every {n} hours"),
    "what_village_name": ("村名", "Village name"),
    "what_staff_name": ("工作人员姓名", "Staff name"),
    "what_township": ("乡镇名", "Township"),
    "what_county": ("县名", "County"),
    "what_contact": ("异议联系方式", "Objection contact"),
    "what_point_value": ("1 积分折合金额", "Yuan per point"),
    "what_publicity_days": ("公示天数", "Notice days"),
    "what_commend_top": ("年度表彰户数", "Households commended"),
    "what_commend_bonus": ("年度表彰奖励积分", "Commendation bonus"),
    "what_commend_title": ("年度表彰称号", "Commendation title"),
    "role_county_admin": ("县级管理员", "county admin"),
    "role_committee": ("村两委", "village committee"),
    "role_shopkeeper": ("超市店主", "shopkeeper"),
    "role_helper": ("帮扶责任人", "helper cadre"),
    "role_fund_council": ("孝善理事会", "fund council"),
    "household_type_poverty_exited": ("脱贫户", "formerly poor"),
    "household_type_monitored": ("监测户", "monitored"),
    "household_type_ordinary": ("一般户", "ordinary"),
}
