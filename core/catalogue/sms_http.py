"""Catalogue entries: sms_http (the Aliyun-style HTTP SMS gateway, its callbacks, its stand-in)."""

MESSAGES: dict[str, tuple[str, str]] = {
    # gateway
    "sms_http_bad_number": (
        "手机号码无效：{phone}",
        "Invalid phone number: {phone}",
    ),
    "sms_http_rejected": (
        "短信服务商拒绝：{code} {message}",
        "Rejected by the SMS provider: {code} {message}",
    ),
    "sms_http_bad_status": (
        "短信服务商返回 HTTP {status}，无法识别的应答",
        "SMS provider answered HTTP {status} without a recognisable body",
    ),
    "sms_http_unreachable": (
        "无法连接短信服务商（{error}），短信未发出",
        "Cannot reach the SMS provider ({error}); the text was not sent",
    ),
    "sms_http_no_answer": (
        "短信服务商未应答（{error}），短信可能已发出，重试前先查询",
        "No answer from the SMS provider ({error}); the text may have gone out, it is looked up before a retry",
    ),
    "sms_http_send_failed": (
        "短信发送失败 {phone}：{reason}",
        "SMS to {phone} failed: {reason}",
    ),
    "sms_http_lookup_failed": (
        "查询短信发送记录失败 {phone}：{reason}",
        "Looking up sent texts for {phone} failed: {reason}",
    ),
    "sms_http_lookup_too_many": (
        "该号码当天短信超过 {pages} 页，无法确认是否已发出",
        "More than {pages} pages of texts to this number that day; cannot tell whether it went out",
    ),
    "sms_http_account_problem": (
        "短信账户问题，短信暂缓发送，请村两委尽快处理：{code} {message}",
        "SMS account problem, texts are held until it is fixed: {code} {message}",
    ),
    # callbacks
    "sms_http_no_callback_token": (
        "未设置短信回调令牌 XIANGXIN_SMS_HTTP_CALLBACK_TOKEN，HTTP 短信网关拒绝启动（否则任何人都能伪造"
        '回执和上行短信）。请设一个随机长串（如 python -c "import secrets; print(secrets.token_urlsafe(24))"），'
        "并在服务商控制台把回执和上行推送地址配成 …/sms/http/report?token=该值 和 …/sms/http/inbound?token=该值",
        "XIANGXIN_SMS_HTTP_CALLBACK_TOKEN is not set, so the HTTP SMS gateway will not start "
        "(anyone could forge receipts and replies). Set a long random value and configure the "
        "provider's push URLs as …/sms/http/report?token=VALUE and …/sms/http/inbound?token=VALUE",
    ),
    "sms_http_callback_not_list": (
        "推送内容应为 JSON 数组，每项为对象",
        "The pushed body must be a JSON array of objects",
    ),
    "sms_http_callback_missing": (
        "推送内容缺少字段或字段无效：{field}",
        "A pushed item lacks a valid field: {field}",
    ),
    "sms_http_callback_bad_phone": (
        "推送内容中的手机号码无效",
        "The pushed phone number is not valid",
    ),
    "sms_http_callback_bad_json": (
        "推送内容不是有效的 JSON",
        "The pushed body is not valid JSON",
    ),
    "sms_http_callback_forbidden": (
        "回调令牌无效",
        "Wrong callback token",
    ),
    "sms_http_callback_failed": (
        "处理推送时出错，请稍后重推",
        "The push could not be processed; please push it again later",
    ),
    "sms_http_callback_refused": (
        "拒绝短信回调 {path}：{reason}",
        "Refused SMS callback {path}: {reason}",
    ),
    "sms_http_callback_error": (
        "处理短信回调 {path} 出错",
        "Error while handling SMS callback {path}",
    ),
    # stand-in
    "sms_http_standin_listening": (
        "模拟短信服务商（阿里云短信风格）已启动：{url}",
        "Stand-in SMS provider (Aliyun style) listening on {url}",
    ),
    "sms_http_standin_keys": (
        "AccessKeyId={key_id} AccessKeySecret={secret} 签名={sign} 模板={template}",
        "AccessKeyId={key_id} AccessKeySecret={secret} sign={sign} template={template}",
    ),
    "sms_http_standin_callbacks": (
        "回执与上行推送至：{url}",
        "Receipts and replies are pushed to: {url}",
    ),
    "sms_http_standin_push_refused": (
        "回调地址 {url} 未确认推送：HTTP {status} {body}",
        "The callback {url} did not acknowledge the push: HTTP {status} {body}",
    ),
}
