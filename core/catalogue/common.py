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
    "role_county_admin": ("县级管理员", "county admin"),
    "role_committee": ("村两委", "village committee"),
    "role_shopkeeper": ("超市店主", "shopkeeper"),
    "role_helper": ("帮扶责任人", "helper cadre"),
    "role_fund_council": ("孝善理事会", "fund council"),
    "household_type_poverty_exited": ("脱贫户", "formerly poor"),
    "household_type_monitored": ("监测户", "monitored"),
    "household_type_ordinary": ("一般户", "ordinary"),
}
