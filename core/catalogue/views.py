"""Messages: what a household reads of itself (积分, 星级, 超市商品), in chat and by SMS.

The ``sms_`` entries are the compact forms: no emoji, no line breaks, so that a
typical household's answer fits in one or two SMS (70 Chinese characters each).
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # 查积分 (chat)
    "view_points_title": (
        "【{village}】{name}家的积分（户号 {number}）",
        "[{village}] Points of the {name} household (no. {number})",
    ),
    "view_points_balance": (
        "现有积分：{balance} 分（折合 {yuan} 元）",
        "Balance: {balance} points ({yuan} yuan)",
    ),
    "view_points_stars": (
        "{year}年获星：共 {total} 颗",
        "Stars in {year}: {total}",
    ),
    "view_points_star_line": ("  ⭐ {category} {count} 颗", "  ⭐ {category}: {count}"),
    "view_points_no_stars": (
        "{year}年还没有获星，继续加油！",
        "No stars yet in {year}; keep going!",
    ),
    "view_points_recent": ("最近记录：", "Latest entries:"),
    "view_points_entry": (
        "  {month}月{day}日  {amount:+d} 分  {reason}",
        "  {month}/{day}  {amount:+d}  {reason}",
    ),
    "view_points_no_entries": ("还没有积分记录", "No entries yet"),
    # 查积分 (SMS)
    "view_sms_points_balance": (
        "{name}家现有积分{balance}分（折合{yuan}元）。",
        "{name} household: {balance} points ({yuan} yuan).",
    ),
    "view_sms_points_stars": (
        "{year}年获星{total}颗：{detail}。",
        "{total} stars in {year}: {detail}.",
    ),
    "view_sms_points_stars_total": ("{year}年获星{total}颗。", "{total} stars in {year}."),
    "view_sms_points_star_item": ("{category}{count}", "{category} {count}"),
    "view_sms_points_no_stars": ("{year}年暂未获星。", "No stars yet in {year}."),
    "view_sms_points_recent": ("最近：{entries}。", "Latest: {entries}."),
    "view_sms_points_entry": (
        "{month}月{day}日{label}{amount:+d}分",
        "{month}/{day} {label} {amount:+d}",
    ),
    "view_entry_kind_award": ("评星", "stars"),
    "view_entry_kind_redemption": ("兑换", "redeemed"),
    "view_entry_kind_commendation": ("表彰", "commendation"),
    "view_entry_kind_reversal": ("冲正", "reversal"),
    # 查星级 (chat)
    "view_stars_title": (
        "【{village}】{name}家的星级（户号 {number}）",
        "[{village}] Stars of the {name} household (no. {number})",
    ),
    "view_stars_rounds": ("近几轮评星结果：", "Latest rating rounds:"),
    "view_stars_round": (
        "  {round}（{date}生效）：{stars}，得 {points} 分",
        "  {round} (effective {date}): {stars}, {points} points",
    ),
    "view_stars_round_none": (
        "  {round}（{date}生效）：本轮没有评上，继续加油",
        "  {round} (effective {date}): no star this time; keep going",
    ),
    "view_stars_no_rounds": ("还没有生效的评星结果", "No rating round has taken effect yet"),
    "view_stars_publicity": ("正在公示：{round}", "Now on public notice: {round}"),
    "view_stars_publicity_mine": (
        "  您家拟评：{stars}（{points} 分）",
        "  Proposed for you: {stars} ({points} points)",
    ),
    "view_stars_publicity_none": (
        "  您家本轮没有拟评星级",
        "  No star is proposed for your household this time",
    ),
    "view_stars_publicity_until": (
        "  公示截止：{deadline}",
        "  Objections until: {deadline}",
    ),
    "view_stars_publicity_over": (
        "  公示期已满（{deadline}），等待村委会确认生效",
        "  The notice period ended ({deadline}); awaiting the committee",
    ),
    "view_stars_objection": (
        "  对公示名单有异议，请联系：{contact}",
        "  To object to the list, contact: {contact}",
    ),
    "view_stars_objection_committee": (
        "  对公示名单有异议，请联系村委会",
        "  To object to the list, contact the village committee",
    ),
    "view_month_day": ("{month}月{day}日", "{month}/{day}"),
    # 查星级 (SMS)
    "view_sms_stars_head": ("{name}家星级：", "{name} household stars: "),
    "view_sms_stars_round": ("{round}获{stars}", "{round}: {stars}"),
    "view_sms_stars_round_none": ("{round}未获星", "{round}: none"),
    "view_sms_stars_no_rounds": ("暂无生效的评星结果", "no round has taken effect yet"),
    "view_sms_stars_publicity_mine": (
        "正在公示{round}，您家拟评{stars}，",
        "On notice: {round}, proposed for you: {stars}; ",
    ),
    "view_sms_stars_publicity_none": (
        "正在公示{round}，您家本轮未拟评，",
        "On notice: {round}, nothing proposed for you; ",
    ),
    "view_sms_stars_publicity_until": (
        "至{date}24时止，有异议请找{contact}。",
        "objections until {date} 24:00 to {contact}.",
    ),
    "view_sms_stars_publicity_over": (
        "公示期已满，待村委会确认生效。",
        "notice period over, awaiting the committee.",
    ),
    "view_sms_committee": ("村委会", "the village committee"),
    # 超市商品 (chat)
    "view_catalogue_title": (
        "【{village}扶贫超市】可用积分兑换的商品：",
        "[{village} supermarket] What your points can buy:",
    ),
    "view_catalogue_item": (
        "{index}. {item} —— {price} 分/{unit}（折合 {yuan} 元），有货 {stock}{unit}",
        "{index}. {item}: {price} points per {unit} ({yuan} yuan), {stock} in stock",
    ),
    "view_catalogue_item_out": (
        "{index}. {item} —— {price} 分/{unit}（折合 {yuan} 元），暂时缺货",
        "{index}. {item}: {price} points per {unit} ({yuan} yuan), out of stock",
    ),
    "view_catalogue_footer": (
        "兑换请到村超市找店主办理，办理时会请您确认。",
        "To redeem, see the shopkeeper; you will be asked to confirm.",
    ),
    # 超市商品 (SMS)
    "view_sms_catalogue_head": ("{village}超市可换：", "{village} shop: "),
    "view_sms_catalogue_item": (
        "{item}{price}分/{unit}（剩{stock}）",
        "{item} {price}/{unit} ({stock})",
    ),
    "view_sms_catalogue_item_out": (
        "{item}{price}分/{unit}（缺货）",
        "{item} {price}/{unit} (out)",
    ),
    "view_sms_catalogue_more": ("…更多请到店查看", "… more at the shop"),
}
