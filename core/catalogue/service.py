"""Catalogue entries: the running service's log lines."""

MESSAGES: dict[str, tuple[str, str]] = {
    "service_started": (
        "乡信服务已启动：http://{host}:{port}/healthz ，数据库：{db}",
        "xiangxin is running: http://{host}:{port}/healthz, database: {db}",
    ),
    "service_no_telegram": (
        "未设置 XIANGXIN_TELEGRAM_TOKEN：不启动 Telegram 机器人",
        "XIANGXIN_TELEGRAM_TOKEN is not set: the Telegram bot is not started",
    ),
    "service_stopping": ("乡信服务正在停止…", "xiangxin is stopping…"),
    "sweep_expired": (
        "已作废 {count} 笔超时未确认的兑换",
        "{count} unconfirmed redemptions expired",
    ),
    "sweep_failed": ("定时任务 {name} 出错：{error}", "Scheduled job {name} failed: {error}"),
}

MESSAGES |= {
    "sweep_notice_fired": (
        "定时通知 #{id} 已发出，{count} 户排入发件箱",
        "Scheduled notice #{id} fired: {count} households queued",
    ),
    "service_sms_gateway": ("短信网关：{gateway}", "SMS gateway: {gateway}"),
    "service_console_sms": (
        "控制台短信：发出的短信写在 {path}；在这里输入“手机号 内容”回车，即模拟收到一条短信（如：+8613800000000 退订）",
        "Console SMS: texts go to {path}; type 'phone text' and Enter to simulate a reply",
    ),
    "sms_receive_bad_number": (
        "“{phone}”不是有效的手机号码，例如：13800000000 或 +8613800000000",
        "'{phone}' is not a valid phone number, e.g. 13800000000 or +8613800000000",
    ),
    "health_channel_down": (
        "{channel} 通道自 {since}（北京时间）起未连接，已超过允许时长",
        "The {channel} channel has been down since {since} (Beijing time), longer than allowed",
    ),
    "service_console_bad_line": (
        "请按“手机号 内容”输入，如：13800000000 退订",
        "Type 'phone text', e.g. +8613800000000 TD",
    ),
}
