"""Catalogue entries: the chat front-ends (Telegram menus and steps, the household's SMS words)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # the household, in Telegram and by SMS (bot/household.py)
    "household_help": (
        "您好！点下面的按钮，或直接发文字：\n"
        "查积分（JF）— 积分余额、今年的星和最近记录\n"
        "星级（XJ）— 各轮评星结果和正在公示的名单\n"
        "超市（CS）— 爱心超市的商品和所需积分\n"
        "退订（TD）/ 订阅（DY）— 停止或恢复接收政策通知\n"
        "求助（QZ）+情况 — 生病、受灾、失业等困难，村委会和帮扶责任人马上知道\n"
        "兑换时点“确认兑换”，或发送店主那边的6位验证码。",
        "Hello! Tap a button below or send:\n"
        "JF — points, this year's stars and recent entries\n"
        "XJ — stars by round and the open public notice\n"
        "CS — the supermarket's goods and their points\n"
        "TD / DY — stop or resume policy notices\n"
        "QZ + what happened — report hardship (illness, disaster, job loss)\n"
        "To redeem, tap Confirm or send the 6-digit code.",
    ),
    "household_help_sms": (
        "乡信：回复JF查积分，XJ查星级，CS看超市商品，QZ+情况求助，TD退订通知，DY恢复通知，BZ看帮助；兑换时回复6位验证码确认。",
        "xiangxin: JF points, XJ stars, CS shop, QZ + details for help, TD stop notices, "
        "DY resume, BZ help; "
        "reply the 6-digit code to confirm a redemption.",
    ),
    "household_unknown": (
        "您好，没看懂“{text}”。",
        "Sorry, we did not understand \u201c{text}\u201d.",
    ),
    "household_nothing_to_confirm": (
        "您现在没有待确认的兑换。",
        "You have no redemption waiting for confirmation.",
    ),
    "household_refused": (
        "好的，兑换单 #{id} 已取消，没有扣您的积分。",
        "Redemption #{id} was cancelled; no points were taken.",
    ),
    # menus (labels the keyboard shows; a household's labels are also its words)
    "menu_points": ("查积分", "Points"),
    "menu_stars": ("星级", "Stars"),
    "menu_shop": ("超市", "Shop"),
    "menu_help": ("帮助", "Help"),
    "menu_opt_out": ("退订", "Stop notices"),
    "menu_opt_in": ("订阅", "Resume notices"),
    "menu_find": ("找农户", "Find household"),
    "menu_award": ("评星", "Award a star"),
    "menu_round": ("评星进度", "Rating round"),
    "menu_notice": ("发通知", "Send a notice"),
    "menu_codes": ("绑定码", "Binding codes"),
    "menu_redeem": ("兑换", "Redeem"),
    "menu_restock": ("补货", "Restock"),
    "menu_today": ("今日兑换", "Today"),
    "menu_my_households": ("我的农户", "My households"),
    "menu_log_visit": ("记录走访", "Log a visit"),
    "menu_due_week": ("本周待访", "Due this week"),
    # the application (bot/telegram/app.py)
    "bot_command_start": ("开始 / 绑定", "Start / bind"),
    "bot_command_help": ("帮助和菜单", "Help and menu"),
    "bot_command_cancel": ("取消当前操作", "Cancel the current step"),
    "bot_welcome_unbound": (
        "欢迎使用乡信！请用村里发的绑定卡扫码，或直接发送卡上的 8 位绑定码"
        "（例如 ABCD-2345，也可以发 /start ABCD2345）。没有卡请找村委会领取。",
        "Welcome to xiangxin! Scan your binding card or send the 8-character code on it"
        " (or /start followed by the code).",
    ),
    "bot_unbound": (
        "这个账号还没有绑定。请直接发送村里发的绑定卡上的 8 位绑定码（或 /start 加绑定码）。",
        "This account is not bound yet. Send the 8-character code from your card"
        " (or /start with it).",
    ),
    "bot_text_only": (
        "请发文字，或点下面的按钮。",
        "Please send text, or tap a button below.",
    ),
    "bot_text_only_unbound": (
        "请发文字：把村里发的绑定卡上的 8 位绑定码发过来（例如 ABCD-2345），就能绑定这个账号。",
        "Please send text: the 8-character code on your binding card binds this account.",
    ),
    "bot_staff_help": (
        "{name}（{role}）您好，请用下面的菜单。随时发送 /cancel 取消当前操作。",
        "Hello {name} ({role}); use the menu below. /cancel stops the current step.",
    ),
    "bot_role_unsupported": (
        "{role}的功能请使用命令行或管理后台。",
        "Please use the command line for the {role} role.",
    ),
    "bot_cancelled": ("已取消。", "Cancelled."),
    "bot_button_stale": (
        "这个按钮已经过期了，请从菜单重新开始。",
        "That button is no longer valid; start again from the menu.",
    ),
    "bot_sorry": (
        "抱歉，系统出了点问题，已记录下来。请稍后再试，或联系村委会。",
        "Sorry, something went wrong and was logged. Please try again later.",
    ),
    "bot_handler_failed": ("处理 Telegram 消息时出错", "A Telegram update failed"),
    "bot_polling_mode": (
        "Telegram 机器人 @{username} 已启动（长轮询）",
        "Telegram bot @{username} started (long polling)",
    ),
    "bot_webhook_mode": (
        "Telegram 机器人已启动（Webhook：{url}）",
        "Telegram bot started (webhook: {url})",
    ),
    "bot_webhook_refused": (
        "拒绝了一个没有正确密钥的 Webhook 请求（来自 {peer}）",
        "Refused a webhook request without the right secret (from {peer})",
    ),
    "bot_webhook_bad_update": (
        "拒绝了一个格式不对的 Webhook 更新（来自 {peer}）：{error}",
        "Refused a malformed webhook update (from {peer}): {error}",
    ),
    "bot_update_malformed": (
        "不是 Telegram 更新的格式（update_id 须为整数，消息须有会话）",
        "Not shaped like a Telegram update (an integer update_id, a message with a chat)",
    ),
    "bot_press_unanswered": (
        "按钮点击已无法应答（照常处理）：{error}",
        "A button press could not be acknowledged (handled all the same): {error}",
    ),
    "bot_buttons_kept": (
        "无法去掉已选消息的按钮：{error}",
        "Could not remove the buttons of a chosen message: {error}",
    ),
    # finding a household (committee, shop)
    "bot_ask_household": (
        "请输入农户的户编号、户主姓名或姓名拼音首字母（如 zsf）：",
        "Send the household's number, the head's name or pinyin initials:",
    ),
    "bot_search_none": (
        "没有找到“{query}”，请换个写法再试。",
        "Nothing found for \u201c{query}\u201d.",
    ),
    "bot_search_pick": ("找到 {count} 户，请选择：", "{count} found, pick one:"),
    "bot_household_button": ("{name}（{number}）", "{name} ({number})"),
    "bot_household_card": (
        "{name}（{number}）\n组：{group}　人口：{size}　{type}",
        "{name} ({number})\ngroup {group}, {size} people, {type}",
    ),
    "bot_button_award_for": ("给{name}评星", "Award {name}"),
    "bot_button_code_for": ("{name}的绑定码", "Code for {name}"),
    # awards and the round (committee)
    "bot_round_none": (
        "现在没有正在进行的评星轮次。",
        "There is no rating round in progress.",
    ),
    "bot_round_new": ("新建本季度评星", "Start this quarter's round"),
    "bot_award_start": ("评星轮次：{round}", "Round: {round}"),
    "bot_award_ask_category": (
        "给 {name}（{number}）评哪颗星？",
        "Which star for {name} ({number})?",
    ),
    "bot_category_button": ("{name}（{points}分）", "{name} ({points})"),
    "bot_award_ask_reason": (
        "请写评星理由（会在公示中显示），例如：带头发展养殖，带动5户增收。",
        "Write the reason (shown in the public notice):",
    ),
    "bot_award_done": (
        "已提名 {name}，等待评议。本轮目前共 {count} 项：",
        "{name} nominated, awaiting review. The round now has {count}:",
    ),
    "bot_award_line": (
        "· {name}（{number}）{category} — {status}",
        "· {name} ({number}) {category} — {status}",
    ),
    "bot_round_view": (
        "评星轮次：{name}（{status}）\n待评议 {proposed} 项，通过 {approved} 项，未通过 {rejected} 项\n"
        "异议 {objections} 条，其中未处理 {open} 条",
        "Round {name} ({status})\n{proposed} proposed, {approved} approved, {rejected} rejected\n"
        "{objections} objections, {open} open",
    ),
    "bot_round_publicity_until": ("公示截止：{until}", "Public notice until {until}"),
    "bot_round_nothing_to_approve": (
        "没有需要您评议的提名（自己提名的要由其他委员评议）。",
        "Nothing for you to review (your own nominations are reviewed by others).",
    ),
    "bot_round_effective": (
        "“{name}”已生效：{count} 项评星计入 {households} 户，共 {points} 分。",
        "{name} is effective: {count} awards, {households} households, {points} points.",
    ),
    "bot_objections_none": ("本轮没有异议。", "No objections in this round."),
    "bot_objection_line": (
        "· {name}（{number}）{category}：{reason} — {status}",
        "· {name} ({number}) {category}: {reason} — {status}",
    ),
    # notices (committee)
    "bot_notice_ask_title": ("请输入通知标题：", "Send the notice's title:"),
    "bot_notice_ask_body": ("请输入通知正文：", "Send the notice's text:"),
    "bot_notice_ask_audience": ("发给哪些农户？", "Who should get it?"),
    "bot_audience_all": ("全村农户", "Every household"),
    "bot_audience_elder": ("有60岁以上老人", "With an elder (60+)"),
    "bot_audience_school": ("有义务教育阶段学生", "With a school-age child"),
    "bot_audience_chronic": ("有慢性病人", "With chronic illness"),
    "bot_notice_preview_head": (
        "《{title}》发给：{audience}",
        "\u201c{title}\u201d to: {audience}",
    ),
    "bot_notice_send": ("确认发送", "Send"),
    "bot_notice_cancel": ("取消", "Cancel"),
    "bot_notice_started": (
        "通知 #{id} 已开始发送，共 {count} 户。",
        "Notice #{id} is being sent to {count} households.",
    ),
    "bot_notice_refresh": ("刷新进度", "Refresh"),
    "bot_notice_progress": (
        "发送进度（{time}）：排队 {queued}，发送中 {sending}，已发送 {sent}，已送达 {delivered}，"
        "失败 {failed}，待核实 {unknown}，已取消 {cancelled}",
        "Progress ({time}): queued {queued}, sending {sending}, sent {sent}, delivered "
        "{delivered}, failed {failed}, unknown {unknown}, cancelled {cancelled}",
    ),
    # binding codes (committee)
    "bot_codes_start": ("给哪一户发绑定码？", "Which household needs a binding code?"),
    "bot_code_issued": (
        "{name}（{number}）的绑定码：{code}\n{days}天内有效，只能用一次；旧码已作废。\n{link}",
        "Binding code for {name} ({number}): {code}\nValid {days} days, once; older codes void.\n"
        "{link}",
    ),
    # the shop
    "bot_cart": ("已选：{items}\n请选择商品，选好后点“选好了”：", "Chosen: {items}\nPick items:"),
    "bot_cart_empty": ("（还没有）", "(nothing yet)"),
    "bot_cart_done": ("选好了，请农户确认", "Done: ask the household"),
    "bot_cancel_button": ("取消", "Cancel"),
    "bot_item_button": ("{name} {price}分（存{stock}）", "{name} {price} pts ({stock} left)"),
    "bot_ask_quantity": (
        "{item} 要几{unit}？（库存 {stock}）请发数字：",
        "How many {unit} of {item}? ({stock} in stock)",
    ),
    "bot_quantity_invalid": (
        "“{text}”不是有效的数量，请发 1 到 999 的数字。",
        "Not a quantity: {text}",
    ),
    "bot_redeem_asked": (
        "兑换单 #{id}：{name}，{items}，共 {total} 分。已发给农户确认；"
        "农户也可以当面告诉您验证码，您在这里发送这6位数字即可。",
        "Redemption #{id}: {name}, {items}, {total} points; sent to the household to confirm, "
        "or type the code the household tells you.",
    ),
    "bot_redeem_unreachable": (
        "兑换单 #{id}：{name}，{items}，共 {total} 分。这户没有绑定 Telegram 也没有登记手机，"
        "无法发送验证码，请联系村委会补登手机号。",
        "Redemption #{id}: the household cannot be reached (no chat, no phone).",
    ),
    "bot_no_pending_redemption": (
        "您没有待确认的兑换单。",
        "You have no redemption awaiting confirmation.",
    ),
    "bot_restock_pick": ("给哪个商品补货？", "Which item to restock?"),
    "bot_ask_restock": (
        "{item} 补货多少{unit}？（现有 {stock}）请发数字：",
        "How many {unit} of {item} arrived? ({stock} now)",
    ),
    "bot_restocked": (
        "已补货：{item} 现有 {stock}{unit}。",
        "Restocked: {item} now {stock} {unit}.",
    ),
    "bot_catalogue_empty": ("超市还没有商品。", "The shop has no items yet."),
    "bot_redemption_line": (
        "#{id} {time} {name}：{items}，{total}分（{status}）",
        "#{id} {time} {name}: {items}, {total} pts ({status})",
    ),
    # the helper cadre
    "bot_my_households": ("您负责 {count} 户：", "You look after {count} households:"),
    "bot_due_week": ("本周要走访 {count} 户：", "{count} visits due this week:"),
    "bot_nothing_due": ("本周没有到期的走访。", "No visits due this week."),
    "bot_no_households": (
        "您还没有分配帮扶户，请联系村委会。",
        "No households are assigned to you yet.",
    ),
    "bot_visit_line": (
        "· {name}（{number}）上次 {last}，应访 {due}，{when}",
        "· {name} ({number}) last {last}, due {due}, {when}",
    ),
    "bot_never": ("未走访", "never"),
    "bot_visit_overdue": ("已逾期{days}天", "{days} days overdue"),
    "bot_visit_due_today": ("今天到期", "due today"),
    "bot_visit_due_in": ("还有{days}天", "in {days} days"),
    "bot_visit_pick": ("走访的是哪一户？", "Which household did you visit?"),
    "bot_visit_ask_method": ("怎样走访的 {name}？", "How did you visit {name}?"),
    "bot_visit_ask_date": (
        "哪天走访的？点按钮，或发日期（如 11-20）：",
        "When? Tap a button or send a date (e.g. 11-20):",
    ),
    "bot_today": ("今天", "Today"),
    "bot_yesterday": ("昨天", "Yesterday"),
    "bot_date_invalid": (
        "“{text}”不是日期，请发 11-20 或 2026-11-20 这样的日期。",
        "Not a date: {text}",
    ),
    "bot_visit_ask_note": (
        "请简单写下走访情况（没有就回复“无”）：",
        "A short note on the visit (or \u201c无\u201d for none):",
    ),
    "bot_visit_logged": (
        "已记录：{day} {method}走访 {name}。",
        "Logged: {method} visit to {name} on {day}.",
    ),
}
