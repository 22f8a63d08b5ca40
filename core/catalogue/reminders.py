"""Messages: the reminder sweeps (visits due and overdue, pledges due, arrears, weekly summary)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {}
MESSAGES |= {
    "reminders_swept": (
        "提醒扫描（{date}）：发出 {sent} 条提醒（{messages} 条消息），撤销 {cleared} 条，过期 {expired} 条，无法送达 {unreachable} 条",
        "Reminder sweep ({date}): {sent} reminders sent in {messages} messages, "
        "{cleared} cleared, {expired} expired, {unreachable} unreachable",
    ),
    "reminder_line": ("{head}（{number}，应访{due}）", "{head} ({number}, due {due})"),
    "reminder_line_helper": (
        "{head}（{number}，应访{due}，责任人{helper}）",
        "{head} ({number}, due {due}, helper {helper})",
    ),
    "reminder_more": ("等共{count}户", " and others, {count} in all"),
    "reminder_more_items": ("等共{count}笔", " and more, {count} in all"),
    "reminder_visit_soon": (
        "【走访提醒】{count}户将于{date}到期走访：{lines}。走访后请在乡信登记。",
        "[Visits] {count} households are due a visit on {date}: {lines}. Log each visit in Xiangxin.",
    ),
    "reminder_visit_day": (
        "【走访提醒】今天（{date}）有{count}户到期走访：{lines}。走访后请在乡信登记。",
        "[Visits] {count} households are due a visit today ({date}): {lines}.",
    ),
    "reminder_visit_overdue": (
        "【走访逾期】以下{count}户应于{date}走访，已逾期{days}天仍未登记：{lines}。请督促帮扶责任人。",
        "[Overdue visits] {count} households were due on {date}, {days} days ago: {lines}.",
    ),
    "reminder_festival_soon": (
        "【节日走访】{festival}（{date}）快到了，请走访以下{count}户：{lines}。",
        "[Festival visits] {festival} ({date}) is near; please visit {count} households: {lines}.",
    ),
    "reminder_festival_day": (
        "【节日走访】今天是{festival}（{date}），以下{count}户还没有节日走访：{lines}。",
        "[Festival visits] Today is {festival} ({date}); {count} households not visited yet: {lines}.",
    ),
    "reminder_festival_overdue": (
        "【节日走访逾期】{festival}（{date}）已过{days}天，以下{count}户仍未走访：{lines}。",
        "[Festival visits overdue] {festival} ({date}) was {days} days ago; not visited: {lines}.",
    ),
    "reminder_visit_week": (
        "【本周走访】{village}（{start}至{end}）：在册帮扶{total}户，本周到期{week}户，已逾期{overdue}户，待处理问题{problems}件。",
        "[This week] {village} ({start} to {end}): {total} households with helpers, "
        "{week} due this week, {overdue} overdue, {problems} open problems.",
    ),
    "reminder_pledge_line": (
        "为{elder}的{month}孝心养老金{amount}（{date}到期）",
        "{amount} for {elder}, {month} (due {date})",
    ),
    "reminder_pledge_soon": (
        "【孝善基金】{name}您好，{village}孝善理事会提醒：{lines}。已缴纳请忽略，谢谢您的孝心！",
        "[Filial fund] Dear {name}, a reminder from {village}: {lines}. Thank you!",
    ),
    "reminder_pledge_day": (
        "【孝善基金】{name}您好，今天到期：{lines}。如已缴纳请忽略；有困难请联系孝善理事会。",
        "[Filial fund] Dear {name}, due today: {lines}. Ignore if already paid.",
    ),
    "reminder_arrears_line": (
        "{supporter}（赡养{elder}）{month}欠{amount}",
        "{supporter} (for {elder}) owes {amount} for {month}",
    ),
    "reminder_fund_arrears": (
        "【孝善基金欠缴】截至{date}共{count}笔未缴足，涉及{people}人，合计{total}：{lines}。",
        "[Filial fund arrears] As of {date}: {count} periods short, {people} supporters, "
        "{total} in all: {lines}.",
    ),
}
MESSAGES |= {
    "reminders_none": ("{date} 没有提醒", "No reminders on {date}"),
    "reminders_title": ("{date} 的提醒", "Reminders of {date}"),
    "reminders_col_rule": ("提醒", "Rule"),
    "reminders_col_key": ("编号（规则:对象:事由）", "Key (rule:person:occasion)"),
    "reminders_col_occurs": ("到期日", "Due"),
    "reminders_col_status": ("状态", "Status"),
    "reminders_rule_visit_soon": ("走访将到期（帮扶责任人）", "Visit due soon (helper)"),
    "reminders_rule_visit_day": ("走访当天（帮扶责任人）", "Visit due today (helper)"),
    "reminders_rule_visit_overdue": ("走访逾期（村两委）", "Visit overdue (committee)"),
    "reminders_rule_festival_soon": ("节日走访将到（帮扶责任人）", "Festival visit soon (helper)"),
    "reminders_rule_festival_day": ("节日走访当天（帮扶责任人）", "Festival day (helper)"),
    "reminders_rule_festival_overdue": ("节日走访逾期（村两委）", "Festival visit overdue"),
    "reminders_rule_visit_week": ("每周走访汇总（村两委）", "Weekly summary (committee)"),
    "reminders_rule_pledge_soon": ("孝心养老金将到期（赡养人）", "Pledge due soon (supporter)"),
    "reminders_rule_pledge_day": ("孝心养老金今日到期（赡养人）", "Pledge due today (supporter)"),
    "reminders_rule_fund_arrears": ("欠缴名单（孝善理事会）", "Arrears (fund council)"),
    "reminders_rule_fund_statement": (
        "上月收支公示（村两委）",
        "Last month's statement (committee)",
    ),
    "reminders_status_pending": ("待发", "pending"),
    "reminders_status_sent": ("已发", "sent"),
    "reminders_status_cleared": ("已撤销（事由已消除）", "cleared"),
    "reminders_status_expired": ("过期未发", "expired"),
    "reminders_status_unreachable": ("无法送达", "unreachable"),
}
