"""Catalogue entries: the narration of ``make demo``."""

MESSAGES: dict[str, tuple[str, str]] = {
    "demo_step": ("第{n}步", "Step {n}"),
    "demo_clock": ("（演示时钟：北京时间 {now}）", "(demo clock: Beijing time {now})"),
    "demo_refused": ("→ 系统拒绝：{message}", "→ refused: {message}"),
    "demo_done": ("演示结束。", "Demo finished."),
    "demo_kept": (
        "公示文件和演示数据库保留在：{folder}\n"
        "在浏览器里打开演示数据：XIANGXIN_DATABASE_URL={url} xiangxin serve",
        "Notice files and the demo database are in {folder}\n"
        "To browse the demo data: XIANGXIN_DATABASE_URL={url} xiangxin serve",
    ),
    "demo_removed": (
        "临时目录已删除；要保留公示文件和演示数据库（并在网页工作台里打开），"
        "请用 xiangxin demo --keep 目录",
        "The scratch folder was removed; use xiangxin demo --keep DIR to keep it "
        "(and open it in the web console)",
    ),
    "demo_console": (
        "网页工作台：http://127.0.0.1:8080/ （make run 启动）。演示登录：村名 {village}，"
        "姓名 {name}，密码 {password}",
        "Web console: http://127.0.0.1:8080/ (make run). Demo login: village {village}, "
        "name {name}, password {password}",
    ),
    "demo_step_village": ("村两委在系统里建村", "The committee sets up the village"),
    "demo_village": (
        "已建村：{name}。1 积分折合 {value} 元，公示期 {days} 天。",
        "Village {name}: 1 point = {value} yuan, notice period {days} days.",
    ),
    "demo_step_roster": ("导入建档立卡户名单（Excel）", "Importing the household roster (Excel)"),
    "demo_roster_file": (
        "名单文件：{path}（户主一行，家庭成员在下面的续行）",
        "Roster file: {path}",
    ),
    "demo_roster_problem": (
        "第 {row} 行（户编号 {number}）：{reason}",
        "Row {row} ({number}): {reason}",
    ),
    "demo_roster_stopped": (
        "→ 名单里有错行，默认一行也不写入。改用 --skip-bad（跳过错行）再导入一次：",
        "→ Bad rows: nothing written by default. Importing again with --skip-bad:",
    ),
    "demo_roster_imported": (
        "已导入 {created} 户、家庭成员 {members} 人；跳过 {skipped} 户（待核实后再导入）。",
        "Imported {created} households and {members} members; skipped {skipped}.",
    ),
    "demo_roster_table": ("花名册（身份证号和电话已脱敏）", "Roster (ID and phone masked)"),
    "demo_step_staff": ("登记工作人员，查看十星类别", "Staff and the ten star categories"),
    "demo_staff": ("登记：{name}（{role}）", "Registered {name} ({role})"),
    "demo_categories": ("本村星级类别：{names}", "Star categories: {names}"),
    "demo_step_round": (
        "开展 2026年第4季度 星级评定：提名与评议",
        "Rating round 2026 Q4: proposals and review",
    ),
    "demo_award": (
        "{who} 提名 {number} 为「{category}」：{reason}",
        "{who} proposes {number} for {category}: {reason}",
    ),
    "demo_try_own_household": (
        "张建国试图给自己家（XF001）提名——",
        "Zhang tries to propose his own household —",
    ),
    "demo_submitted": ("提名完毕，提交村两委评议。", "Proposals submitted for review."),
    "demo_try_self_approve": (
        "周主任试图审核通过自己提名的一项——",
        "Director Zhou tries to approve his own proposal —",
    ),
    "demo_reviewed": (
        "另一位村两委成员逐项审核，{count} 项全部通过（谁提名谁不审，本户成员不审本户）。",
        "The other member reviewed all {count} awards.",
    ),
    "demo_step_publicity": ("张榜公示", "Public notice"),
    "demo_published": (
        "公示至 {ends}。可打印的公示：\n  网页（浏览器打印）：{html}\n  Excel：{xlsx}",
        "Notice until {ends}. Printable: {html} and {xlsx}",
    ),
    "demo_objection": (
        "村民对 {number} 的「{category}」提出异议。",
        "A villager objects to {number}'s {category}.",
    ),
    "demo_try_early": ("公示期未满就想生效——", "Taking effect before the period ends —"),
    "demo_objection_upheld": (
        "村两委核实后认定异议成立，该星撤销，不计积分。",
        "The objection is upheld; that award is withdrawn.",
    ),
    "demo_step_effective": ("公示期满，评定生效，积分入账", "Notice over: the round takes effect"),
    "demo_effective": (
        "已入账 {credited} 项星级，涉及 {households} 户，共 {total} 分。",
        "{credited} awards credited to {households} households, {total} points.",
    ),
    "demo_try_twice": ("再点一次“生效”——", "Taking effect a second time —"),
    "demo_step_balances": ("各户积分", "Balances"),
    "demo_step_shop": ("扶贫超市兑换", "Redeeming at the supermarket"),
    "demo_item": (
        "上架：{name}，{price} 分/{unit}，库存 {stock}",
        "Item {name}: {price} points/{unit}, stock {stock}",
    ),
    "demo_redeem_started": (
        "店主为 {number} 发起兑换，共 {total} 分；验证码 {code} 发给了农户本人（本演示直接显示）。",
        "Redemption for {number}: {total} points; code {code} sent to the household.",
    ),
    "demo_receipt": ("农户报出正确验证码，兑换完成。小票：", "Right code: done. Receipt:"),
    "demo_resubmit": ("店主网络卡顿，又提交了一次——", "The shopkeeper submits again —"),
    "demo_resubmit_result": (
        "→ 同一笔兑换，不重复扣分、不重复出库（同一张小票：{same}）。",
        "→ Same redemption, nothing charged twice (same receipt: {same}).",
    ),
    "demo_try_poor": (
        "XF005 想兑换 3 袋洗衣粉（库存只有 2 袋）——",
        "XF005 wants 3 bags (only 2 in stock) —",
    ),
    "demo_step_reversal": (
        "发现评错，冲正（不改不删，记一笔相反的账）；顾客退货",
        "A mistake is reversed; goods returned",
    ),
    "demo_reversed": (
        "{number} 的记录 #{id} 已由冲正记录 #{rid} 抵消（{amount:+d} 分），余额 {balance} 分。",
        "Entry #{id} of {number} reversed by #{rid} ({amount:+d}); balance {balance}.",
    ),
    "demo_returned": (
        "{number} 退回 1 袋大米（退货）：积分 {amount:+d} 分、库存一起退回，余额 {balance} 分，"
        "大米库存 {stock}。",
        "{number} returns a bag of rice: {amount:+d} points and the stock come back "
        "(balance {balance}, rice stock {stock}).",
    ),
    "demo_returned_again": (
        "再点一次退货 → 已经退过，不重复退分、不重复入库。",
        "Returned again → nothing comes back twice.",
    ),
    "demo_step_commend": ("年终：年度表彰", "Year end: commendation"),
    "demo_commended": (
        "第 {rank} 名：{name}（{number}），全年 {stars} 颗星，授予“{title}”，奖励 {bonus} 分",
        "#{rank}: {name} ({number}), {stars} stars, {title}, +{bonus} points",
    ),
    "demo_try_commend_twice": ("再表彰一次——", "Commending the same year again —"),
    "demo_step_verify": ("核对账本", "Verifying the ledger"),
    "demo_verified": (
        "账本核对无误：每户余额都等于流水合计，冲正关联完整，没有负数。",
        "The ledger is consistent.",
    ),
    "demo_verify_failed": ("账本核对发现 {count} 个问题！", "The ledger has {count} problems!"),
}

MESSAGES |= {
    "demo_step_broadcast": (
        "政策宣传：给有老人的户发医保缴费提醒",
        "A policy notice to households with elders",
    ),
    "demo_broadcast_preview": (
        "发送对象：{audience}。短信 {sms} 户，无法联系 {unreachable} 户；每条短信计 {parts} 条，预计费用 {cost} 元。",
        "Audience: {audience}. SMS to {sms}, unreachable {unreachable}; {parts} segment(s) each, about {cost} yuan.",
    ),
    "demo_broadcast_text": ("短信内容：{body}", "SMS text: {body}"),
    "demo_broadcast_sent": (
        "{count} 户排入发件箱，经控制台短信网关发出 {lines} 条，见 {log}",
        "{count} queued; {lines} texts written by the console gateway to {log}",
    ),
    "demo_broadcast_opt_out": (
        "{phone} 回复“退订”，系统答复：{reply}",
        "{phone} replied 退订; the answer: {reply}",
    ),
    "demo_step_chat": (
        "聊天机器人：绑定卡、Telegram 里查积分，不用智能手机的户发短信也一样",
        "The chat bot: binding cards, points in Telegram, and the same by plain SMS",
    ),
    "demo_cards": (
        "打印了 {count} 张绑定卡（每户一页，含一次性绑定码和二维码）：{path}",
        "Printed {count} binding cards (one page each, one-time code and QR): {path}",
    ),
    "demo_chat_said": ("{name} 在 Telegram 里发送：{text}", "{name} sends in Telegram: {text}"),
    "demo_sms_said": ("{phone} 发短信：{text}", "{phone} texts: {text}"),
    "demo_sms_redeem": (
        "店主为这户发起兑换，农户收到含验证码的短信，回复 {code} 确认：",
        "The shopkeeper starts a redemption; the household replies the code {code} by SMS:",
    ),
}
MESSAGES |= {
    "demo_step_visits": (
        "走访与求助：帮扶责任人登记走访（两不愁三保障），农户发短信“QZ”求助",
        "Home visits and hardship: a helper logs a visit with the checklist; a household texts QZ",
    ),
    "demo_visits_assigned": (
        "村两委把 {heads} 分配给帮扶责任人{helper}",
        "The committee assigns {heads} to helper {helper}",
    ),
    "demo_visits_logged": (
        "{helper}入户走访{head}：住房安全有问题（东屋屋顶漏雨），其余四项正常 → 生成村两委待办",
        "{helper} visits {head}: housing has a problem (leaking roof), the rest fine → a follow-up",
    ),
    "demo_hardship_alerted": (
        "求助已登记，立即通知了 {count} 人（村两委和该户的帮扶责任人）",
        "The report is logged and {count} people were alerted at once (committee and helper)",
    ),
    "demo_follow_up": ("待办：{line}", "Follow-up: {line}"),
    "demo_step_fund": (
        "孝善基金：配捐规则、乡贤捐赠、子女签赡养承诺书",
        "The filial fund: matching rule, a donation, a supporter's pledge",
    ),
    "demo_fund_pledge": (
        "配捐 10%（每位老人每月最多 50 元），乡贤王先生捐 2000 元；{supporter}为{elder}（{age}岁）"
        "承诺每月 200 元，{due} 到期",
        "Matching 10% (at most 50 yuan per elder a month), a 2,000 yuan donation; {supporter} "
        "pledges 200 yuan a month for {elder} ({age}), due {due}",
    ),
    "demo_step_reminders": (
        "定时提醒：每天 9 点扫描一次，连续 10 天（提醒是数据库里的记录，不是每户一个定时任务）",
        "Reminders: the daily 09:00 sweep over ten days (rows in the database, not a job per household)",
    ),
    "demo_reminders_day": (
        "{date}：发出 {sent} 条提醒消息，撤销 {cleared} 条（事由已消除）",
        "{date}: {sent} reminder messages, {cleared} cleared (their reason had gone)",
    ),
    "demo_fund_paid": (
        "当晚子女缴了 200 元：记账、配捐 20 元、发感谢短信。本月收支（下月 1 日自动发给村两委）：",
        "That evening the son pays 200 yuan: booked, 20 yuan matched, thanked. The month so far "
        "(sent to the committee on the 1st):",
    ),
    "demo_reminders_total": (
        "十天里共发出 {sent} 条提醒，撤销 {cleared} 条，还有 {pending} 条在等到期日",
        "Over ten days: {sent} reminders sent, {cleared} cleared, {pending} waiting for their day",
    ),
}
