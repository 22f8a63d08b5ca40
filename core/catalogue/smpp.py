"""Catalogue entries: the SMPP gateway and its local stand-in SMSC."""

MESSAGES: dict[str, tuple[str, str]] = {
    "smpp_bound": (
        "已连接短信中心 {host}:{port}（账号 {system_id}，收发模式）",
        "Bound to the SMSC at {host}:{port} as {system_id} (transceiver)",
    ),
    "smpp_bind_failed": (
        "连接短信中心 {host}:{port}（账号 {system_id}）失败：{error}；{seconds} 秒后重试。"
        "请检查地址、账号和密码",
        "Could not bind to the SMSC at {host}:{port} as {system_id}: {error}; retrying in "
        "{seconds} s. Check the address, system_id and password",
    ),
    "smpp_link_lost": (
        "与短信中心 {host}:{port} 的连接已断开，正在重连",
        "Lost the link to the SMSC at {host}:{port}; rebinding",
    ),
    "smpp_link_down": (
        "短信中心未连接（已等待 {seconds} 秒），稍后重试",
        "No SMSC link (waited {seconds} s); will retry",
    ),
    "smpp_closed": ("短信网关已关闭，稍后重试", "The SMS gateway is closed; will retry"),
    "smpp_submit_rejected": (
        "短信中心拒收：{name}（{status}）",
        "The SMSC refused the message: {name} ({status})",
    ),
    "smpp_submit_timeout": (
        "短信中心 {seconds} 秒内未应答，稍后重试",
        "No answer from the SMSC within {seconds} s; will retry",
    ),
    "smpp_submit_failed": (
        "提交短信时连接出错：{error}",
        "The link failed while submitting: {error}",
    ),
    "smpp_no_message_id": (
        "短信中心已接收短信但未返回编号，无法匹配回执",
        "The SMSC accepted a message without a message id; its receipt cannot be matched",
    ),
    "smpp_bad_number": ("无效的手机号码：{phone}", "Not a valid phone number: {phone}"),
    "smpp_handler_failed": (
        "处理来自 {phone} 的短信或回执时出错（已向短信中心确认，不会重发）",
        "Handling a message or receipt from {phone} failed (already acknowledged to the SMSC, "
        "it will not come again)",
    ),
    "smpp_receipt_unreadable": (
        "无法识别的状态报告：{body!r}",
        "Unreadable delivery receipt: {body!r}",
    ),
    "smpp_parts_dropped": (
        "来自 {phone} 的长短信只收到 {got}/{total} 段，已放弃",
        "Gave up on a long text from {phone}: only {got} of {total} parts arrived",
    ),
    "smpp_standin_bind_rejected": (
        "模拟短信中心拒绝登录：账号 {system_id}",
        "Stand-in SMSC refused a bind from {system_id}",
    ),
    "smpp_standin_listening": (
        "模拟短信中心已在 {host}:{port} 监听",
        "Stand-in SMSC listening on {host}:{port}",
    ),
    "smpp_standin_submitted": (
        "模拟短信中心收到发往 {phone} 的短信（编号 {message_id}）：{text}",
        "Stand-in SMSC got a message for {phone} (id {message_id}): {text}",
    ),
    "smpp_standin_task_failed": (
        "模拟短信中心的后台任务 {task} 出错：{error}",
        "A background task of the stand-in SMSC ({task}) failed: {error}",
    ),
    "smpp_standin_no_session": (
        "模拟短信中心当前没有已登录的连接",
        "The stand-in SMSC has no bound session",
    ),
    "smpp_standin_unknown_message": (
        "模拟短信中心没有编号为 {message_id} 的短信",
        "The stand-in SMSC holds no message with id {message_id}",
    ),
    "smpp_standin_deliver_failed": (
        "模拟短信中心推送失败：状态 {status}",
        "The stand-in SMSC could not deliver: status {status}",
    ),
}
