"""Messages: 孝善 supporters in Telegram (binding, 我的承诺, 缴费记录) and the fund council's chat menu."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # ------------------------------------------------------------ binding a supporter
    "supporter_role": ("赡养人", "supporter"),
    "supporter_other_village": (
        "赡养人{name}不是{village}登记的，不能发放绑定码",
        "Supporter {name} is not registered in {village}; no binding code can be issued",
    ),
    "supporter_code_issued": (
        "已为赡养人{name}（{village}）生成绑定码：{code}，有效期至 {date}",
        "Binding code for supporter {name} ({village}): {code}, valid until {date}",
    ),
    # ------------------------------------------------------------ the supporter's chat
    "supporter_menu_pledges": ("我的承诺", "My pledges"),
    "supporter_menu_payments": ("缴费记录", "My payments"),
    "supporter_help": (
        "{name}您好！这里是{village}孝善基金。点“我的承诺”查看您的赡养承诺书和今年每期的缴纳情况，"
        "点“缴费记录”查看最近的缴费和基金配捐。缴费请联系村孝善理事会。随时发送 /help 显示菜单。",
        "Hello {name}, this is the {village} filial-support fund. “My pledges” shows your pledges "
        "and this year's periods; “My payments” your latest payments and the fund's matching. "
        "Pay through the village fund council. Send /help for the menu.",
    ),
    "supporter_no_pledges": (
        "您目前没有赡养承诺书。如需签订，请联系{village}孝善理事会。",
        "You have no pledge at present; the {village} fund council can sign one with you.",
    ),
    "supporter_pledges_title": (
        "{name}的赡养承诺（{year}年）：",
        "{name}'s pledges ({year}):",
    ),
    "supporter_pledge_head": (
        "{index}. 赡养{elder}（{household}）：每月 {amount}，{frequency}缴纳，每期 {day} 日前缴；{term}",
        "{index}. For {elder} ({household}): {amount} a month, paid {frequency}, "
        "by day {day} of each period; {term}",
    ),
    "supporter_term_open": ("{start}起", "from {start}"),
    "supporter_term_closed": ("{start}至{end}", "{start} to {end}"),
    "supporter_period_line": (
        "  · {period} 应缴 {amount}：{state}{detail}",
        "  · {period}, {amount} due: {state}{detail}",
    ),
    "supporter_detail_paid": ("（{date} 缴清）", " ({date})"),
    "supporter_detail_partial": (
        "（已缴 {paid}，还差 {owed}，{due} 到期）",
        " ({paid} paid, {owed} to go, due {due})",
    ),
    "supporter_detail_arrears": ("（{due} 到期，欠 {owed}）", " (due {due}, {owed} owed)"),
    "supporter_detail_not_due": ("（{due} 到期）", " (due {due})"),
    "supporter_no_periods": ("  · {year}年没有应缴的月份", "  · nothing due in {year}"),
    "supporter_owed_total": (
        "今年已到期未缴足 {count} 期，共欠 {total}。请尽快联系孝善理事会缴纳。",
        "{count} periods this year are due and not paid in full: {total} owed. "
        "Please contact the fund council.",
    ),
    "supporter_all_paid": (
        "今年已到期的各期都已缴清，谢谢您的孝心！",
        "Every period due this year is paid. Thank you!",
    ),
    "supporter_no_payments": ("还没有您的缴费记录。", "No payments of yours are recorded yet."),
    "supporter_payments_title": ("最近 {count} 笔缴费：", "Your latest {count} payments:"),
    "supporter_payment_line": (
        "{date} 为{elder}缴 {period} {amount}（{method}），{subsidy}{reversed}",
        "{date}: {amount} for {elder}, {period} ({method}); {subsidy}{reversed}",
    ),
    "supporter_payment_subsidy": ("基金配捐 {amount}", "fund matching {amount}"),
    "supporter_payment_no_subsidy": ("无配捐", "no matching"),
    "supporter_payment_reversed": ("（已冲正）", " (reversed)"),
    # ------------------------------------------------------------ the fund council's chat
    "council_menu_arrears": ("欠缴名单", "Arrears"),
    "council_menu_month": ("本月收支", "This month"),
    "council_menu_balance": ("基金余额", "Balance"),
    "council_help": (
        "{name}（孝善理事会）您好。在这里可以查看：欠缴名单、本月收支、基金余额（只读）。"
        "登记缴费、捐赠、发放、冲正和签订承诺书请用命令行 xiangxin fund …，以便留痕核对；"
        "给赡养人发绑定码：xiangxin fund supporter code 姓名 -v 村名 -b 您的姓名。",
        "Hello {name} (fund council). Here you can read the arrears, this month's statement "
        "and the balance. Recording money and pledges stays in the command line "
        "(xiangxin fund …); a supporter's binding code: xiangxin fund supporter code NAME "
        "-v VILLAGE -b YOU.",
    ),
    "council_no_arrears": ("截至 {date}，没有欠缴。", "Nothing is in arrears as of {date}."),
    "council_arrears_title": ("截至 {date} 的欠缴名单：", "Arrears as of {date}:"),
    "council_arrears_line": (
        "{index}. {elder}（{household}）— {supporter} {phone}：{period} 应缴 {amount}，"
        "已缴 {paid}，欠 {owed}（{state}）",
        "{index}. {elder} ({household}) — {supporter} {phone}: {period}, {amount} due, "
        "{paid} paid, {owed} owed ({state})",
    ),
    "council_arrears_more": ("……等共 {count} 笔", "… {count} in all"),
    "council_arrears_total": (
        "共 {count} 笔未缴足，合计欠缴 {total}。",
        "{count} periods not paid in full, {total} owed in all.",
    ),
    "council_due_today": ("今天到期", "due today"),
    "council_balance": (
        "{village}孝善基金余额 {balance}，其中捐赠配捐池 {pool}，为老人代管待发放 {held}。",
        "The {village} fund holds {balance}: {pool} in the donations pool, "
        "{held} held for the elders.",
    ),
}
MESSAGES |= {
    "supporter_sms": (
        "{name}您好：您在{village}孝善基金的承诺：{pledges}。缴费或有疑问请联系村孝善理事会。",
        "Dear {name}, your pledges to the {village} filial fund: {pledges}. "
        "Ask the fund council about paying.",
    ),
    "supporter_sms_pledge": (
        "为{elder}每月{amount}（每月{day}日前），{state}",
        "{amount} a month for {elder} (by day {day}), {state}",
    ),
    "supporter_sms_owing": (
        "今年欠缴{count}期共{total}",
        "{count} periods owed this year, {total}",
    ),
    "supporter_sms_clear": ("今年已到期的都已缴清", "all due this year paid"),
}
