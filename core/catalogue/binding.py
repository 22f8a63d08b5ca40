"""Catalogue entries: binding a Telegram chat to a household or a staff member, printed cards."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # binding a chat with a one-time code
    "binding_bound": ("已绑定：{label}", "Bound: {label}"),
    "binding_label_household": ("{name}（{number}）", "{name} ({number})"),
    "binding_label_staff": ("{name}（{role}，{village}）", "{name} ({role}, {village})"),
    "binding_role_household": ("农户", "household"),
    "binding_wrong": (
        "绑定码不正确，请核对绑定卡上的 8 位代码（还可以再试 {left} 次）",
        "Wrong binding code; check the 8 characters on the card ({left} tries left)",
    ),
    "binding_wrong_last": (
        "绑定码不正确，输错次数太多，请 {minutes} 分钟后再试",
        "Wrong binding code, and too many of them; try again in {minutes} minutes",
    ),
    "binding_used_here": (
        "这个绑定码已经在本聊天用过了，无需重复绑定",
        "This code was already used in this chat; no need to bind again",
    ),
    "binding_used": (
        "这个绑定码已经用过了。如需重新绑定，请找村两委补打一张绑定卡",
        "This binding code has already been used; ask the village committee for a new card",
    ),
    "binding_expired": (
        "这个绑定码已于 {date} 过期，请找村两委重新打印绑定卡",
        "This binding code expired on {date}; ask the village committee for a new card",
    ),
    "binding_revoked": (
        "这个绑定码已作废（已补发新卡），请使用最新的绑定卡",
        "This binding code was replaced by a newer card; use the newest card",
    ),
    "binding_rate_limited": (
        "输错次数太多，请 {minutes} 分钟后再试",
        "Too many wrong codes; try again in {minutes} minutes",
    ),
    "binding_bad_format": (
        "绑定码格式不对：应为绑定卡上的 8 位字母和数字，如 ABCD-2345",
        "A binding code is the 8 letters and digits on the card, e.g. ABCD-2345",
    ),
    "binding_staff_inactive": (
        "{name}已停用，不能为其发放绑定码",
        "{name} is no longer active; no binding code can be issued",
    ),
    "binding_staff_no_village": (
        "{name}不属于任何村，不能用绑定码绑定",
        "{name} belongs to no village and cannot be bound with a code",
    ),
    "binding_household_other_village": (
        "户 {number} 不属于{village}",
        "Household {number} does not belong to {village}",
    ),
    "binding_no_target": (
        "请指定要发放绑定码的户或工作人员（只能指定一个）",
        "Name exactly one household or staff member to issue a code for",
    ),
    # printed cards
    "cards_title": ("{village} 乡信绑定卡", "{village} Xiangxin binding cards"),
    "cards_print": ("打印", "Print"),
    "card_heading": ("乡信 · 绑定卡", "Xiangxin binding card"),
    "card_head": ("户主", "Head of household"),
    "card_number": ("户编号", "Household no."),
    "card_group": ("组", "Group"),
    "card_code": ("绑定码", "Binding code"),
    "card_expires": ("有效期至 {date}", "Valid until {date}"),
    "card_scan": (
        "用手机扫描二维码，打开 Telegram 后点“开始”即可绑定。",
        "Scan the QR code and press Start in Telegram to bind.",
    ),
    "card_manual": (
        "或在 Telegram 搜索 @{bot}，发送：/start {code}",
        "Or search @{bot} in Telegram and send: /start {code}",
    ),
    "card_once": (
        "绑定码只能使用一次，请妥善保管，不要告诉他人。丢失请找村两委补办。",
        "The code works once; keep it private. Ask the village committee if it is lost.",
    ),
    "card_sms": (
        "不用 Telegram 也可以：用花名册上登记的手机号发短信，发送 JF 查积分，发送 BZ 获取帮助。",
        "Without Telegram: text from the phone number in the roster: JF for points, BZ for help.",
    ),
    # CLI
    "cards_no_bot": (
        "不知道机器人的用户名，无法生成二维码：请设置 XIANGXIN_TELEGRAM_BOT_USERNAME（如 xiangxin_bot）",
        "The bot's username is unknown; set XIANGXIN_TELEGRAM_BOT_USERNAME (e.g. xiangxin_bot)",
    ),
    "cards_bot_lookup_failed": (
        "向 Telegram 查询机器人用户名失败（{error}）：请设置 XIANGXIN_TELEGRAM_BOT_USERNAME",
        "Could not ask Telegram for the bot's username ({error}); set XIANGXIN_TELEGRAM_BOT_USERNAME",
    ),
    "cards_none": ("没有符合条件的户，未生成绑定卡", "No households match; no cards made"),
    "cards_group_empty": (
        "{village}没有“{group}”组的户",
        "{village} has no households in group {group}",
    ),
    "cards_rendering": ("正在生成绑定卡", "Rendering cards"),
    "cards_written": (
        "已为 {count} 户生成绑定卡：{path}（用浏览器打开后打印；旧的未使用绑定卡已作废）",
        "{count} cards written to {path} (open in a browser to print; older unused cards are void)",
    ),
    "cards_write_failed": (
        "无法写入 {path}（{error}），未生成新的绑定码，原有绑定卡仍然有效",
        "Cannot write {path} ({error}); no codes were issued and the old cards stay valid",
    ),
    "cards_expiry": ("绑定码有效期至 {date}", "The codes are valid until {date}"),
    "cards_staff_issued": (
        "已为{name}（{role}，{village}）生成绑定码：{code}，有效期至 {date}",
        "Binding code for {name} ({role}, {village}): {code}, valid until {date}",
    ),
    "cards_staff_link": (
        "请本人用 Telegram 打开链接：{link}，或向 @{bot} 发送 /start {code}",
        "Open {link} in Telegram, or send /start {code} to @{bot}",
    ),
    "cards_staff_no_link": (
        "请本人在 Telegram 向本村的乡信机器人发送：/start {code}",
        "Have them send /start {code} to the village's Xiangxin bot in Telegram",
    ),
    "cards_file": ("{village}绑定卡.html", "{village}-binding-cards.html"),
    "cards_staff_warning": (
        "绑定码只能使用一次，请只交给本人；之前未使用的绑定码已作废",
        "The code works once; give it only to that person. Older unused codes are void",
    ),
}

MESSAGES |= {
    # notifications/binding_notice.py: the SMS after a new chat binding
    "binding_told": (
        "【乡信】{name}的账号于{time}绑定了新的Telegram。如不是您本人或家人操作，请立即告知村委会。",
        "[xiangxin] A new Telegram chat was bound to {name} at {time}. If this was not you "
        "or your family, tell the village committee at once.",
    ),
}
