"""Messages: the 孝善基金 (supporters, pledges, contributions, donations, payouts, statements)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # ------------------------------------------------------------ input
    "fund_bad_amount": (
        "金额“{value}”无效，请写成 100 或 100.50（元，最多两位小数，大于零）",
        "Invalid amount {value}; write 100 or 100.50 (yuan, at most two decimals, above zero)",
    ),
    "fund_bad_method": (
        "缴款方式“{value}”无效（可选：{choices}）",
        "Unknown payment method {value} (choices: {choices})",
    ),
    "fund_bad_month": (
        "月份“{value}”无效，请写成 2026-10 的格式",
        "Invalid month {value}; write it as 2026-10",
    ),
    "fund_bad_date": (
        "日期“{value}”无效，请写成 2026-10-05 的格式",
        "Invalid date {value}; write it as 2026-10-05",
    ),
    "fund_future_date": (
        "日期 {date} 还没到（今天是 {today}），不能登记未来的收付款",
        "{date} is in the future (today is {today}); money cannot be booked ahead",
    ),
    "fund_future_month": (
        "{month}还没到，不能提前办理",
        "{month} has not come yet",
    ),
    "fund_note_too_long": (
        "备注最多 {limit} 个字，现在 {length} 个字",
        "The note may have at most {limit} characters, it has {length}",
    ),
    "fund_reason_required": ("请写明冲正原因", "A reason for the reversal is required"),
    "fund_bad_donor": (
        "请写明捐赠人或单位（最多 {limit} 个字）",
        "Name the donor (at most {limit} characters)",
    ),
    # ------------------------------------------------------------ ledger
    "fund_short_pool": (
        "捐赠资金（配捐池）不足：现有 {pool}，需要 {needed}",
        "Not enough donated money for matching: {pool} left, {needed} needed",
    ),
    "fund_short_owed": (
        "{elder}名下可发放的只有 {owed}，不能发放 {needed}",
        "Only {owed} is held for {elder}; {needed} cannot be paid out",
    ),
    "fund_short_balance": (
        "基金余额不足：现有 {balance}，需要 {needed}",
        "The fund holds {balance}; {needed} is needed",
    ),
    "fund_reverse_pool_used": (
        "这笔捐赠已有一部分用于配捐，配捐池现只剩 {pool}，不能冲正 {needed}",
        "Part of this donation was spent on matching; only {pool} is left, {needed} cannot be reversed",
    ),
    "fund_reverse_paid_out": (
        "这笔钱已发放给{elder}，其名下现只剩 {owed}，不能冲正 {needed}（请先冲正发放记录）",
        "This money was paid out to {elder}; only {owed} is held, {needed} cannot be reversed (reverse the payout first)",
    ),
    "fund_key_conflict": (
        "幂等键“{key}”已用于另一笔不同的基金记账，已拒绝",
        "Idempotency key {key} was already used for a different fund entry",
    ),
    "fund_race": (
        "同一笔基金记账正在别处提交，请稍后重试",
        "The same fund entry is being written elsewhere; please retry",
    ),
    "fund_entry_not_found": (
        "找不到基金记录 #{entry_id}（{village}）",
        "No fund entry #{entry_id} ({village})",
    ),
    "fund_cannot_reverse_reversal": (
        "记录 #{entry_id} 本身是冲正记录，不能再冲正",
        "Entry #{entry_id} is a reversal and cannot be reversed",
    ),
    "fund_reverse_subsidy_alone": (
        "记录 #{entry_id} 是配捐，随缴纳记录一起冲正：请冲正缴纳记录 #{source}",
        "Entry #{entry_id} is a subsidy; reverse its contribution #{source} instead",
    ),
    "fund_kind_contribution": ("子女缴纳", "contribution"),
    "fund_kind_subsidy": ("基金配捐", "subsidy"),
    "fund_kind_donation": ("捐赠", "donation"),
    "fund_kind_payout": ("发放老人", "payout"),
    # ------------------------------------------------------------ verify
    "fund_verify_broken_reversal": ("冲正关联错误", "Broken reversal link"),
    "fund_verify_bad_amount": ("金额不是正数", "Amount is not positive"),
    "fund_verify_broken_subsidy": ("配捐没有对应的缴纳记录", "Subsidy without its contribution"),
    "fund_verify_negative_owed": ("老人名下余额为负", "An elder's share went negative"),
    "fund_verify_negative": ("基金余额或配捐池为负", "Balance or pool went negative"),
    "fund_verify_mismatch": ("账户余额与流水合计不符", "Account differs from the sum of entries"),
    "fund_verify_ok": (
        "核对完成：{village}孝善基金 {entries} 条记录，余额 {balance}（配捐池 {pool}），全部一致",
        "Verified {entries} fund entries of {village}: balance {balance} (pool {pool}), all consistent",
    ),
    "fund_verify_problem": (
        "记录 {entry}：{problem}（{detail}）",
        "Entry {entry}: {problem} ({detail})",
    ),
    "fund_verify_failed": ("核对发现 {count} 个问题", "Verification found {count} problems"),
    # ------------------------------------------------------------ elders, supporters, pledges
    "fund_elder_not_found": (
        "{village}找不到“{ref}”（孝善基金的老人须是本村年满 {limit} 周岁的在册成员）",
        "No {ref} in {village} (elders must be registered members aged {limit} or over)",
    ),
    "fund_member_ambiguous": (
        "本村有多人叫“{ref}”，请改用编号：{ids}",
        "Several members are called {ref}; use an id: {ids}",
    ),
    "fund_elder_no_birth": (
        "{name}没有登记出生日期，无法确认是否年满 {limit} 周岁",
        "{name} has no birth date; cannot tell whether they are {limit} or over",
    ),
    "fund_not_elder": (
        "{name}现年 {age} 岁，未满 {limit} 周岁（或已不在册），不能签订赡养承诺书",
        "{name} is {age}, under {limit} (or no longer registered); no pledge can be made",
    ),
    "fund_bad_elder_age": (
        "老人年龄线只能是 60 或 65 周岁，不能是 {age}",
        "The elder age may be 60 or 65, not {age}",
    ),
    "fund_bad_phone": ("电话号码“{value}”无效", "Invalid phone number {value}"),
    "fund_bad_supporter_name": (
        "请写明赡养人姓名（最多 {limit} 个字）",
        "Give the supporter's name (at most {limit} characters)",
    ),
    "fund_bad_relation": (
        "与老人关系最多 {limit} 个字",
        "The relation may have at most {limit} characters",
    ),
    "fund_supporter_exists": (
        "赡养人“{name}”已登记（编号 {id}）",
        "Supporter {name} is already registered (id {id})",
    ),
    "fund_supporter_not_found": (
        "{village}找不到赡养人：{ref}",
        "No supporter {ref} in {village}",
    ),
    "fund_supporter_ambiguous": (
        "有多名赡养人叫“{ref}”，请改用编号：{ids}",
        "Several supporters are called {ref}; use an id: {ids}",
    ),
    "fund_bad_frequency": (
        "缴纳方式“{value}”无效（可选：按月、按季）",
        "Unknown frequency {value} (monthly or quarterly)",
    ),
    "fund_frequency_monthly": ("按月", "monthly"),
    "fund_frequency_quarterly": ("按季", "quarterly"),
    "fund_bad_monthly": (
        "每月金额 {amount} 无效（须大于零、不超过 {max}）",
        "Monthly amount {amount} is invalid (above zero, at most {max})",
    ),
    "fund_bad_due_day": (
        "缴纳日 {day} 无效，须是每月 1–31 日（小月自动按月末计）",
        "Due day {day} is invalid; it must be 1–31 (short months use their last day)",
    ),
    "fund_pledge_exists": (
        "{supporter}为{elder}已有未结束的赡养承诺书（编号 {id}）",
        "{supporter} already has a running pledge for {elder} (id {id})",
    ),
    "fund_pledge_not_found": (
        "{village}找不到赡养承诺书 #{id}",
        "No pledge #{id} in {village}",
    ),
    "fund_pledge_already_ended": (
        "承诺书 #{id} 已于{month}结束，不能再改",
        "Pledge #{id} already ended with {month}",
    ),
    "fund_end_before_start": (
        "结束月份{month}早于开始月份{start}",
        "End month {month} is before the start month {start}",
    ),
    "fund_end_paid_after": (
        "{month}之后还有缴纳记录（{paid}），不能在此之前结束",
        "There are contributions after {month} ({paid}); the pledge cannot end earlier",
    ),
    "fund_open_ended": ("长期", "open-ended"),
    "fund_month_outside_pledge": (
        "{month}不在承诺书期限内（{start}起，至{end}）",
        "{month} is outside the pledge ({start} to {end})",
    ),
    "fund_quarter_text": ("{first}–{last}", "{first}–{last}"),
    "fund_state_paid": ("已缴", "paid"),
    "fund_state_late": ("逾期缴清", "paid late"),
    "fund_state_partial": ("部分缴纳", "part paid"),
    "fund_state_arrears": ("欠缴", "in arrears"),
    "fund_state_not_due": ("未到期", "not yet due"),
    "fund_overpay": (
        "{period}应缴 {due}，已缴 {paid}，还欠 {owed}；本次 {amount} 超出了应缴金额，请按欠缴金额登记",
        "{period}: {due} due, {paid} paid, {owed} outstanding; {amount} is more than is owed",
    ),
    "fund_period_paid": (
        "{period}应缴 {due} 已全部缴清，不能再登记 {amount}",
        "{period}: the {due} due is paid in full; {amount} cannot be added",
    ),
    # ------------------------------------------------------------ matching rule
    "fund_bad_rate": (
        "配捐比例“{value}”无效，请写成 10% 或 0.1（0–100%，最多两位小数的百分比）",
        "Invalid matching rate {value}; write 10% or 0.1 (0–100%)",
    ),
    "fund_rule_past": (
        "配捐规则只能从本月（{current}）或以后生效，不能追溯到{month}",
        "A matching rule applies from this month ({current}) on, not from {month}",
    ),
    "fund_rule_line": (
        "自{month}起：按缴纳额的 {rate} 配捐，{cap}",
        "From {month}: {rate} of each contribution, {cap}",
    ),
    "fund_rule_cap": ("每位老人每月最多 {cap}", "at most {cap} per elder per month"),
    "fund_rule_no_cap": ("不设上限", "no cap"),
    # ------------------------------------------------------------ statement and honour roll
    "fund_statement_title": (
        "{village}孝善基金{month}收支公示",
        "{village} filial-support fund statement, {month}",
    ),
    "fund_statement_summary": (
        "【{title}】期初余额 {opening}；收入：子女缴纳 {contributions}，捐赠 {donations}；"
        "基金配捐 {subsidies}；发放老人 {payouts}（{elders} 位老人有收支）；"
        "期末余额 {closing}，其中可用于配捐 {pool}。",
        "[{title}] Opening {opening}; in: contributions {contributions}, donations {donations}; "
        "matching {subsidies}; paid to elders {payouts} ({elders} elders); "
        "closing {closing}, of which {pool} for matching.",
    ),
    "fund_honour_name": (
        "{supporter}（{elder}的{relation}）",
        "{supporter} ({elder}'s {relation})",
    ),
    "fund_relation_unknown": ("赡养人", "supporter"),
    "fund_honour_future": ("{year}年还没到，不能发布光荣榜", "{year} has not begun"),
    "fund_honour_exists": (
        "{year}年度孝善光荣榜已于{date}发布，不能重复发布",
        "The {year} honour roll was published on {date}",
    ),
    "fund_honour_nobody": (
        "{village}{year}年度还没有全年按时足额缴纳的赡养人，光荣榜未发布",
        "Nobody in {village} has kept the pledge through {year}; nothing was published",
    ),
    "fund_honour_empty": (
        "{village}{year}年度没有全年按时足额缴纳的赡养人",
        "Nobody in {village} paid every month of {year}",
    ),
    "fund_honour_summary": (
        "【{village}{year}年度孝善光荣榜】以下 {count} 位子女按时足额缴纳了孝心养老金：{names}。孝老爱亲，向上向善，特此表彰！",
        "[{village} honour roll {year}] {count} supporters paid every period in full and on time: {names}.",
    ),
    "fund_honour_year_open": (
        "{year}年还没过完，还有 {periods} 期未到期；现在发布，光荣榜只按已到期的各期评定，名单发布后不再改动",
        "{year} is not over ({periods} periods still to come); a roll published now stands on part of the year",
    ),
    "fund_star_no_round": (
        "现在没有进行中的星级评定轮次，未提名良好家风之星",
        "No rating round is open; no star was proposed",
    ),
    "fund_star_no_category": (
        "本村没有启用“{name}”，未提名",
        "The star {name} is not in use; nothing was proposed",
    ),
    "fund_star_skip_no_household": (
        "{name}不是本村户籍，未提名",
        "{name} has no household in the village",
    ),
    "fund_star_skip_taken": (
        "{household}在本轮已有良好家风之星提名",
        "{household} is already proposed for the star in this round",
    ),
    "fund_star_skip_own": (
        "{household}是操作人本户，请由其他村干部提名",
        "{household} is the actor's own household; another member must propose it",
    ),
    "fund_star_reason": (
        "{year}年度孝善光荣榜：{names}按时足额缴纳孝心养老金",
        "Honour roll {year}: {names} paid every period in full and on time",
    ),
    # ------------------------------------------------------------ messages to people
    "fund_thanks": (
        "{supporter}您好：已收到您为{elder}缴纳的{period}孝心养老金 {amount}{subsidy}。"
        "感谢您的孝心！——{village}孝善理事会",
        "Dear {supporter}: we received {amount} for {elder} ({period}){subsidy}. "
        "Thank you! — {village} fund council",
    ),
    "fund_thanks_subsidy": ("，孝善基金另配捐 {amount}", "; the fund adds {amount}"),
    # ------------------------------------------------------------ CLI
    "fund_cli_written": ("已写出：{path}", "Written: {path}"),
    "fund_cli_supporter_added": (
        "已登记赡养人 {name}（编号 {id}，电话 {phone}）",
        "Supporter {name} registered (id {id}, phone {phone})",
    ),
    "fund_cli_no_supporters": ("还没有登记赡养人", "No supporters yet"),
    "fund_cli_elders_title": (
        "{village}的老人（年满 {age} 周岁）",
        "Elders of {village} (aged {age} or over)",
    ),
    "fund_cli_elders_count": ("共 {count} 位老人", "{count} elders"),
    "fund_cli_elder_age": (
        "{village}的老人年龄线已设为 {age} 周岁",
        "{village}: elders are now those aged {age} or over",
    ),
    "fund_cli_pledge_signed": (
        "已签订赡养承诺书 #{id}：{supporter}为{elder}每月 {amount}（{frequency}），每月 {day} 日前缴纳，自{start}起",
        "Pledge #{id}: {supporter} pays {amount} a month for {elder} ({frequency}), due on day {day}, from {start}",
    ),
    "fund_cli_pledge_ended": ("承诺书 #{id} 到{month}为止", "Pledge #{id} ends with {month}"),
    "fund_cli_no_pledges": ("还没有赡养承诺书", "No pledges yet"),
    "fund_cli_pledge_terms": (
        "每月 {amount}，{frequency}\n每月 {day} 日\n{term}",
        "{amount} a month, {frequency}\nday {day}\n{term}",
    ),
    "fund_cli_term_open": ("{start} 起", "from {start}"),
    "fund_cli_term_closed": ("{start} 至 {end}", "{start} to {end}"),
    "fund_cli_pledges_title": ("赡养承诺书（{year}年缴纳情况）", "Pledges ({year})"),
    "fund_cli_paid": (
        "已登记缴纳 #{id}：{supporter} {period} {amount}（{method}，{date}）",
        "Contribution #{id} recorded: {supporter}, {period}, {amount} ({method}, {date})",
    ),
    "fund_cli_paid_before": (
        "这笔缴纳此前已登记（#{id}：{supporter} {period} {amount}，{method}，{date}），未重复记账",
        "Already recorded as #{id} ({supporter}, {period}, {amount}); nothing added",
    ),
    "fund_cli_period_status": (
        "本期（{due_on} 到期）：{state}；应缴 {due}，已缴 {paid}，还欠 {owed}",
        "This period (due {due_on}): {state}; {due} due, {paid} paid, {owed} outstanding",
    ),
    "fund_cli_subsidy": ("孝善基金配捐 {amount}", "The fund matched {amount}"),
    "fund_cli_no_subsidy": ("本笔无配捐", "No matching for this one"),
    "fund_cli_thanked": (
        "已向{name}（{phone}）发出感谢消息",
        "A thank-you was queued for {name} ({phone})",
    ),
    "fund_cli_not_thanked": (
        "{name}没有电话也未绑定 Telegram，未发感谢消息",
        "{name} has neither phone nor Telegram; no thank-you sent",
    ),
    "fund_donation_twice": (
        "{date} 已登记过{donor}的捐赠 {amount}（#{id}），同一笔不会重复记账；确是又一笔捐赠时请确认后另记",
        "{donor}'s donation of {amount} on {date} is already recorded (#{id}); confirm to record another one",
    ),
    "fund_cli_confirm_donation": (
        "确认这是同日又一笔捐赠，另记一笔？",
        "Is this another donation the same day (record it again)?",
    ),
    "fund_cli_confirm_publish": ("确认现在发布？", "Publish now?"),
    "fund_cli_not_confirmed": (
        "未确认，什么也没有做（确认请输入 y，或加 --yes）",
        "Not confirmed; nothing was done (type y, or add --yes)",
    ),
    "fund_cli_donated": (
        "已登记捐赠 #{id}：{donor} {amount}。基金余额 {balance}，可用于配捐 {pool}",
        "Donation #{id}: {donor} {amount}. Fund {balance}, for matching {pool}",
    ),
    "fund_cli_amount_needs_elder": (
        "写了 --amount 时请用 --elder 指明发给哪位老人",
        "--amount needs --elder",
    ),
    "fund_cli_nothing_to_pay": ("没有需要发放的款项", "Nothing to pay out"),
    "fund_cli_paid_earlier": ("本月已发放过", "already paid this month"),
    "fund_cli_payout_total": (
        "本次发放 {count} 位老人，共 {total}",
        "Paid {count} elders, {total} in all",
    ),
    "fund_cli_reversed": (
        "已冲正记录 #{entry_id}（{kind}）：新增冲正记录 #{id}，金额 {amount}。基金余额 {balance}，可用于配捐 {pool}",
        "Entry #{entry_id} ({kind}) reversed by #{id} ({amount}). Fund {balance}, for matching {pool}",
    ),
    "fund_cli_rule_set": ("已设定配捐规则：{rule}", "Matching rule set: {rule}"),
    "fund_cli_no_rules": ("还没有配捐规则（缴纳不配捐）", "No matching rule (nothing is matched)"),
    "fund_cli_rule_current": ("  ← 本月适用", "  ← applies this month"),
    "fund_cli_no_arrears": ("截至 {date} 没有欠缴", "Nothing in arrears on {date}"),
    "fund_cli_due_today": ("今日到期", "due today"),
    "fund_cli_arrears_title": ("欠缴名单（截至 {date}）", "Arrears on {date}"),
    "fund_cli_arrears_total": (
        "共 {count} 期未缴足，合计欠缴 {total}",
        "{count} periods not paid in full, {total} outstanding",
    ),
    "fund_cli_statement_sent": (
        "已把收支公示摘要发给村两委 {count} 人",
        "The summary was queued for {count} committee members",
    ),
    "fund_cli_publish_needs_by": ("发布光荣榜请用 --by 写明操作人", "Publishing needs --by"),
    "fund_cli_stars_need_publish": (
        "--stars 只在发布（--publish）时使用",
        "--stars goes with --publish",
    ),
    "fund_cli_honour_draft": (
        "（尚未发布：加 --publish 发布后名单固定）",
        "(not published yet: --publish fixes the names)",
    ),
    "fund_cli_stars_proposed": (
        "已在“{round}”为以下农户提名良好家风之星：{households}",
        "Proposed for the family star in {round}: {households}",
    ),
    "fund_honour_title": (
        "{village}{year}年度孝善光荣榜",
        "{village} filial-support honour roll {year}",
    ),
    # ------------------------------------------------------------ table heads and printed pages
    "fund_col_id": ("编号", "id"),
    "fund_col_seq": ("序号", "no."),
    "fund_col_supporter": ("赡养人", "supporter"),
    "fund_col_relation": ("与老人关系", "relation"),
    "fund_col_phone": ("电话", "phone"),
    "fund_col_elder": ("老人", "elder"),
    "fund_col_household": ("户编号", "household"),
    "fund_col_age": ("年龄", "age"),
    "fund_col_pledge": ("承诺", "pledge"),
    "fund_col_year": ("今年缴纳情况", "this year"),
    "fund_col_amount": ("金额", "amount"),
    "fund_col_note": ("备注", "note"),
    "fund_col_period": ("期间", "period"),
    "fund_col_due_on": ("到期日", "due on"),
    "fund_col_due": ("应缴", "due"),
    "fund_col_paid": ("已缴", "paid"),
    "fund_col_owed": ("欠缴", "owed"),
    "fund_col_state": ("状态", "state"),
    "fund_col_contributions": ("子女缴纳", "contributions"),
    "fund_col_subsidies": ("基金配捐", "matching"),
    "fund_col_received": ("合计收到", "received"),
    "fund_col_paid_out": ("已发放", "paid out"),
    "fund_col_date": ("日期", "date"),
    "fund_col_donor": ("捐赠人", "donor"),
    "fund_col_method": ("方式", "method"),
    "fund_col_year_paid": ("全年缴纳", "paid in the year"),
    "fund_html_print": ("打印", "Print"),
    "fund_html_opening": ("期初余额", "Opening balance"),
    "fund_html_contributions": ("收入：子女缴纳孝心养老金", "In: contributions"),
    "fund_html_donations": ("收入：乡贤、企业捐赠", "In: donations"),
    "fund_html_subsidies": ("基金配捐（由捐赠转给老人）", "Matching (donations to elders)"),
    "fund_html_payouts": ("支出：发放给老人", "Out: paid to elders"),
    "fund_html_closing": ("期末余额", "Closing balance"),
    "fund_html_pool": ("其中：可用于配捐的捐赠余额", "of which left for matching"),
    "fund_html_elders": ("老人收支明细", "Per elder"),
    "fund_html_donation_list": ("捐赠明细", "Donations"),
    "fund_html_none": ("本月无", "None this month"),
    "fund_html_statement_note": (
        "以上收支按实际收付日期统计，负数为冲正更正。如有疑问，请向村孝善理事会反映。",
        "Money is counted by the day it moved; negative figures are corrections.",
    ),
    "fund_html_signature": ("{village}孝善理事会", "{village} fund council"),
    "fund_html_honour_intro": (
        "{year}年度，以下子女信守赡养承诺书，按时足额缴纳孝心养老金，孝老爱亲，特予表彰，上榜光荣。",
        "In {year} these children kept their pledge and paid every month.",
    ),
    "fund_html_honour_outro": (
        "弘扬孝善文化，营造孝老爱亲、向上向善的良好氛围。",
        "Honour your elders.",
    ),
}
