"""Catalogue entries: the SMPP gateway and its local stand-in SMSC."""

MESSAGES: dict[str, tuple[str, str]] = {
    "smpp_bound": (
        "已连接短信中心 {host}:{port}（账号 {system_id}，收发模式）",
        "Bound to the SMSC at {host}:{port} as {system_id} (transceiver)",
    ),
    "smpp_bind_failed": (
        "连接短信中心 {host}:{port}（账号 {system_id}）失败：{error}；{seconds} 秒后重试",
        "Could not bind to the SMSC at {host}:{port} as {system_id}: {error}; retrying in "
        "{seconds} s",
    ),
    "smpp_bind_bad_password": (
        "短信中心拒绝登录：密码错误（{name}），请检查 XIANGXIN_SMPP_PASSWORD",
        "The SMSC refused the bind: wrong password ({name}); check XIANGXIN_SMPP_PASSWORD",
    ),
    "smpp_bind_bad_system_id": (
        "短信中心拒绝登录：账号 {system_id} 不存在（{name}），请检查 XIANGXIN_SMPP_SYSTEM_ID",
        "The SMSC refused the bind: unknown account {system_id} ({name}); "
        "check XIANGXIN_SMPP_SYSTEM_ID",
    ),
    "smpp_bind_refused_account": (
        "短信中心拒绝登录（{name}）：请向运营商核实账号 {system_id} 是否开通、"
        "本机 IP 是否在白名单内",
        "The SMSC refused the bind ({name}): ask the carrier whether account {system_id} "
        "is active and this machine's IP is allowed",
    ),
    "smpp_bind_already_bound": (
        "短信中心拒绝登录：账号 {system_id} 已在别处登录（{name}），请检查是否有另一个进程在用该账号",
        "The SMSC refused the bind: {system_id} is already bound elsewhere ({name})",
    ),
    "smpp_bind_refused": (
        "短信中心拒绝登录（{name}），请检查 XIANGXIN_SMPP_* 设置",
        "The SMSC refused the bind ({name}); check the XIANGXIN_SMPP_* settings",
    ),
    "smpp_bind_no_answer": (
        "短信中心无应答或无法连接（{error}），请检查 XIANGXIN_SMPP_HOST 和 XIANGXIN_SMPP_PORT",
        "No answer from the SMSC or no connection ({error}); check XIANGXIN_SMPP_HOST and "
        "XIANGXIN_SMPP_PORT",
    ),
    "sms_link_down": (
        "短信通道未连接，短信留在发件箱，连上后自动发送（不计入重试次数）",
        "The SMS link is down; the message stays queued and goes once it is back (no attempt used)",
    ),
    "sms_throttled": (
        "短信中心要求放慢发送（限流）：暂停片刻，此后 {seconds} 秒内每秒最多发 {tps} 条",
        "The SMSC throttled us: pausing, then at most {tps} parts per second for {seconds} s",
    ),
    "sms_pace_restored": (
        "短信发送速度已恢复为每秒 {tps} 条",
        "SMS pace back to {tps} parts per second",
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
