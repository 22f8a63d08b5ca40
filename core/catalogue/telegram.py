"""Catalogue entries: telegram."""

MESSAGES: dict[str, tuple[str, str]] = {
    # notifications/telegram.py: outbox errors and logs
    "telegram_rate_limited": (
        "Telegram 限流（429），{seconds} 秒后重试",
        "Telegram rate limit (429); retry after {seconds} s",
    ),
    "telegram_paused": (
        "Telegram 要求等待 {seconds} 秒，本渠道全部发送暂停",
        "Telegram asked to wait {seconds} s; every send on this channel pauses",
    ),
    "telegram_forbidden": (
        "Telegram 拒绝发送（用户已屏蔽机器人或已注销）：{error}",
        "Telegram refused the message (bot blocked or user gone): {error}",
    ),
    "telegram_bad_request": (
        "Telegram 拒收该消息：{error}",
        "Telegram rejected the message: {error}",
    ),
    "telegram_chat_migrated": (
        "该群已升级为超级群，新的会话号是 {chat_id}",
        "The group became a supergroup; its new chat id is {chat_id}",
    ),
    "telegram_invalid_token": (
        "Telegram 机器人令牌无效，请检查配置：{error}",
        "The Telegram bot token was refused; check the configuration: {error}",
    ),
    "telegram_network": (
        "连接 Telegram 出错，稍后重试：{error}",
        "Could not reach Telegram; will retry: {error}",
    ),
    "telegram_error": (
        "Telegram 出错，稍后重试：{error}",
        "Telegram error; will retry: {error}",
    ),
    # standins/telegram_api.py run on its own
    "telegram_standin_listening": (
        "Telegram 替身服务已启动：{url}（Ctrl-C 退出）",
        "Telegram stand-in listening at {url} (Ctrl-C to quit)",
    ),
    "telegram_standin_sent": (
        "机器人 → {chat}：{text}",
        "bot → {chat}: {text}",
    ),
}
