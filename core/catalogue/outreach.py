"""Catalogue entries: policy notices, the outbox, inbound texts, opt-out."""

MESSAGES: dict[str, tuple[str, str]] = {
    # How a notice reads
    "notice_telegram": ("📢 {title}\n\n{body}", "📢 {title}\n\n{body}"),
    "notice_sms": ("【{title}】{body} 回复TD退订", "[{title}] {body} Reply TD to opt out"),
    # Audience
    "audience_type_poverty_exited": ("脱贫户", "households out of poverty"),
    "audience_type_monitored": ("监测户", "monitored households"),
    "audience_type_ordinary": ("一般户", "ordinary households"),
    "audience_elder": ("有{age}岁以上老人的户", "households with an elder aged {age}+"),
    "audience_school_child": (
        "有义务教育阶段学生（6–15岁）的户",
        "households with a child aged 6–15",
    ),
    "audience_chronic": ("有慢性病患者的户", "households with a chronic illness"),
    "audience_list": ("指定的{count}户", "{count} listed households"),
    "audience_everyone": ("全部农户", "every household"),
    "audience_bad_type": (
        "不认识的户类型：{value}（可选：脱贫户、监测户、一般户）",
        "Unknown household type: {value} (poverty_exited, monitored, ordinary)",
    ),
    # Notice rules
    "notice_bad_cron": (
        "定时规则“{cron}”不正确：{error}。格式：分 时 日 月 星期，例如“0 9 1 9 *”表示每年9月1日9:00",
        "Bad schedule {cron}: {error}. Format: minute hour day month weekday, e.g. '0 9 1 9 *'",
    ),
    "notice_all_villages_forbidden": (
        "只有县级管理员可以向所有村发送通知",
        "Only a county admin may send a notice to every village",
    ),
    "notice_empty": ("通知的标题和正文都不能为空", "A notice needs a title and a body"),
    "notice_too_long": (
        "通知太长：标题最多{title}字，正文最多{body}字",
        "Notice too long: title at most {title}, body at most {body} characters",
    ),
    "notice_two_schedules": (
        "请只选一种发送时间：指定时间（--at）或定时规则（--cron）",
        "Choose one schedule: --at or --cron",
    ),
    "notice_in_past": ("发送时间已经过去了，请选一个将来的时间", "That time is in the past"),
    "notice_bad_time": (
        "时间“{value}”看不懂，请写成 2026-09-01 09:00（北京时间）",
        "Cannot read the time {value}; write 2026-09-01 09:00 (Beijing time)",
    ),
    "notice_not_found": ("找不到通知 #{id}", "No notice #{id}"),
    "notice_cancelled": ("通知 #{id} 已撤销，不能再发送", "Notice #{id} was cancelled"),
    "notice_already_fired": (
        "通知 #{id} 刚刚已经发送过，请稍后再试",
        "Notice #{id} was just sent; try again in a moment",
    ),
    # Outbox worker log lines
    "outbox_lock_error": (
        "{channel} 发送通道：取得发送锁时数据库出错，稍后重试",
        "{channel}: database error while taking the sender lock; retrying",
    ),
    "outbox_sender_started": (
        "{channel} 发送通道由 {worker} 负责发送",
        "{channel}: {worker} is now the sender",
    ),
    "outbox_sender_error": (
        "{channel} 发送通道出错，稍后重试",
        "{channel}: sender failed; retrying",
    ),
    "outbox_lock_lost": (
        "{channel} 发送通道：发送锁已失去，停止发送",
        "{channel}: the sender lock was lost; stopping",
    ),
    "outbox_interrupted": (
        "消息 #{id} 上次发送时中断，核对结果：{outcome}",
        "Message #{id} was interrupted mid-send; provider says: {outcome}",
    ),
    "outbox_send_crashed": ("消息 #{id} 发送时出现意外错误", "Message #{id}: unexpected error"),
    "outbox_send_failed": (
        "消息 #{id}（{channel}）发送失败：{error}；现在状态：{status}",
        "Message #{id} ({channel}) failed: {error}; now {status}",
    ),
    "outbox_report_kept": (
        "收到回执 {id}，对应的消息尚未记录为已发送；回执已保存，记录后自动生效",
        "Receipt {id} came before its message was recorded sent; kept until it is",
    ),
    "sms_console_receipt_failed": (
        "控制台短信网关：回执 {id} 未能交给发件箱（短信已写入日志）",
        "Console SMS gateway: receipt {id} could not be handed to the outbox (the text is logged)",
    ),
    # Inbound
    "inbound_received": ("收到短信：{phone}", "SMS received from {phone}"),
    "inbound_unknown_sender": (
        "您好，这个号码还没有登记在村花名册里。请联系村委会登记。",
        "Hello, this number is not on the village roster. Please ask the village committee.",
    ),
    "opt_out_done": (
        "已为您退订政策通知短信。您的积分兑换验证码和回执仍会照常发送。回复DY可重新订阅。",
        "You will no longer get policy notices. Codes and receipts still come. Reply DY to subscribe again.",
    ),
    "opt_in_done": (
        "已为您重新订阅政策通知。回复TD可退订。",
        "You will get policy notices again. Reply TD to opt out.",
    ),
    "inbound_help": (
        "您好，这里是乡信。回复TD退订政策通知，回复DY重新订阅。",
        "Hello from xiangxin. Reply TD to stop policy notices, DY to get them again.",
    ),
}

MESSAGES |= {
    # CLI: broadcast
    "broadcast_schedule_cron": ("周期：{cron}（下次 {next}）", "Recurring: {cron} (next {next})"),
    "broadcast_schedule_at": ("定时：{at}", "At {at}"),
    "broadcast_status_draft": ("草稿（未安排发送）", "Draft (not scheduled)"),
    "broadcast_status_scheduled": ("已安排", "Scheduled"),
    "broadcast_status_done": ("已发送", "Sent"),
    "broadcast_status_cancelled": ("已撤销", "Cancelled"),
    "broadcast_created": (
        "已创建通知 #{id}；对象：{audience}；{schedule}",
        "Notice #{id} created; audience: {audience}; {schedule}",
    ),
    "broadcast_preview": (
        "接收户数：Telegram {telegram} 户，短信 {sms} 户；无法联系 {unreachable} 户；已退订 {opted_out} 户\n"
        "短信：每条 {chars} 字（{encoding}），计 {parts} 条；共 {total_parts} 条，预计费用 {cost} 元（每条 {price} 元）",
        "Recipients: Telegram {telegram}, SMS {sms}; unreachable {unreachable}; opted out {opted_out}\n"
        "SMS: {chars} characters ({encoding}), {parts} segment(s) each; {total_parts} in all, about {cost} yuan ({price} each)",
    ),
    "broadcast_preview_sms": ("短信内容：{body}", "SMS text: {body}"),
    "sms_encoding_gsm7": ("纯英文数字，160字一条，长短信153字一条", "GSM-7: 160, or 153 per part"),
    "sms_encoding_ucs2": ("含中文，70字一条，长短信67字一条", "UCS-2: 70, or 67 per part"),
    "col_title": ("标题", "Title"),
    "col_audience": ("发送对象", "Audience"),
    "col_schedule": ("发送时间", "Schedule"),
    "status_queued": ("排队", "Queued"),
    "status_sending": ("发送中", "Sending"),
    "status_sent": ("已发送", "Sent"),
    "status_delivered": ("已送达", "Delivered"),
    "status_failed": ("失败", "Failed"),
    "status_unknown": ("待核实", "Unknown"),
    "status_cancelled": ("已作废", "Cancelled"),
    "broadcast_cancelled": (
        "通知 #{id} 已撤销，{count} 条未发出的消息已作废",
        "Notice #{id} cancelled; {count} unsent messages cancelled",
    ),
    "broadcast_fired": (
        "通知 #{id} 开始发送，共 {count} 户",
        "Notice #{id}: sending to {count} households",
    ),
    "broadcast_sending": ("发送中", "Sending"),
    "broadcast_counts": (
        "排队 {queued} · 发送中 {sending} · 已发送 {sent} · 已送达 {delivered} · 失败 {failed} · 待核实 {unknown}",
        "queued {queued} · sending {sending} · sent {sent} · delivered {delivered} · failed {failed} · unknown {unknown}",
    ),
    "broadcast_held_quiet": (
        "现在是夜间静默时段：{count} 条短信将于 {end} 自动发出（服务需在运行）",
        "Quiet hours: {count} SMS will go at {end} (the service must be running)",
    ),
    "broadcast_left_running": (
        "已停止等待；未发完的消息留在发件箱里，服务运行时会继续发送",
        "Stopped watching; the rest stays in the outbox and the service sends it",
    ),
}

MESSAGES |= {
    "col_status": ("状态", "Status"),
    "col_count": ("数量", "Count"),
    "col_channel": ("渠道", "Channel"),
    "outbox_resent": ("已重新排队 {count} 条消息", "{count} messages queued again"),
    "outbox_resend_none": (
        "没有可重发的消息（只重发“失败”和“待核实”的消息；已发送、已送达的不会重发）",
        "Nothing to resend (only failed and held messages are; sent or delivered ones never)",
    ),
    "outbox_resend_plan": (
        "将重新排队 {count} 条消息：失败 {failed} 条，待核实 {unknown} 条",
        "{count} messages will be queued again: {failed} failed, {unknown} held",
    ),
    "outbox_resend_confirm": ("确认重新发送？", "Send them again?"),
    "outbox_resend_not_confirmed": (
        "未确认，没有重发任何消息（加 --yes 可不再询问）",
        "Not confirmed; nothing was requeued (--yes skips the question)",
    ),
    "sms_reply_queued": (
        "已收到；回复（已放入发件箱）：{reply}",
        "Received; reply queued: {reply}",
    ),
}

MESSAGES |= {
    "broadcast_stalled": (
        "{seconds} 秒内没有新的消息发出，停止等待；消息留在发件箱里，服务运行时会继续发送（xiangxin outbox status 查看）",
        "Nothing went out for {seconds} s; stopped watching. The outbox keeps the rest (xiangxin outbox status)",
    ),
}

RESEND = "用 xiangxin outbox resend 重发"
RESEND_EN = "then requeue it with xiangxin outbox resend"

#: ``outbox problems``: what a provider's word means and what to do (notifications.problems).
MESSAGES |= {
    "problem_interrupted": (
        "发送中途服务中断，短信中心/Telegram 无法告知是否送达：先问对方是否收到，未收到再用 "
        "xiangxin outbox resend 重发",
        "Interrupted mid-send and the provider cannot say whether it arrived: ask the "
        "recipient first, " + RESEND_EN,
    ),
    # delivery receipts (SMPP stat, also used by HTTP providers)
    "problem_UNDELIV": (
        "运营商无法送达（{word}）：号码可能停机或关机，核对号码后用 xiangxin outbox resend 重发",
        "The carrier could not deliver ({word}): the phone may be off or the number "
        "suspended; check the number, " + RESEND_EN,
    ),
    "problem_EXPIRED": (
        "超时未送达（{word}）：手机长时间关机或不在服务区，开机后" + RESEND,
        "Expired undelivered ({word}): the phone was off or out of coverage; " + RESEND_EN,
    ),
    "problem_REJECTD": (
        "运营商拒收（{word}）：可能被当作垃圾短信拦截，或号码拒收短信；请电话联系对方，"
        "必要时" + RESEND,
        "Rejected by the carrier ({word}): filtered as spam or the number refuses texts; "
        "call the recipient, " + RESEND_EN,
    ),
    "problem_DELETED": (
        "短信中心已删除该短信（{word}）：" + RESEND,
        "The SMSC deleted the message ({word}); " + RESEND_EN,
    ),
    "problem_UNKNOWN": (
        "运营商未说明结果（{word}）：先问对方是否收到，未收到再用 xiangxin outbox resend 重发",
        "The carrier gave no result ({word}): ask the recipient, " + RESEND_EN,
    ),
    "problem_receipt_other": (
        "运营商回执：未送达（{word}）：核对号码，必要时" + RESEND,
        "Carrier receipt: not delivered ({word}); check the number, " + RESEND_EN,
    ),
    # SMPP submit_sm_resp statuses
    "problem_ESME_RTHROTTLED": (
        "短信中心限流（{word}）：发送太快被拒，请调低 XIANGXIN_SMS_TPS 后用 xiangxin outbox resend "
        "重发",
        "Throttled by the SMSC ({word}): lower XIANGXIN_SMS_TPS, " + RESEND_EN,
    ),
    "problem_ESME_RINVDSTADR": (
        "号码无效（{word}）：请在花名册中改正手机号后用 xiangxin outbox resend 重发",
        "Invalid number ({word}): correct it in the roster, " + RESEND_EN,
    ),
    "problem_ESME_RMSGQFUL": (
        "对方手机短信已满或短信中心队列已满（{word}）：稍后" + RESEND,
        "The handset's or the SMSC's queue is full ({word}): later, " + RESEND_EN,
    ),
    "problem_ESME_RSUBMITFAIL": (
        "短信中心提交失败（{word}）：请联系短信通道商，处理后" + RESEND,
        "The SMSC could not submit it ({word}): ask the SMS carrier, " + RESEND_EN,
    ),
    "problem_ESME_RSYSERR": (
        "短信中心系统错误（{word}）：稍后" + RESEND,
        "SMSC system error ({word}): later, " + RESEND_EN,
    ),
    "problem_smpp_other": (
        "短信中心拒收（{word}）：请把此代码告诉短信通道商，处理后" + RESEND,
        "The SMSC refused it ({word}): tell the SMS carrier this code, " + RESEND_EN,
    ),
    # HTTP provider (Aliyun style) codes
    "problem_isv.MOBILE_NUMBER_ILLEGAL": (
        "手机号码格式不对（{word}）：请在花名册中改正后用 xiangxin outbox resend 重发",
        "Malformed number ({word}): correct it in the roster, " + RESEND_EN,
    ),
    "problem_isv.BUSINESS_LIMIT_CONTROL": (
        "同一号码短信太频繁被服务商限流（{word}）：过一段时间再" + RESEND,
        "Too many texts to this number ({word}): wait a while, " + RESEND_EN,
    ),
    "problem_isv.DAY_LIMIT_CONTROL": (
        "已达到短信账户当日上限（{word}）：明天或提高上限后" + RESEND,
        "The account's daily cap was reached ({word}): tomorrow, " + RESEND_EN,
    ),
    "problem_isv.AMOUNT_NOT_ENOUGH": (
        "短信账户余额不足（{word}）：充值后" + RESEND,
        "The SMS account is out of credit ({word}): top up, " + RESEND_EN,
    ),
    "problem_isv.BLACK_KEY_CONTROL_LIMIT": (
        "短信内容含服务商禁止的词（{word}）：请修改通知内容后重新发送",
        "The text contains a word the provider forbids ({word}): reword the notice",
    ),
    "problem_isv.SMS_SIGNATURE_ILLEGAL": (
        "短信签名不可用（{word}）：请检查 XIANGXIN_SMS_HTTP_SIGN_NAME，改好后" + RESEND,
        "The sign name is not usable ({word}): check XIANGXIN_SMS_HTTP_SIGN_NAME, " + RESEND_EN,
    ),
    "problem_isv.SMS_TEMPLATE_ILLEGAL": (
        "短信模板不可用（{word}）：请检查 XIANGXIN_SMS_HTTP_TEMPLATE_CODE，改好后" + RESEND,
        "The template is not usable ({word}): check XIANGXIN_SMS_HTTP_TEMPLATE_CODE, " + RESEND_EN,
    ),
    "problem_http_other": (
        "短信服务商拒绝（{word}）：请在服务商控制台查此代码，处理后" + RESEND,
        "The SMS provider refused it ({word}): look the code up in its console, " + RESEND_EN,
    ),
    "problem_other": (
        "其他原因（{word}）：请查看服务日志，处理后" + RESEND,
        "Other reason ({word}): see the service log, " + RESEND_EN,
    ),
}
