"""``make demo``: one village's whole cycle, in a throw-away database, told step by step.

Everything goes through the same domain functions the CLI uses; only the
clock is moved by hand (so the 5-day 公示 can pass in a second). A step that
is *meant* to be refused shows the refusal, which is part of the story.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from openpyxl import Workbook
from rich.console import Console
from rich.table import Table
from sqlmodel import col, select
from stdnum.cn import ric

from bot.cards import render_cards, write_cards
from bot.demo_care import filial_fund, reminder_days, texted, visits_and_help
from bot.household import answer_sms
from bot.telegram.app import TelegramBot
from core.catalogue import text
from core.clock import local_text
from core.db import Database
from core.errors import DomainError
from core.settings import Settings
from core.spreadsheet import safe_row
from migrations import upgrade_async
from notifications.engine import Outreach
from notifications.inbound import receive_sms
from notifications.models import Notice
from notifications.outbox import status_counts
from outreach.audience import Audience
from outreach.notices import Preview, create_notice, preview, send_now
from points import commendation, ledger, rounds, supermarket
from points.categories import list_categories
from points.messages import ask_household
from points.notice import gather_notice, write_notice
from standins.telegram_api import TelegramStandIn
from village.binding import expiry, issue_household_codes
from village.masking import mask_id_card, mask_phone
from village.models import Household, StaffMember, Village
from village.registry import add_staff, create_village, find_household, list_staff
from village.roster import import_roster, parse_roster
from village.roster_files import open_roster
from village.staff_login import set_password

T = TypeVar("T")
VILLAGE = "幸福村"
DEMO_BOT = "xiangxin_demo_bot"
DEMO_TOKEN = "100000:demo-token"
DEMO_PASSWORD = "xiangxin-demo"  # the secretary's console password in the demo database
DEMO_CHAT = 900001
HEADS = ["张建国", "李秀英", "王德明", "赵桂兰", "刘志强", "陈玉梅", "杨永福", "黄淑珍"]


def _id_card(index: int, born: str) -> str:
    body = f"410122{born}{index:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder digit


def write_roster(path: Path) -> None:
    """A small 建档立卡 list as villages keep it, with one bad phone number in row 5."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None

    def append(row: list[Any]) -> None:
        sheet.append(safe_row(row))  # the same guard as every workbook the project writes

    append(
        [
            "户编号",
            "户主姓名",
            "身份证号",
            "联系电话",
            "村",
            "组",
            "家庭人口",
            "户类型",
            "成员姓名",
            "与户主关系",
            "成员身份证号",
        ]
    )
    kinds = ["脱贫户", "监测户", "一般户"]
    for i, name in enumerate(HEADS, start=1):
        phone = "1381234" if i == 4 else f"1381234{i:04d}"
        append(
            [
                f"XF{i:03d}",
                name,
                _id_card(i, f"19{50 + i}0101"),
                phone,
                VILLAGE,
                f"{(i - 1) // 3 + 1}组",
                3,
                kinds[i % 3],
                None,
                None,
                None,
            ]
        )
        append(
            [
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                f"{name[0]}小{i}",
                "子女",
                _id_card(100 + i, "20120601"),
            ]
        )
    book.save(path)


class Demo:
    def __init__(self, database: Database, folder: Path, console: Console) -> None:
        self.db = database
        self.folder = folder
        self.out = console
        self.now = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 09:00 Beijing time
        self.step_no = 0

    def step(self, code: str, /, **params: Any) -> None:
        self.step_no += 1
        self.out.print()
        self.out.rule(f"[bold]{text('demo_step', n=self.step_no)} {text(code, **params)}")
        self.out.print(text("demo_clock", now=local_text(self.now)), style="dim")

    def say(self, code: str, /, **params: Any) -> None:
        self.out.print(text(code, **params))

    async def act(self, work: Callable[[Any], Awaitable[T]]) -> T:
        async with self.db.transaction() as session:
            return await work(session)

    async def refused(self, work: Callable[[Any], Awaitable[object]]) -> None:
        """Run a step the rules must refuse, and show the refusal."""
        try:
            await self.act(work)
        except DomainError as error:
            self.out.print(text("demo_refused", message=error.message), style="yellow")
        else:
            raise AssertionError("demo step was expected to be refused")

    async def village_and_staff(self, session: Any) -> tuple[Village, dict[str, StaffMember]]:
        village = await session.get(Village, self.village_id)
        staff = {s.name: s for s in await _all_staff(session, self.village_id)}
        return village, staff

    async def run(self) -> None:
        await self.setup_village()
        await self.roster()
        await self.staff_and_categories()
        await self.rating_round()
        await self.balances()
        await self.shop()
        await self.correction()
        await self.commend()
        await self.verify()
        await self.broadcast()
        await self.chat()
        await visits_and_help(self)
        await reminder_days(self, await filial_fund(self))
        await self.console_login()
        self.out.print()
        self.say("demo_done")

    async def console_login(self) -> None:
        """The secretary gets a console password, so the kept demo can be opened in a browser."""

        async def work(session: Any) -> None:
            _village, staff = await self.village_and_staff(session)
            await set_password(session, staff["张建国"], DEMO_PASSWORD, now=self.now)

        await self.act(work)
        self.out.print()
        self.say("demo_console", village=VILLAGE, name="张建国", password=DEMO_PASSWORD)

    async def setup_village(self) -> None:
        self.step("demo_step_village")
        village = await self.act(
            lambda s: create_village(
                s,
                VILLAGE,
                township="城关镇",
                county="示范县",
                objection_contact="村委会办公室 0371-1234567",
            )
        )
        self.village_id = village.id or 0
        self.say(
            "demo_village",
            name=village.name,
            value=village.point_value_yuan,
            days=village.publicity_days,
        )

    async def roster(self) -> None:
        self.step("demo_step_roster")
        path = self.folder / "建档立卡户名单.xlsx"
        write_roster(path)
        self.say("demo_roster_file", path=path)

        async def attempt(skip_bad: bool) -> Any:
            with open_roster(path) as source:
                parsed = parse_roster(source)
            return await self.act(
                lambda s: import_roster(s, parsed, default_village=VILLAGE, skip_bad=skip_bad)
            )

        report = await attempt(False)
        for problem in report.problems:
            self.say(
                "demo_roster_problem",
                row=problem.row,
                number=problem.number,
                reason=problem.reason(),
            )
        self.say("demo_roster_stopped")
        report = await attempt(True)
        self.say(
            "demo_roster_imported",
            created=report.households_created,
            members=report.members_created,
            skipped=report.households_skipped,
        )
        table = Table(title=text("demo_roster_table"))
        for column in ("户编号", "户主", "身份证号", "电话", "组"):
            table.add_column(column)
        for home in await self.act(lambda s: _households(s, self.village_id)):
            table.add_row(
                home.number,
                home.head_name,
                mask_id_card(home.id_card),
                mask_phone(home.phone),
                home.group_name,
            )
        self.out.print(table)

    async def staff_and_categories(self) -> None:
        self.step("demo_step_staff")

        async def register(session: Any) -> list[StaffMember]:
            village = await session.get(Village, self.village_id)
            return [
                await add_staff(session, village, "张建国", "committee", household_number="XF001"),
                await add_staff(session, village, "周主任", "committee"),
                await add_staff(session, village, "孙委员", "committee"),
                await add_staff(session, village, "吴店主", "shopkeeper"),
            ]

        for member in await self.act(register):
            self.say("demo_staff", name=member.name, role=text(f"role_{member.role}"))

        async def categories(session: Any) -> list[Any]:
            return await list_categories(session, await session.get(Village, self.village_id))

        names = "、".join(f"{c.name}({c.points}分)" for c in await self.act(categories))
        self.say("demo_categories", names=names)

    async def rating_round(self) -> None:
        self.step("demo_step_round")

        async def create(session: Any) -> Any:
            village, staff = await self.village_and_staff(session)
            return await rounds.create_round(
                session, village, staff["周主任"], "2026年第4季度", 2026, now=self.now
            )

        round_id = (await self.act(create)).id
        self.round_id = round_id
        plan = [
            ("张建国", "XF002", "增收致富之星", "发展食用菌种植，年增收两万元"),
            ("张建国", "XF003", "户容整洁之星", "院落干净整齐，厕所改造完成"),
            ("张建国", "XF003", "热心公益之星", "义务修路十余天"),
            ("张建国", "XF002", "学用科技之星", "学会滴灌技术并教给邻居"),
            ("周主任", "XF001", "良好家风之星", "赡养老人，家庭和睦"),
            ("周主任", "XF005", "政策明白之星", "带头宣讲医保政策"),
            ("周主任", "XF005", "移风易俗之星", "儿子婚事简办，不要彩礼"),
            ("周主任", "XF006", "诚实守信之星", "按时归还小额贷款"),
        ]
        award_ids: dict[tuple[str, str], int] = {}
        for who, number, category, reason in plan:

            async def propose(
                session: Any,
                who: str = who,
                number: str = number,
                category: str = category,
                reason: str = reason,
            ) -> Any:
                _village, staff = await self.village_and_staff(session)
                return await rounds.propose_award(
                    session, round_id, staff[who], number, category, reason, now=self.now
                )

            award = await self.act(propose)
            award_ids[(number, category)] = award.id
            self.say("demo_award", who=who, number=number, category=category, reason=reason)

        self.say("demo_try_own_household")

        async def own(session: Any) -> Any:
            _village, staff = await self.village_and_staff(session)
            return await rounds.propose_award(
                session,
                round_id,
                staff["张建国"],
                "XF001",
                "学用科技之星",
                "自己给自己评",
                now=self.now,
            )

        await self.refused(own)

        async def submit(session: Any) -> Any:
            _village, staff = await self.village_and_staff(session)
            return await rounds.submit_for_review(session, round_id, staff["周主任"], now=self.now)

        await self.act(submit)
        self.say("demo_submitted")
        self.say("demo_try_self_approve")

        async def self_approve(session: Any) -> Any:
            _village, staff = await self.village_and_staff(session)
            return await rounds.approve_award(
                session, award_ids[("XF005", "政策明白之星")], staff["周主任"], now=self.now
            )

        await self.refused(self_approve)

        await self.review_all(award_ids)
        self.now += timedelta(hours=2)
        self.step("demo_step_publicity")

        async def publish(session: Any) -> Any:
            _village, staff = await self.village_and_staff(session)
            rnd = await rounds.publish(session, round_id, staff["周主任"], now=self.now)
            data = await gather_notice(session, round_id)
            return rnd, write_notice(data, self.folder / "公示")

        rnd, (html_path, xlsx_path) = await self.act(publish)
        last_day = rounds.publicity_last_day(rnd)
        self.say(
            "demo_published",
            ends=last_day.strftime("%Y年%m月%d日") if last_day else "—",
            html=html_path,
            xlsx=xlsx_path,
        )

        self.now += timedelta(days=1)
        objected = award_ids[("XF003", "热心公益之星")]

        async def lodge(session: Any) -> Any:
            return await rounds.lodge_objection(
                session,
                objected,
                "村民孙大爷",
                "13900001111",
                "修路那几天他在外地打工，并未参加",
                now=self.now,
            )

        objection = await self.act(lodge)
        self.say("demo_objection", number="XF003", category="热心公益之星")
        self.say("demo_try_early")

        async def take(session: Any) -> Any:
            _village, staff = await self.village_and_staff(session)
            return await rounds.take_effect(session, round_id, staff["周主任"], now=self.now)

        await self.refused(take)

        async def resolve(session: Any) -> Any:
            _village, staff = await self.village_and_staff(session)
            return await rounds.resolve_objection(
                session,
                objection.id,
                staff["周主任"],
                uphold=True,
                note="经核实异议属实，撤销该星",
                now=self.now,
            )

        await self.act(resolve)
        self.say("demo_objection_upheld")

        self.now += timedelta(days=5)
        self.step("demo_step_effective")
        result = await self.act(take)
        self.say(
            "demo_effective",
            credited=result.credited,
            households=result.households,
            total=result.total_points,
        )
        self.say("demo_try_twice")
        await self.refused(take)

    async def review_all(self, award_ids: dict[tuple[str, str], int]) -> None:
        """Each award goes to a member who neither proposed it nor lives in that household."""

        async def review(session: Any) -> None:
            _village, staff = await self.village_and_staff(session)
            detail = await rounds.round_detail(session, self.round_id)
            for line in detail.awards:
                reviewer = next(
                    staff[name]
                    for name in ("孙委员", "周主任", "张建国")
                    if name != line.proposed_by
                    and staff[name].household_id != line.award.household_id
                )
                await rounds.approve_award(session, line.award.id or 0, reviewer, now=self.now)

        await self.act(review)
        self.say("demo_reviewed", count=len(award_ids))

    async def balances(self) -> None:
        self.step("demo_step_balances")
        table = Table()
        for column in ("户编号", "户主", "积分", "最近一笔"):
            table.add_column(column)

        async def read(session: Any) -> list[tuple[Household, ledger.Statement]]:
            return [
                (h, await ledger.statement(session, h.id or 0, 1))
                for h in await _households(session, self.village_id)
            ]

        for home, statement in await self.act(read):
            last = statement.entries[0].reason if statement.entries else "—"
            table.add_row(home.number, home.head_name, str(statement.balance), last)
        self.out.print(table)

    async def shop(self) -> None:
        self.step("demo_step_shop")

        async def stock(session: Any) -> list[Any]:
            village, staff = await self.village_and_staff(session)
            keeper = staff["吴店主"]
            return [
                await supermarket.add_item(
                    session, village, "大米", 8, keeper, unit="袋", stock=20
                ),
                await supermarket.add_item(
                    session, village, "食用油", 6, keeper, unit="瓶", stock=10
                ),
                await supermarket.add_item(
                    session, village, "洗衣粉", 3, keeper, unit="袋", stock=2
                ),
            ]

        for item in await self.act(stock):
            self.say(
                "demo_item",
                name=item.name,
                price=item.price_points,
                unit=item.unit,
                stock=item.stock,
            )

        async def start(session: Any) -> Any:
            village, staff = await self.village_and_staff(session)
            return await supermarket.start_redemption(
                session,
                village,
                "XF002",
                [("大米", 1)],
                staff["吴店主"],
                "demo-redeem-1",
                now=self.now,
            )

        started = await self.act(start)
        self.say(
            "demo_redeem_started",
            number="XF002",
            total=started.redemption.total_points,
            code=started.code,
        )

        async def confirm(code: str) -> Any:
            async def work(session: Any) -> Any:
                village, staff = await self.village_and_staff(session)
                return await supermarket.confirm_redemption(
                    session, village, started.redemption.id, code, staff["吴店主"], now=self.now
                )

            return await self.act(work)

        wrong = "000000" if started.code != "000000" else "111111"
        outcome = await confirm(wrong)
        self.out.print(text("demo_refused", message=outcome.message), style="yellow")
        outcome = await confirm(started.code)
        self.say("demo_receipt")
        self.out.print(outcome.receipt.text)
        self.say("demo_resubmit")
        again = await confirm(started.code)
        self.say("demo_resubmit_result", same=again.receipt.id == outcome.receipt.id)

        self.say("demo_try_poor")

        async def too_much(session: Any) -> Any:
            village, staff = await self.village_and_staff(session)
            return await supermarket.start_redemption(
                session,
                village,
                "XF005",
                [("洗衣粉", 3)],
                staff["吴店主"],
                "demo-redeem-2",
                now=self.now,
            )

        await self.refused(too_much)

    async def correction(self) -> None:
        self.step("demo_step_reversal")

        async def undo(session: Any) -> Any:
            _village, staff = await self.village_and_staff(session)
            home = await find_household(session, "XF006", self.village_id)
            entry = (await ledger.statement(session, home.id or 0, 1)).entries[0]
            return entry, await ledger.reverse(
                session,
                entry.id or 0,
                staff["张建国"],
                "贷款实际逾期，诚实守信之星评定有误",
                now=self.now,
            )

        entry, reversal = await self.act(undo)
        self.say(
            "demo_reversed",
            number="XF006",
            id=entry.id,
            rid=reversal.id,
            amount=reversal.amount,
            balance=reversal.balance_after,
        )

        async def take_back(session: Any) -> Any:
            village, staff = await self.village_and_staff(session)
            return await supermarket.return_redemption(
                session, village, 1, staff["吴店主"], "米受潮，农户退回", now=self.now
            )

        async def goods(session: Any) -> dict[str, int]:
            village, _staff = await self.village_and_staff(session)
            return {
                item.name: item.stock for item in await supermarket.list_items(session, village)
            }

        returned = await self.act(take_back)
        stock = await self.act(goods)
        self.say(
            "demo_returned",
            number="XF002",
            amount=returned.entry.amount,
            balance=returned.entry.balance_after,
            stock=stock["大米"],
        )
        again = await self.act(take_back)
        if again.created:  # would be a bug: the demo says so rather than tell a story
            raise RuntimeError("a second 退货 gave the points back twice")
        self.say("demo_returned_again")

    async def commend(self) -> None:
        self.now = datetime(2026, 12, 28, 2, 0, tzinfo=UTC)
        self.step("demo_step_commend")

        async def work(session: Any) -> Any:
            village, staff = await self.village_and_staff(session)
            village.commendation_top_n = 2
            village.commendation_bonus = 50
            return await commendation.run_commendation(
                session, village, 2026, staff["周主任"], now=self.now
            )

        outcome = await self.act(work)
        for winner in outcome.winners:
            self.say(
                "demo_commended",
                rank=winner.rank,
                name=winner.head_name,
                number=winner.number,
                stars=winner.stars,
                bonus=winner.bonus,
                title=outcome.commendation.title,
            )
        self.say("demo_try_commend_twice")

        async def twice(session: Any) -> Any:
            village, staff = await self.village_and_staff(session)
            return await commendation.run_commendation(
                session, village, 2026, staff["周主任"], now=self.now
            )

        await self.refused(twice)

    async def verify(self) -> None:
        self.step("demo_step_verify")
        problems = await self.act(ledger.verify)
        self.say("demo_verified" if not problems else "demo_verify_failed", count=len(problems))

    async def broadcast(self) -> None:
        """A policy notice to households with an elder, sent through the console SMS gateway."""
        self.step("demo_step_broadcast")

        async def write(session: Any) -> tuple[Notice, Preview]:
            village, staff = await self.village_and_staff(session)
            notice = await create_notice(
                session,
                staff["周主任"],
                village,
                "医保缴费提醒",
                "2027年度城乡居民医保开始缴费，每人380元，请于12月31日前到村委会缴纳。",
                Audience(with_elder=True),
                now=self.now,
            )
            return notice, await preview(session, notice, Decimal("0.05"), now=self.now)

        notice, seen = await self.act(write)
        self.say(
            "demo_broadcast_preview",
            audience=Audience(with_elder=True).describe(),
            sms=seen.sms,
            unreachable=seen.unreachable,
            parts=seen.sms_parts,
            cost=seen.cost_yuan,
        )
        self.say("demo_broadcast_text", body=seen.sms_text)

        async def fire(session: Any) -> int:
            return (await send_now(session, notice, now=self.now)).recipients

        count = await self.act(fire)
        log = self.folder / "sms.log"
        settings = Settings(
            database_url=self.db.url,
            sms_log=log,
            sms_tps=50,
            quiet_start=time(0, 0),  # the demo runs at any hour: no quiet hours here
            quiet_end=time(0, 0),
        )
        stop = asyncio.Event()
        engine = asyncio.create_task(
            Outreach(
                self.db, settings, worker="demo", clock=lambda: self.now, conversation=answer_sms
            ).run(stop)
        )
        try:
            for _ in range(200):  # at most 20 s
                async with self.db.session() as session:
                    counts = await status_counts(session)
                if counts.get("queued", 0) + counts.get("sending", 0) == 0:
                    break
                await asyncio.sleep(0.1)
        finally:
            stop.set()
            await engine
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        self.say("demo_broadcast_sent", count=count, lines=len(lines), log=log)
        phone = json.loads(lines[0])["to"] if lines else None
        if phone is not None:

            async def reply(session: Any) -> str:
                return await receive_sms(session, phone, "退订", conversation=answer_sms)

            self.say("demo_broadcast_opt_out", phone=mask_phone(phone), reply=await self.act(reply))

    async def chat(self) -> None:
        """Binding cards, the bot in Telegram (against the offline stand-in), and the same by SMS."""
        self.step("demo_step_chat")

        async def cards(session: Any) -> tuple[Village, list[tuple[Household, str]]]:
            village, staff = await self.village_and_staff(session)
            homes = [h for h in await _households(session, self.village_id) if h.phone][:3]
            issued = await issue_household_codes(session, staff["周主任"], village, homes, self.now)
            return village, issued

        village, issued = await self.act(cards)
        html = render_cards(village, issued, bot_username=DEMO_BOT, expires_at=expiry(self.now))
        path = write_cards(html, self.folder / "绑定卡.html")
        self.say("demo_cards", count=len(issued), path=path)

        home, code = issued[0]
        async with TelegramStandIn(rate=0, chat_rate=0, bot_username=DEMO_BOT) as api:
            settings = Settings(
                database_url=self.db.url,
                telegram_token=DEMO_TOKEN,
                telegram_base_url=api.base_url,
                telegram_bot_username=DEMO_BOT,
                telegram_rate=1000,  # the stand-in has no limits here: no pacing to wait for
                telegram_chat_rate=1000,
            )
            bot = TelegramBot(settings, self.db, clock=lambda: self.now)
            await bot.start()
            try:
                for body in (f"/start {code}", "查积分"):
                    self.say("demo_chat_said", name=home.head_name, text=body)
                    before = len(api.sent)
                    api.push_text(DEMO_CHAT, body)
                    for answer in await _answers(api, before):
                        self.out.print(answer, style="cyan")
            finally:
                await bot.stop()

        sms_home = issued[1][0]
        assert sms_home.phone is not None
        phone = sms_home.phone

        async def ask(session: Any) -> str:
            village, staff = await self.village_and_staff(session)
            started = await supermarket.start_redemption(
                session, village, sms_home, [("食用油", 1)], staff["吴店主"], "demo-sms-1", self.now
            )
            await ask_household(session, started, staff["吴店主"], self.now)
            return started.code or ""

        for body in ("JF", "CS"):
            self.say("demo_sms_said", phone=mask_phone(phone), text=body)
            self.out.print(await self.act(partial(texted, phone, body, self.now)), style="cyan")
        sms_code = await self.act(ask)
        self.say("demo_sms_redeem", phone=mask_phone(phone), code=sms_code)
        self.out.print(await self.act(partial(texted, phone, sms_code, self.now)), style="cyan")


async def _answers(api: TelegramStandIn, before: int, settle: float = 0.3) -> list[str]:
    """What the bot sent the demo chat after ``before``, once it has been quiet a moment."""
    seen, quiet = -1, 0.0
    for _ in range(200):  # at most 10 s
        mine = [m.text for m in api.sent[before:] if m.chat_id == DEMO_CHAT]
        quiet = quiet + 0.05 if len(mine) == seen and mine else 0.0
        if quiet >= settle:
            return mine
        seen = len(mine)
        await asyncio.sleep(0.05)
    return [m.text for m in api.sent[before:] if m.chat_id == DEMO_CHAT]


async def _households(session: Any, village_id: int) -> list[Household]:
    query = (
        select(Household).where(Household.village_id == village_id).order_by(col(Household.number))
    )
    return list(await session.scalars(query))


async def _all_staff(session: Any, village_id: int) -> list[StaffMember]:
    return await list_staff(session, village_id)


async def run_demo(console: Console, keep: Path | None = None) -> None:
    with tempfile.TemporaryDirectory(prefix="xiangxin-demo-") as scratch:
        folder = keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        url = f"sqlite+aiosqlite:///{folder / 'demo.db'}"
        await upgrade_async(url)
        database = Database(url)
        try:
            await Demo(database, folder, console).run()
        finally:
            await database.dispose()
        if keep:
            url = f"sqlite+aiosqlite:///{folder.resolve() / 'demo.db'}"
            console.print(text("demo_kept", folder=folder, url=url), soft_wrap=True)
        else:
            console.print(text("demo_removed"))
