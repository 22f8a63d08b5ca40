"""The Aliyun-style HTTP SMS gateway against its stand-in and our callback routes, all on loopback."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import socket
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
from typer.testing import Result

from core.errors import DomainError
from core.settings import Settings
from notifications.delivery import DeliveryError, Outcome
from notifications.sms import http
from notifications.sms.gateway import DeliveryReport, InboundSms
from notifications.sms.http import HttpSmsGateway, percent_encode, signature, string_to_sign
from standins import aliyun_sms
from standins.aliyun_sms import AliyunSmsStandIn
from web.access_log import runner_for
from web.sms_callbacks import add_sms_callback_routes

PHONE = "+8613800000000"
TOKEN = "callback-secret"
Invoke = Callable[..., Result]


class Recorder:
    def __init__(self) -> None:
        self.reports: list[DeliveryReport] = []
        self.inbound: list[InboundSms] = []

    async def on_report(self, report: DeliveryReport) -> None:
        self.reports.append(report)

    async def on_inbound(self, message: InboundSms) -> None:
        self.inbound.append(message)


class Clock:
    """One movable clock for the gateway and the stand-in, so timestamps stay fresh."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def standin(clock: Clock) -> AsyncIterator[AliyunSmsStandIn]:
    async with AliyunSmsStandIn(clock=clock) as running:
        yield running


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def make_gateway(
    standin: AliyunSmsStandIn, recorder: Recorder, clock: Clock
) -> AsyncIterator[Callable[..., HttpSmsGateway]]:
    started: list[HttpSmsGateway] = []

    def make(**overrides: object) -> HttpSmsGateway:
        options: dict[str, object] = {
            "url": standin.url,
            "access_key_id": aliyun_sms.DEFAULT_KEY_ID,
            "access_key_secret": aliyun_sms.DEFAULT_KEY_SECRET,
            "sign_name": aliyun_sms.DEFAULT_SIGN,
            "template_code": aliyun_sms.DEFAULT_TEMPLATE,
            "callback_token": TOKEN,
            "timeout": 2.0,
            "clock": clock,
            **overrides,
        }
        gateway = HttpSmsGateway(**options)  # type: ignore[arg-type]
        started.append(gateway)
        return gateway

    yield make
    for gateway in started:
        await gateway.close()


@pytest.fixture
async def gateway(
    make_gateway: Callable[..., HttpSmsGateway], recorder: Recorder
) -> HttpSmsGateway:
    started = make_gateway()
    await started.start(recorder.on_report, recorder.on_inbound)
    return started


# the signature


def test_signature_matches_aliyun_documented_examples() -> None:
    # The SendSms example of the 短信服务 documentation (AccessKeyId testId, secret testSecret).
    sms = {
        "AccessKeyId": "testId",
        "Action": "SendSms",
        "Format": "XML",
        "OutId": "123",
        "PhoneNumbers": "15300000001",
        "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007",
        "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25",
    }
    assert signature("GET", sms, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="

    # The DescribeRegions example of the POP signature documentation.
    regions = {
        "Timestamp": "2016-02-23T12:46:24Z",
        "Format": "XML",
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "Version": "2014-05-26",
        "SignatureVersion": "1.0",
    }
    assert string_to_sign("GET", regions) == (
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML"
        "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"
        "%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z"
        "%26Version%3D2014-05-26"
    )
    assert signature("GET", regions, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_percent_encoding_follows_aliyun_rules() -> None:
    assert percent_encode("a b*c~d-_.") == "a%20b%2Ac~d-_."
    assert percent_encode("乡") == "%E4%B9%A1"
    assert percent_encode('{"k":"+/="}') == "%7B%22k%22%3A%22%2B%2F%3D%22%7D"


def test_signature_agrees_with_an_independent_computation() -> None:
    params = {
        "TemplateParam": '{"content":"请于 3月*日 前缴费~ 100% 报销+补助"}',
        "SignName": "乡信",
        "OutId": "campaign:7/household:42",
        "Action": "SendSms",
    }
    # urlencode + the three substitutions the Aliyun SDKs of old made by hand.
    pairs = sorted(params.items())
    query = "&".join(
        quote(k, safe="").replace("+", "%20") + "=" + quote(v, safe="") for k, v in pairs
    )
    to_sign = "POST&%2F&" + quote(query, safe="")
    expected = base64.b64encode(
        hmac.new(b"secret&", to_sign.encode(), hashlib.sha1).digest()
    ).decode()
    assert string_to_sign("POST", params) == to_sign
    assert signature("POST", params, "secret") == expected
    # …and with the stand-in's verifier, written separately.
    stand_in_view = aliyun_sms._string_to_sign("POST", {**params, "Signature": "x"})
    assert stand_in_view == to_sign
    assert aliyun_sms._sign(stand_in_view, "secret") == expected


# sending


async def test_chinese_text_arrives_with_sign_template_and_reference(
    gateway: HttpSmsGateway, standin: AliyunSmsStandIn
) -> None:
    body = "【医保缴费】请于12月31日前缴纳2026年度城乡居民医保，每人380元。回复TD退订"
    biz_id = await gateway.send(PHONE, body, "policy:7:household:42")

    assert biz_id and biz_id.endswith("^0")
    [sms] = standin.sent
    assert sms.phone == "13800000000"  # mainland: 11 digits, no +86
    assert sms.sign_name == "乡信"
    assert sms.template_code == "SMS_XIANGXIN_NOTICE"
    assert sms.params == {"content": body}
    assert sms.out_id == "policy:7:household:42"
    assert sms.biz_id == biz_id


async def test_international_number_keeps_its_country_code(
    gateway: HttpSmsGateway, standin: AliyunSmsStandIn
) -> None:
    await gateway.send("+85291234567", "你好", "ref-hk")
    assert standin.sent[0].phone == "85291234567"


async def test_wrong_secret_is_refused_as_signature_mismatch(
    make_gateway: Callable[..., HttpSmsGateway], recorder: Recorder, standin: AliyunSmsStandIn
) -> None:
    gateway = make_gateway(access_key_secret="not-the-secret")
    await gateway.start(recorder.on_report, recorder.on_inbound)
    with pytest.raises(DeliveryError) as failure:
        await gateway.send(PHONE, "你好", "ref-1")
    assert "SignatureDoesNotMatch" in failure.value.reason
    assert failure.value.permanent
    assert standin.sent == []


async def test_illegal_number_fails_permanently(
    gateway: HttpSmsGateway, standin: AliyunSmsStandIn
) -> None:
    standin.fail(PHONE, "isv.MOBILE_NUMBER_ILLEGAL")
    with pytest.raises(DeliveryError) as failure:
        await gateway.send(PHONE, "你好", "ref-1")
    assert failure.value.permanent
    assert "isv.MOBILE_NUMBER_ILLEGAL" in failure.value.reason

    with pytest.raises(DeliveryError) as malformed:  # rejected by the provider's own check
        await gateway.send("+86123", "你好", "ref-2")
    assert malformed.value.permanent


async def test_flow_control_is_transient_with_a_wait(
    gateway: HttpSmsGateway, standin: AliyunSmsStandIn
) -> None:
    standin.fail(PHONE, "isv.BUSINESS_LIMIT_CONTROL")
    with pytest.raises(DeliveryError) as failure:
        await gateway.send(PHONE, "你好", "ref-1")
    assert not failure.value.permanent
    assert failure.value.retry_after == 60

    standin.fail(PHONE, None)
    assert await gateway.send(PHONE, "你好", "ref-1")


@pytest.mark.parametrize(
    ("code", "permanent"),
    [
        ("isv.MOBILE_COUNT_OVER_LIMIT", True),
        ("isv.SMS_TEMPLATE_ILLEGAL", True),
        ("isv.SMS_SIGNATURE_ILLEGAL", True),
        ("isv.BLACK_KEY_CONTROL_LIMIT", True),
        ("isv.AMOUNT_NOT_ENOUGH", False),  # the queue waits for a top-up
        ("isv.DAY_LIMIT_CONTROL", False),
        ("isp.SYSTEM_ERROR", False),
        ("ServiceUnavailable", False),  # answered with HTTP 503
        ("Throttling.User", False),  # answered with HTTP 429
    ],
)
async def test_error_codes_are_classified(
    gateway: HttpSmsGateway, standin: AliyunSmsStandIn, code: str, permanent: bool
) -> None:
    standin.fail(PHONE, code)
    with pytest.raises(DeliveryError) as failure:
        await gateway.send(PHONE, "你好", "ref-1")
    assert failure.value.permanent is permanent
    assert code in failure.value.reason


async def test_provider_down_is_transient(
    make_gateway: Callable[..., HttpSmsGateway], recorder: Recorder
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gateway = make_gateway(url=f"http://127.0.0.1:{port}/")
    await gateway.start(recorder.on_report, recorder.on_inbound)
    with pytest.raises(DeliveryError) as failure:
        await gateway.send(PHONE, "你好", "ref-1")
    assert not failure.value.permanent
    assert (await gateway.lookup(PHONE, "ref-1")).outcome is Outcome.UNKNOWN


async def test_a_timed_out_send_is_looked_up_not_repeated(
    make_gateway: Callable[..., HttpSmsGateway], recorder: Recorder, standin: AliyunSmsStandIn
) -> None:
    gateway = make_gateway(timeout=0.3)
    await gateway.start(recorder.on_report, recorder.on_inbound)
    standin.delay = 1.0
    with pytest.raises(DeliveryError) as failure:
        await gateway.send(PHONE, "你好", "ref-slow")
    assert not failure.value.permanent

    standin.delay = 0
    assert await gateway.send(PHONE, "你好", "ref-slow") == ""  # the retry finds the first one
    assert [sms.out_id for sms in standin.sent] == ["ref-slow"]


# looking up an interrupted send


async def test_lookup_finds_a_sent_reference_and_not_a_missing_one(
    gateway: HttpSmsGateway,
) -> None:
    await gateway.send(PHONE, "你好", "ref-sent")
    assert (await gateway.lookup(PHONE, "ref-sent")).outcome is Outcome.SENT
    assert (await gateway.lookup(PHONE, "ref-missing")).outcome is Outcome.NOT_SENT
    assert (await gateway.lookup("+8613900000000", "ref-sent")).outcome is Outcome.NOT_SENT


async def test_lookup_searches_yesterday_and_further_pages(
    gateway: HttpSmsGateway, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http, "PAGE_SIZE", 2)
    for n in range(5):
        await gateway.send(PHONE, "你好", f"ref-{n}")
    clock.now += timedelta(days=1)  # the sender died just before midnight
    assert (await gateway.lookup(PHONE, "ref-4")).outcome is Outcome.SENT
    assert (await gateway.lookup(PHONE, "ref-0")).outcome is Outcome.SENT
    assert (await gateway.lookup(PHONE, "ref-9")).outcome is Outcome.NOT_SENT


# receipts and replies pushed to our web server


@pytest.fixture
async def callbacks(
    gateway: HttpSmsGateway, standin: AliyunSmsStandIn
) -> AsyncIterator[TestServer]:
    app = web.Application()
    add_sms_callback_routes(app, gateway, token=TOKEN)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    standin.callback_base = str(server.make_url("/sms/http"))
    standin.callback_token = TOKEN
    try:
        yield server
    finally:
        await server.close()


async def test_pushed_report_reaches_on_report(
    callbacks: TestServer, gateway: HttpSmsGateway, standin: AliyunSmsStandIn, recorder: Recorder
) -> None:
    biz_id = await gateway.send(PHONE, "你好", "ref-1")
    assert await standin.push_reports() == 1
    assert recorder.reports == [DeliveryReport(biz_id, True, "DELIVERED")]
    assert await standin.push_reports() == 0


async def test_pushed_reply_reaches_on_inbound_as_e164(
    callbacks: TestServer, standin: AliyunSmsStandIn, recorder: Recorder
) -> None:
    await standin.push_inbound("13800000000", "查积分")
    [message] = recorder.inbound
    assert message.phone == PHONE
    assert message.body == "查积分"
    assert message.provider_id == "1"


async def test_callback_refuses_a_wrong_token_and_a_malformed_body(
    callbacks: TestServer, recorder: Recorder
) -> None:
    report = [{"biz_id": "1^0", "success": True, "err_code": "DELIVERED"}]
    async with ClientSession() as client:

        async def post(path: str, token: str | None, body: bytes) -> tuple[int, dict[str, object]]:
            query = {"token": token} if token is not None else {}
            url = callbacks.make_url(path).with_query(query)
            async with client.post(url, data=body) as response:
                return response.status, await response.json()

        good = json.dumps(report).encode()
        assert (await post("/sms/http/report", "wrong", good))[0] == 403
        assert (await post("/sms/http/report", None, good))[0] == 403
        status, answer = await post("/sms/http/report", TOKEN, b"{not json")
        assert status == 400 and answer["code"] == 1
        assert (await post("/sms/http/report", TOKEN, b'{"biz_id": "1"}'))[0] == 400
        assert (await post("/sms/http/report", TOKEN, b'[{"success": true}]'))[0] == 400
        assert (await post("/sms/http/inbound", TOKEN, b'[{"phone_number": "x"}]'))[0] == 400
        assert recorder.reports == [] and recorder.inbound == []

        assert await post("/sms/http/report", TOKEN, good) == (200, {"code": 0, "msg": "成功"})
        assert recorder.reports == [DeliveryReport("1^0", True, "DELIVERED")]


async def test_callback_failure_answers_500_without_a_trace(
    callbacks: TestServer, gateway: HttpSmsGateway
) -> None:
    async def broken(report: DeliveryReport) -> None:
        raise RuntimeError("database is down")

    gateway.on_report = broken
    async with (
        ClientSession() as client,
        client.post(
            callbacks.make_url("/sms/http/report").with_query(token=TOKEN),
            json=[{"biz_id": "1^0", "success": False, "err_code": "UNDELIV"}],
        ) as response,
    ):
        assert response.status == 500
        body = await response.text()
    assert "Traceback" not in body and "database is down" not in body


# the callback token is required, and never logged


def test_the_http_gateway_refuses_to_start_without_a_callback_token() -> None:
    for missing in (None, "", "  "):
        settings = Settings(sms_gateway="http", sms_http_callback_token=missing)
        with pytest.raises(DomainError) as refused:
            HttpSmsGateway.from_settings(settings)
        assert "XIANGXIN_SMS_HTTP_CALLBACK_TOKEN" in refused.value.message
        assert "拒绝启动" in refused.value.message


def test_the_worker_with_the_http_gateway_and_no_token_exits_with_the_setting_named(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XIANGXIN_SMS_GATEWAY", "http")
    monkeypatch.delenv("XIANGXIN_SMS_HTTP_CALLBACK_TOKEN", raising=False)
    result = invoke("worker", "--channel", "sms")
    assert result.exit_code == 1
    assert "XIANGXIN_SMS_HTTP_CALLBACK_TOKEN" in result.output.replace("\n", "")


async def test_a_forged_push_without_the_token_is_refused(
    gateway: HttpSmsGateway, recorder: Recorder
) -> None:
    app = web.Application()
    add_sms_callback_routes(app, gateway)  # the gateway's own token
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    forged = [{"biz_id": "1^0", "success": True, "err_code": "DELIVERED"}]
    try:
        async with ClientSession() as client:
            for query in ({}, {"token": ""}, {"token": "guess"}):
                url = server.make_url("/sms/http/report").with_query(query)
                async with client.post(url, json=forged) as response:
                    assert response.status == 403
    finally:
        await server.close()
    assert recorder.reports == []


async def test_the_access_log_never_shows_the_callback_token(
    gateway: HttpSmsGateway, caplog: pytest.LogCaptureFixture
) -> None:
    app = web.Application()
    add_sms_callback_routes(app, gateway)
    runner = runner_for(app)  # as the service builds it
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    try:
        async with ClientSession() as client:
            url = f"http://127.0.0.1:{port}/sms/http/inbound?token={TOKEN}&x=1"
            async with client.post(url, json=[]) as response:
                assert response.status == 200
    finally:
        await runner.cleanup()
    logged = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert any("/sms/http/inbound?token=***&x=1" in line for line in logged), logged
    assert not any(TOKEN in line for line in logged)
