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
