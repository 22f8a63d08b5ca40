"""Catalogue entries: the console's 孝善基金 pages: payouts, reversals, pledges, supporters, honour roll, matching rule."""

MESSAGES: dict[str, tuple[str, str]] = {
    # ------------------------------------------------------------ links from the fund page
    "console_fund_supporters_link": ("赡养人", "Supporters"),
    "console_fund_payouts_link": ("发放给老人", "Payouts"),
    "console_fund_journal_link": ("基金流水与冲正", "Journal and reversals"),
    "console_fund_rule_link": ("配捐规则", "Matching rule"),
    # ------------------------------------------------------------ payouts
    "console_fund_payouts_title": ("{village} 孝善基金发放", "{village} fund payouts"),
    "console_fund_owed_label": ("待发放给老人", "Held for the elders"),
    "console_fund_payout_heading": ("按月发放", "Monthly payout"),
    "console_fund_payout_month_label": ("发放月份", "Month paid for"),
    "console_fund_pay_month": (
        "发放本月（每位老人名下全部余额）",
        "Pay every elder all they are owed",
    ),
    "console_fund_payout_hint": (
        "同一月份只发放一次：再点一次不会重复发放。只发给一位老人或只发一部分，请在下表中填写。",
        "A month is paid once; clicking again pays nobody twice. To pay one elder or part, use the table below.",
    ),
    "console_fund_owed_heading": ("各位老人名下可发放的余额", "What the fund holds for each elder"),
    "console_fund_col_owed": ("可发放", "Owed"),
    "console_fund_pay_one_heading": ("单独发放", "Pay this elder"),
    "console_fund_all_owed": ("全部", "all"),
    "console_fund_pay_one": ("发放", "Pay"),
    "console_fund_nothing_owed": ("目前没有待发放给老人的余额", "Nothing is held for any elder"),
    "console_fund_paid_heading": ("{month}月已发放", "Paid out in month {month}"),
    "console_fund_none_paid": ("本月还没有发放", "Nothing paid out this month"),
    "console_fund_nothing_to_pay": (
        "没有可发放的余额，未发放",
        "Nothing to pay out; nothing was paid",
    ),
    "console_fund_paid_out": (
        "{month}已发放：{count} 位老人，共 {total}（本月此前已发放 {earlier} 位）",
        "{month} paid: {count} elders, {total} in all ({earlier} paid earlier this month)",
    ),
    "console_fund_paid_elder": (
        "已发放给{elder} {amount}（{month}）",
        "Paid {amount} to {elder} ({month})",
    ),
    # ------------------------------------------------------------ the journal and reversals
    "console_fund_journal_title": ("{village} 孝善基金流水", "{village} fund journal"),
    "console_fund_journal_hint": (
        "最近 200 条记录，新的在前。冲正不删除原记录；缴纳冲正时，它的配捐一并退回配捐池。",
        "The latest 200 entries, newest first. A reversal keeps the original; a contribution's subsidy goes back to the pool with it.",
    ),
    "console_fund_col_kind": ("类别", "Kind"),
    "console_fund_col_who": ("老人 / 捐赠人", "Elder / donor"),
    "console_fund_reverse_heading": ("冲正", "Reverse"),
    "console_fund_reversal_of": ("（冲正 #{id}）", " (reverses #{id})"),
    "console_fund_reversed_by": ("已冲正（#{id}）", "Reversed (#{id})"),
    "console_fund_reason_label": ("冲正原因", "Reason"),
    "console_fund_reverse": ("冲正", "Reverse"),
    "console_fund_no_entries": ("还没有基金记录", "No fund entries yet"),
    "console_fund_reversed": (
        "已冲正记录 #{entry_id}（{kind} {amount}）{subsidy}；基金余额 {balance}，配捐池 {pool}",
        "Entry #{entry_id} reversed ({kind} {amount}){subsidy}; balance {balance}, pool {pool}",
    ),
    "console_fund_reversed_subsidy": (
        "，其配捐 {amount} 一并冲正",
        ", with its subsidy of {amount}",
    ),
    # ------------------------------------------------------------ supporters
    "console_fund_supporters_title": ("{village} 赡养人", "{village} supporters"),
    "console_fund_supporter_add_heading": ("登记赡养人（子女）", "Register a supporter"),
    "console_fund_name_label": ("姓名", "Name"),
    "console_fund_mobile_label": ("手机号", "Mobile"),
    "console_fund_relation_label": ("与老人关系", "Relation"),
    "console_fund_own_household_label": (
        "本人在本村的户编号（可不填）",
        "Own household number (optional)",
    ),
    "console_fund_supporter_add": ("登记", "Register"),
    "console_fund_mobile_hint": (
        "手机号用于短信提醒和感谢，座机收不到短信，不能登记。",
        "The mobile gets the SMS reminders and thanks; a landline cannot be registered.",
    ),
    "console_fund_supporters_heading": (
        "已登记的赡养人（电话已打码）",
        "Registered supporters (phones masked)",
    ),
    "console_fund_col_own_household": ("本人户编号", "Own household"),
    "console_fund_supporter_edit_heading": ("更正", "Correct"),
    "console_fund_phone_keep": ("新手机号（不填则不变）", "New mobile (blank keeps it)"),
    "console_fund_save": ("保存", "Save"),
    "console_fund_no_supporters": ("还没有登记赡养人", "No supporters registered"),
    "console_fund_supporter_added": (
        "已登记赡养人{name}（编号 {id}，电话 {phone}）",
        "Registered supporter {name} (id {id}, phone {phone})",
    ),
    "console_fund_supporter_saved": (
        "已更正赡养人{name}（编号 {id}，电话 {phone}）",
        "Corrected supporter {name} (id {id}, phone {phone})",
    ),
    # ------------------------------------------------------------ pledges
    "console_fund_sign_heading": ("签订赡养承诺书", "Sign a pledge"),
    "console_fund_elder_option": ("{name}（{household}，{age}岁）", "{name} ({household}, {age})"),
    "console_fund_monthly_label": ("每月金额（元）", "Monthly amount (yuan)"),
    "console_fund_due_day_label": ("每月缴纳日", "Due day"),
    "console_fund_start_label": ("开始月份", "First month"),
    "console_fund_frequency_label": ("缴纳方式", "Frequency"),
    "console_fund_sign": ("签订", "Sign"),
    "console_fund_sign_needs": (
        "签订承诺书需要本村年满年龄线的老人和已登记的赡养人",
        "A pledge needs an elder of the village and a registered supporter",
    ),
    "console_fund_term_heading": ("期限", "Term"),
    "console_fund_last_month_label": ("最后一个月", "Last month"),
    "console_fund_end_pledge": ("结束", "End"),
    "console_fund_pledge_signed": (
        "已签订承诺书 #{id}：{supporter}为{elder}每月缴纳 {amount}（{frequency}，每月 {day} 日），自{start}起",
        "Pledge #{id} signed: {supporter} pays {amount} a month for {elder} ({frequency}, day {day}) from {start}",
    ),
    "console_fund_pledge_ended": (
        "承诺书 #{id} 已结束，最后一个月为{month}",
        "Pledge #{id} ends with {month}",
    ),
    # ------------------------------------------------------------ the 光荣榜
    "console_fund_honour_heading": ("发布孝善光荣榜", "Publish the honour roll"),
    "console_fund_year_label": ("年度", "Year"),
    "console_fund_stars_label": (
        "同时为上榜子女本户提名良好家风之星",
        "Also propose the family star for their households",
    ),
    "console_fund_publish": ("发布", "Publish"),
    "console_fund_confirm_publish": ("确认现在发布", "Publish now all the same"),
    "console_fund_not_publish": ("暂不发布", "Not now"),
    "console_fund_bad_year": (
        "年度“{value}”无效，请写成 2026 这样的四位数",
        "Invalid year {value}; write 2026",
    ),
    "console_fund_honour_published": (
        "已发布{year}年度孝善光荣榜：{count} 位赡养人上榜",
        "The {year} honour roll is published: {count} supporters",
    ),
    "console_fund_stars_proposed": (
        "；已在“{round}”为以下农户提名良好家风之星：{households}",
        "; proposed for the family star in {round}: {households}",
    ),
    # ------------------------------------------------------------ the matching rule
    "console_fund_rule_title": ("{village} 配捐规则", "{village} matching rule"),
    "console_fund_rule_hint": (
        "子女每缴纳一笔，村集体从捐赠资金（配捐池）按比例配捐给老人，可设每位老人每月上限。新规则从所选月份起生效，不改变已登记的配捐。",
        "Each contribution is matched from the donations pool at this rate, up to a cap per elder and month. A new rule applies from its month; subsidies already recorded stay.",
    ),
    "console_fund_no_rules": (
        "还没有配捐规则（缴纳不配捐）",
        "No matching rule (nothing is matched)",
    ),
    "console_fund_rule_current": (" ← 本月适用", " ← in force this month"),
    "console_fund_rule_heading": ("设定配捐规则", "Set the matching rule"),
    "console_fund_rule_from_label": ("从哪个月起", "From month"),
    "console_fund_rate_label": ("配捐比例（如 10%）", "Rate (e.g. 10%)"),
    "console_fund_cap_label": (
        "每位老人每月上限（元，可不填）",
        "Cap per elder a month (yuan, optional)",
    ),
    "console_fund_rule_save": ("设定", "Set"),
    "console_fund_rule_set": ("配捐规则已设定：{rule}", "Matching rule set: {rule}"),
}
