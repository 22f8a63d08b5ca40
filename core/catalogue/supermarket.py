"""Catalogue entries: the 扶贫超市 (catalogue, stock, redemptions, receipts)."""

MESSAGES: dict[str, tuple[str, str]] = {
    # catalogue and stock
    "item_not_found": ("{village}超市没有商品“{name}”", "{village} shop has no item {name}"),
    "item_exists": ("{village}超市已有商品“{name}”", "{village} shop already sells {name}"),
    "item_name_invalid": (
        "商品名称“{name}”无效（1–64 个字）",
        "Invalid item name {name} (1–64 characters)",
    ),
    "item_unit_invalid": ("计量单位“{unit}”太长", "Unit {unit} is too long"),
    "item_price_invalid": (
        "积分价格必须是正整数，收到：{price}",
        "The point price must be a positive whole number, got {price}",
    ),
    "item_inactive": ("商品“{item}”已下架，不能兑换", "{item} is no longer on sale"),
    "write_off_no_reason": (
        "报损须写明原因（如 过期、破损）",
        "A write-off needs a reason (e.g. expired, damaged)",
    ),
    "stock_change_invalid": (
        "库存变动数量无效：{delta}",
        "Invalid stock change: {delta}",
    ),
    "insufficient_stock": (
        "库存不足：{item}只剩 {stock}{unit}，需要 {needed}{unit}",
        "Not enough stock: {stock} {unit} of {item} left, {needed} needed",
    ),
    "stock_reason_opening": ("上架初始库存", "opening stock"),
    "stock_reason_restock": ("补货", "restock"),
    "stock_reason_off": ("报损/盘点调整", "write-off / stock count"),
    "stock_reason_redemption": ("积分兑换 #{id}", "redemption #{id}"),
    "stock_reason_return": ("退货 #{id}", "return of redemption #{id}"),
    # redemptions
    "redemption_empty": ("请至少选择一件商品", "Choose at least one item"),
    "quantity_invalid": (
        "“{item}”的数量 {quantity} 无效（1–{max} 的整数）",
        "Quantity {quantity} of {item} is invalid (whole number 1–{max})",
    ),
    "redemption_key_invalid": (
        "幂等键不能为空，且不超过 {max} 个字符",
        "The idempotency key must be 1–{max} characters",
    ),
    "redemption_key_conflict": (
        "幂等键“{key}”已用于另一笔内容不同的兑换，已拒绝",
        "Key {key} was already used for a different redemption",
    ),
    "redemption_key_race": (
        "同一笔兑换（幂等键“{key}”）正在别处提交，请稍后重试",
        "The same redemption (key {key}) is being submitted elsewhere; please retry",
    ),
    "redemption_own_household": (
        "{actor}不能为自己家办理兑换，请由其他工作人员办理",
        "{actor} may not serve their own household; ask a colleague",
    ),
    "redemption_not_found": ("找不到兑换单 #{id}", "No redemption #{id}"),
    "redemption_is_cancelled": ("兑换单 #{id} 已取消", "Redemption #{id} was cancelled"),
    "redemption_is_expired": (
        "兑换单 #{id} 已过期，请重新发起",
        "Redemption #{id} has expired; start a new one",
    ),
    "redemption_is_completed": (
        "兑换单 #{id} 已完成，不能取消（如需退回商品请办理退货）",
        "Redemption #{id} is completed and cannot be cancelled (take it back as a return)",
    ),
    "redemption_reason": ("兑换：{items}", "Redeemed: {items}"),
    "redemption_code_format": ("验证码应为 6 位数字", "The code must be 6 digits"),
    "redemption_code_wrong": (
        "验证码不正确，还可以再试 {left} 次",
        "Wrong code; {left} attempts left",
    ),
    "redemption_code_locked_out": (
        "验证码错误次数过多，兑换单 #{id} 已取消",
        "Too many wrong codes; redemption #{id} was cancelled",
    ),
    "redemption_code_expired": (
        "验证码已过期，兑换单 #{id} 已失效，请重新发起",
        "The code has expired; redemption #{id} is void, start a new one",
    ),
    "redemption_status_pending": ("待农户确认", "awaiting household"),
    "redemption_status_completed": ("已完成", "completed"),
    "redemption_status_cancelled": ("已取消", "cancelled"),
    "redemption_status_expired": ("已过期", "expired"),
    "redemption_status_returned": ("已退货", "returned"),
    # receipt (what the household is sent)
    "receipt_title": ("【{shop}扶贫超市】积分兑换小票", "[{shop} supermarket] redemption receipt"),
    "receipt_number": ("单号：#{id}", "No. #{id}"),
    "receipt_household": ("农户：{name}（{number}）", "Household: {name} ({number})"),
    "receipt_line": (
        "{item} {quantity}{unit} × {price}分 = {subtotal}分",
        "{item} {quantity} {unit} × {price} = {subtotal} points",
    ),
    "receipt_more": ("……另有 {count} 项", "… and {count} more"),
    "receipt_total": ("合计：{total} 分（折合 {yuan} 元）", "Total: {total} points ({yuan} yuan)"),
    "receipt_balance": (
        "兑换后余额：{balance} 分（折合 {yuan} 元）",
        "Balance after: {balance} points ({yuan} yuan)",
    ),
    "receipt_operator": ("经办：{name}", "Served by: {name}"),
    "receipt_time": ("时间：{time}", "Time: {time}"),
    # CLI
    "item_added": (
        "已上架：{name}，{price} 分/{unit}（折合 {yuan} 元），库存 {stock}{unit}",
        "Added {name}: {price} points per {unit} ({yuan} yuan), stock {stock}",
    ),
    "item_restocked": (
        "{name}库存 {delta:+d}{unit}，现有 {stock}{unit}",
        "{name} stock {delta:+d}, now {stock} {unit}",
    ),
    "item_repriced": (
        "{name}新价格：{price} 分/{unit}（折合 {yuan} 元）",
        "{name} now costs {price} points per {unit} ({yuan} yuan)",
    ),
    "shop_title": ("{village}扶贫超市", "{village} poverty-relief supermarket"),
    "items_empty": ("{village}超市还没有商品", "{village} shop has no items yet"),
    "shop_col_unit": ("单位", "Unit"),
    "shop_col_price": ("积分价", "Points"),
    "shop_col_price_yuan": ("折合(元)", "Yuan"),
    "shop_col_stock": ("库存", "Stock"),
    "shop_col_status": ("状态", "Status"),
    "shop_col_items": ("商品", "Items"),
    "shop_col_total": ("合计积分", "Total"),
    "bad_item_spec": (
        "商品写法“{spec}”不对，应为 名称=数量，如 大米=2",
        "Bad item {spec}; write name=quantity, e.g. 大米=2",
    ),
    "redemption_started": (
        "已发起兑换单 #{id}：{name}（{number}）兑换 {items}，共 {total} 分（折合 {yuan} 元）",
        "Redemption #{id} started: {name} ({number}) takes {items}, {total} points ({yuan} yuan)",
    ),
    "redemption_replayed": (
        "兑换单 #{id} 已经发起过（同一幂等键），状态：{status}；验证码不会重发",
        "Redemption #{id} was already started with this key (status: {status}); no new code",
    ),
    "redemption_confirmed": ("兑换完成：", "Redemption completed:"),
    "redemption_already_done": (
        "兑换单 #{id} 已完成，以下是原小票（未重复扣分）：",
        "Redemption #{id} was already completed; its receipt (nothing charged again):",
    ),
    "redemption_cancelled": ("兑换单 #{id} 已取消", "Redemption #{id} cancelled"),
    "redemptions_empty": ("没有兑换记录", "No redemptions"),
    "redemptions_total": (
        "共 {count} 单，已完成 {done} 单，兑出 {points} 分",
        "{count} redemptions, {done} completed, {points} points redeemed",
    ),
}

MESSAGES |= {
    # points/messages.py: the household's confirmation request
    "redemption_ask": (
        "【乡信】店主{shopkeeper}为您兑换：{items}，共{total}分（现有{balance}分）。"
        "同意请点“确认兑换”或回复验证码{code}，{minutes}分钟内有效；不是您本人请勿回复。",
        "[xiangxin] Shopkeeper {shopkeeper} is redeeming {items} for {total} points "
        "(you have {balance}). Press Confirm or reply with code {code} within {minutes} "
        "minutes; if this is not you, do not reply.",
    ),
    "redemption_button_confirm": ("✅ 确认兑换", "✅ Confirm"),
    "redemption_button_refuse": ("✖ 不兑换", "✖ Refuse"),
    "redemption_refused_by_household": (
        "农户拒绝了兑换单 #{id}，未扣积分。",
        "The household refused redemption #{id}; no points were taken.",
    ),
}

MESSAGES |= {
    # returns (退货): points and stock go back together, once
    "redemption_return_not_completed": (
        "兑换单 #{id} 状态为“{status}”，只有已完成的兑换才能退货",
        "Redemption #{id} is {status}; only a completed one can be returned",
    ),
    "redemption_return_reason": ("退货：兑换单 #{id}（{items}）", "Returned #{id} ({items})"),
    "redemption_return_why": ("，原因：{why}", "; reason: {why}"),
    "redemption_returned": (
        "兑换单 #{id} 已退货：{items} 已入库，{total} 分已退回{name}（{number}），现有 {balance} 分",
        "Redemption #{id} returned: {items} back in stock, {total} points back to {name} "
        "({number}), balance {balance}",
    ),
    "redemption_already_returned": (
        "兑换单 #{id} 已于 {time} 退货，没有重复退分、入库",
        "Redemption #{id} was already returned at {time}; nothing was done twice",
    ),
    "redemption_returned_notice": (
        "【乡信】您的兑换单 #{id}（{items}）已退货，{total}分已退回，现有{balance}分。",
        "[xiangxin] Redemption #{id} ({items}) was returned: {total} points are back; "
        "you now have {balance}.",
    ),
    # the household's receipt goes through the outbox once; a tap is answered briefly
    "redemption_confirmed_in_chat": (
        "兑换单 #{id} 已确认，小票马上发给您。",
        "Redemption #{id} confirmed; your receipt follows.",
    ),
    "redemption_already_confirmed": (
        "兑换单 #{id} 已经确认过了，小票已发给您，没有重复扣分。",
        "Redemption #{id} was already confirmed; the receipt was sent, nothing charged twice.",
    ),
    "redemption_code_sent": (
        "6 位验证码已通过 Telegram 或短信发给农户本人，{minutes} 分钟内有效；"
        "农户可直接回复确认，或当面报出验证码后执行：xiangxin redeem confirm {id} --code 验证码",
        "The 6-digit code went to the household itself (Telegram or SMS), valid {minutes} "
        "minutes; it confirms by reply, or tells you the code: xiangxin redeem confirm {id} "
        "--code CODE",
    ),
    "redemption_unreachable": (
        "{name}（{number}）没有绑定 Telegram 也没有登记手机，无法发送验证码，兑换未发起；"
        "请先请村委会补登手机号",
        "{name} ({number}) has no chat and no phone: no code can be sent, nothing was started",
    ),
    "secret_file_invalid": (
        "服务器密钥文件 {path} 无效（应为至少 {size} 字节的十六进制），请恢复原文件",
        "Server secret file {path} is invalid (needs at least {size} bytes in hex)",
    ),
    # the shopkeeper's chat: 退货
    "menu_return": ("退货", "Return"),
    "bot_ask_return": (
        "请输入要退货的兑换单号（商品收回后，积分和库存一起退回）",
        "Which redemption number is being returned? (points and stock go back together)",
    ),
    "bot_return_number_invalid": ("请输入兑换单号（数字）", "Type the redemption number"),
}
