"""The rating round (星级评定) in the console over HTTP, on both databases: real server, real logins.

The 公示 period ends at midnight (Beijing time) after its last day and the domain
allows no shorter one, so the tests that take a round into effect move the
round's ``publicity_ends_at`` into the past in the database, as the days passing would.
"""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

from openpyxl import load_workbook
from sqlmodel import func, select

from core.clock import utcnow
from core.db import Database
from points import ledger, rounds
from points.models import Award, RatingRound, RoundEvent, StarCategory
from tests.console import PASSWORD, Client, client_of, csrf_token, outcome, staff_with_password
from tests.factories import Town, make_town
from village.models import StaffMember
from village.staff_login import set_password


async def with_passwords(db: Database, town: Town) -> None:
    """The town's secretary (who lives in household 0) and director can log in."""
    async with db.transaction() as s:
        for staff in (town.secretary, town.director):
            row = await s.get_one(StaffMember, staff.id)
            await set_password(s, row, PASSWORD)


async def post(client: Client, path: str, **form: str) -> tuple[int, str]:
    """Send a form as the page would (with the session's token); the page it leads to."""
    token = csrf_token(await (await client.get("/login")).text())
    response = await client.post(path, data={"csrf_token": token, **form})
    return response.status, await response.text()


async def new_round(client: Client, village_id: int) -> str:
    """新建本季度评星; the new round's path."""
    response = await client.post(
        f"/villages/{village_id}/rounds",
        data={"csrf_token": csrf_token(await (await client.get("/login")).text())},
    )
    assert response.status == 200 and response.history[0].status == 303
    assert "已新建评定轮次" in outcome(await response.text())
    return response.url.path


async def nominate(client: Client, path: str, number: str, reason: str = "养牛致富") -> str:
    status, page = await post(
        client, path + "/awards", household_number=number, category="1", reason=reason
    )
    assert status == 200, page
    return page


def award_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'id="award-(\d+)"', page)]


async def end_publicity(db: Database) -> None:
    """The 公示 days pass."""
    async with db.transaction() as s:
        for rnd in await s.scalars(select(RatingRound)):
            rnd.publicity_ends_at = utcnow() - timedelta(minutes=1)


async def published_round(db: Database) -> tuple[Town, Client, Client, str, list[int]]:
    """A round with two approved awards (households 1 and 2), under 公示."""
    town = await make_town(db)
    await with_passwords(db, town)
    secretary = await client_of(db, "幸福村", town.secretary.name)
    director = await client_of(db, "幸福村", town.director.name)
    path = await new_round(secretary, town.village.id or 0)
    await nominate(secretary, path, town.households[1].number)
    page = await nominate(secretary, path, town.households[2].number, "修路出工")
    awards = award_ids(page)
    await post(secretary, path + "/submit")
    _, page = await post(director, path + "/approve-all")
    assert "已通过 2 项提名" in outcome(page)
    _, page = await post(director, path + "/publish")
    assert "已发布公示" in outcome(page)
    return town, secretary, director, path, awards


async def test_the_committee_takes_a_round_from_nomination_to_effect(db: Database) -> None:
    town = await make_town(db)
    await with_passwords(db, town)
    secretary = await client_of(db, "幸福村", town.secretary.name)
    director = await client_of(db, "幸福村", town.director.name)
    village_id = town.village.id or 0
    home = town.households[1]
    async with secretary, director:
        listing = await (await secretary.get(f"/villages/{village_id}/rounds")).text()
        assert "新建本季度评星" in listing and "还没有评定轮次" in listing

        path = await new_round(secretary, village_id)
        page = await (await secretary.get(path)).text()
        assert "草稿" in page and 'id="outcome"' not in page  # shown once

        page = await nominate(secretary, path, home.number)
        assert f"已提名 #{award_ids(page)[0]}：{home.number} {home.head_name}" in outcome(page)

        status, page = await post(secretary, path + "/submit")
        assert "已提交评议" in outcome(page) and "评议</b>" in page
        # the proposer is told who may review it, and gets no approve button
        assert "本人提名，须由他人审核，需由幸福村主任审核" in page
        assert "/review" not in page and "/withdraw" in page

        page = await (await director.get(path)).text()
        assert "/review" in page and "需由" not in page
        award = award_ids(page)[0]
        status, page = await post(director, f"{path}/awards/{award}/review", decision="approve")
        assert outcome(page) == f"提名 #{award} 评议通过"

        status, page = await post(secretary, path + "/publish")
        assert "已发布公示" in outcome(page) and "notice.html" in page

        notice = await secretary.get(path + "/notice.html")
        text = await notice.text()
        assert notice.status == 200 and "星级评定结果公示" in text and home.head_name in text
        workbook = await secretary.get(path + "/notice.xlsx")
        assert workbook.status == 200 and "attachment" in workbook.headers["Content-Disposition"]
        sheet = load_workbook(BytesIO(await workbook.read())).active
        assert sheet is not None
        assert any(
            home.number in [str(c) for c in row] for row in sheet.iter_rows(values_only=True)
        )

        status, page = await post(secretary, path + "/take-effect")
        assert status == 200 and "期满后才能生效" in outcome(page) and 'class="error"' in page

        await end_publicity(db)
        status, page = await post(secretary, path + "/take-effect")
        assert "已生效：1 项星级记入 1 户" in outcome(page) and "已记分" in page
    async with db.session() as s:
        assert await ledger.balance(s, home.id or 0) == 10


async def test_a_reviewer_rejects_with_a_reason_and_the_proposer_withdraws(db: Database) -> None:
    town = await make_town(db)
    await with_passwords(db, town)
    secretary = await client_of(db, "幸福村", town.secretary.name)
    director = await client_of(db, "幸福村", town.director.name)
    async with secretary, director:
        path = await new_round(secretary, town.village.id or 0)
        await nominate(secretary, path, town.households[1].number)
        page = await nominate(secretary, path, town.households[2].number)
        first, second = award_ids(page)
        await post(secretary, path + "/submit")

        status, page = await post(director, f"{path}/awards/{first}/review", decision="reject")
        assert "评议不通过时请写明理由" in outcome(page)
        status, page = await post(
            director, f"{path}/awards/{first}/review", decision="reject", note="材料不实"
        )
        assert outcome(page) == f"提名 #{first} 评议不通过" and "未通过：材料不实" in page

        status, page = await post(secretary, f"{path}/awards/{second}/review", decision="approve")
        assert status == 403 and "不能自己评议" in page
        status, page = await post(director, f"{path}/awards/{second}/withdraw")
        assert status == 403 and "只有提名人本人可以撤回" in page
        status, page = await post(secretary, f"{path}/awards/{second}/withdraw")
        assert "已撤回提名" in outcome(page) and f'id="award-{second}"' not in page


async def test_no_one_nominates_their_own_household(db: Database) -> None:
    town = await make_town(db)
    await with_passwords(db, town)
    secretary = await client_of(db, "幸福村", town.secretary.name)
    async with secretary:
        path = await new_round(secretary, town.village.id or 0)
        status, page = await post(
            secretary,
            path + "/awards",
            household_number=town.households[0].number,
            category="1",
            reason="自家",
        )
        assert status == 403 and "须回避" in page


async def test_publishing_waits_until_every_nomination_is_decided(db: Database) -> None:
    town = await make_town(db)
    await with_passwords(db, town)
    secretary = await client_of(db, "幸福村", town.secretary.name)
    async with secretary:
        path = await new_round(secretary, town.village.id or 0)
        _, page = await post(secretary, path + "/submit")
        assert "还没有任何提名" in outcome(page)
        await nominate(secretary, path, town.households[1].number)
        await post(secretary, path + "/submit")
        _, page = await post(secretary, path + "/publish")
        assert "还有 1 项提名未评议" in outcome(page) and "评议</b>" in page


async def test_objections_are_recorded_then_upheld_or_rejected(db: Database) -> None:
    _town, secretary, director, path, (first, second) = await published_round(db)
    async with secretary, director:
        _, page = await post(
            secretary, path + "/objections", award=str(first), name="王大爷", contact="", reason=""
        )
        assert "请写明异议理由" in outcome(page)
        for award in (first, second):
            _, page = await post(
                secretary,
                path + "/objections",
                award=str(award),
                name="王大爷",
                contact="13800001111",
                reason="他家没出工",
            )
            assert "已受理异议" in outcome(page)
        ids = [int(i) for i in re.findall(r'id="objection-(\d+)"', page)]

        _status, page = await post(
            director, f"{path}/objections/{ids[0]}/resolve", decision="uphold", note="核实属实"
        )
        assert f"提名 #{first} 已撤销" in outcome(page)
        _, page = await post(
            director, f"{path}/objections/{ids[1]}/resolve", decision="reject", note="已核实出工"
        )
        assert f"提名 #{second} 维持" in outcome(page)

        await end_publicity(db)
        _, page = await post(director, path + "/take-effect")
        assert "已生效：1 项星级记入 1 户" in outcome(page)


async def test_an_open_objection_holds_back_the_effect(db: Database) -> None:
    _town, secretary, director, path, (first, _) = await published_round(db)
    async with secretary, director:
        await post(secretary, path + "/objections", award=str(first), name="李", reason="不公")
        await end_publicity(db)
        _, page = await post(director, path + "/take-effect")
        assert "还有 1 条异议未处理" in outcome(page)


async def test_starting_a_round_twice_names_the_round_in_the_way(db: Database) -> None:
    town = await make_town(db)
    await with_passwords(db, town)
    secretary = await client_of(db, "幸福村", town.secretary.name)
    async with secretary:
        rounds = f"/villages/{town.village.id}/rounds"
        await new_round(secretary, town.village.id or 0)
        _, page = await post(secretary, rounds)
        assert "还在草稿阶段" in outcome(page) and str(page).count('id="rounds"') == 1


async def test_the_household_picker_finds_by_number_and_name(db: Database) -> None:
    town = await make_town(db)
    await with_passwords(db, town)
    secretary = await client_of(db, "幸福村", town.secretary.name)
    async with secretary:
        path = await new_round(secretary, town.village.id or 0)
        part = await (await secretary.get(path + "/households", params={"q": "003"})).text()
        assert "<html" not in part and "幸福村-003" in part and "幸福村-002" not in part
        part = await (await secretary.get(path + "/households", params={"q": "户主4"})).text()
        assert "幸福村-004" in part and "幸福村-003" not in part
        page = await (await secretary.get(path, params={"q": "005"})).text()
        assert 'value="幸福村-005"' in page and 'value="幸福村-001"' not in page


async def test_the_notice_waits_for_publication(db: Database) -> None:
    town = await make_town(db)
    await with_passwords(db, town)
    secretary = await client_of(db, "幸福村", town.secretary.name)
    async with secretary:
        path = await new_round(secretary, town.village.id or 0)
        response = await secretary.get(path + "/notice.html")
        assert response.status == 400 and "发布公示后才能打印" in await response.text()


async def test_a_shopkeeper_is_refused_the_round_pages(db: Database) -> None:
    town, secretary, director, path, _ = await published_round(db)
    await staff_with_password(db, "幸福村", "吴店主", "shopkeeper", PASSWORD)
    shopkeeper = await client_of(db, "幸福村", "吴店主")
    async with secretary, director, shopkeeper:
        for page in (f"/villages/{town.village.id}/rounds", path, path + "/notice.html"):
            response = await shopkeeper.get(page)
            assert response.status == 403, page
        status, _ = await post(shopkeeper, path + "/take-effect")
        assert status == 403


async def test_the_supervisor_and_the_fund_council_read_but_do_not_act(db: Database) -> None:
    _town, secretary, director, path, _ = await published_round(db)
    await staff_with_password(db, "幸福村", "监委会", "supervisor", PASSWORD)
    await staff_with_password(db, "幸福村", "理事会", "fund_council", PASSWORD)
    supervisor = await client_of(db, "幸福村", "监委会")
    council = await client_of(db, "幸福村", "理事会")
    async with secretary, director, supervisor, council:
        for reader in (supervisor, council):
            page = await (await reader.get(path)).text()
            assert (
                "您可以查看本轮" in page
                and "/take-effect" not in page
                and "/objections" not in page
            )
            assert (await reader.get(path + "/notice.xlsx")).status == 200
        status, page = await post(supervisor, path + "/take-effect")
        assert status == 403 and "只能查看" in page
        await end_publicity(db)
        status, page = await post(council, path + "/take-effect")
        assert status == 403
        status, page = await post(council, path + "/objections", award="1", name="李", reason="x")
        assert status == 403


async def test_another_villages_committee_is_refused(db: Database) -> None:
    _town, secretary, director, path, _ = await published_round(db)
    other = await make_town(db, households=1, name="光明村")
    await staff_with_password(db, "光明村", "孙文书", "committee", PASSWORD)
    stranger = await client_of(db, "光明村", "孙文书")
    async with secretary, director, stranger:
        assert (await stranger.get(path)).status == 403
        status, _ = await post(stranger, path + "/take-effect")
        assert status == 403
        round_id = path.rsplit("/", 1)[1]
        elsewhere = await stranger.get(f"/villages/{other.village.id}/rounds/{round_id}")
        assert elsewhere.status == 404


async def test_a_county_admin_acts_in_any_village(db: Database) -> None:
    _town, secretary, director, path, _ = await published_round(db)
    await staff_with_password(db, None, "钱主任", "county_admin", PASSWORD)
    admin = await client_of(db, "", "钱主任")
    async with secretary, director, admin:
        await end_publicity(db)
        _, page = await post(admin, path + "/take-effect")
        assert "已生效：2 项星级记入 2 户" in outcome(page)


async def test_an_act_without_the_csrf_token_is_refused(db: Database) -> None:
    town = await make_town(db)
    await with_passwords(db, town)
    secretary = await client_of(db, "幸福村", town.secretary.name)
    async with secretary:
        response = await secretary.post(f"/villages/{town.village.id}/rounds", data={})
        assert response.status == 403
        listing = await (await secretary.get(f"/villages/{town.village.id}/rounds")).text()
        assert "还没有评定轮次" in listing


async def test_the_committee_sends_a_published_round_back_to_review(db: Database) -> None:
    town, secretary, director, path, _ = await published_round(db)
    await staff_with_password(db, "幸福村", "监委会", "supervisor", PASSWORD)
    supervisor = await client_of(db, "幸福村", "监委会")
    async with secretary, director, supervisor:
        assert f'action="{path}/reopen"' not in await (await supervisor.get(path)).text()
        page = await (await director.get(path)).text()
        assert f'action="{path}/reopen"' in page and "退回评议" in page

        _, page = await post(director, path + "/reopen", reason=" ")
        assert "请写明原因" in outcome(page, "error") and "公示</b>" in page
        _, page = await post(director, path + "/reopen", reason="漏评一户，重新评议")
        assert "已退回评议" in outcome(page) and "评议</b>" in page
        # back in 评议 with every nomination decided: publish again, no second 退回
        assert f'action="{path}/reopen"' not in page and f'action="{path}/publish"' in page
        assert "漏评一户，重新评议" in page  # in the round's record

        status, page = await post(supervisor, path + "/reopen", reason="想退回")
        assert status == 403
    async with db.session() as s:
        rnd = await s.get_one(RatingRound, int(path.rsplit("/", 1)[1]))
        assert rnd.status == "review" and rnd.published_at is None
        events = await rounds.list_events(s, rnd.id or 0)
    reopened = [(e.actor_name, e.detail) for e in events if e.action == rounds.Action.REOPENED]
    assert reopened == [(town.director.name, "漏评一户，重新评议")]


async def _round_rows(db: Database) -> tuple[int, ...]:
    counts = []
    async with db.session() as s:
        for table in (StarCategory, RatingRound, Award, RoundEvent):
            counts.append(int(await s.scalar(select(func.count()).select_from(table)) or 0))
    return tuple(counts)


async def test_opening_a_round_page_writes_nothing(db: Database) -> None:
    """A round made on the CLI, before the village's stars were ever read: the page offers
    the default stars by name and installs nothing; the first nomination does."""
    town = await make_town(db)
    await with_passwords(db, town)
    async with db.transaction() as s:
        rnd = await rounds.create_round(s, town.village, town.director, "2026年第4季度", 2026)
    path = f"/villages/{town.village.id}/rounds/{rnd.id}"
    secretary = await client_of(db, "幸福村", town.secretary.name)
    async with secretary:
        before = await _round_rows(db)
        assert before[0] == 0  # no star installed yet
        response = await secretary.get(path)
        page = await response.text()
        assert response.status == 200 and 'value="户容整洁之星"' in page
        assert "户容整洁之星（10 分）" in page
        assert await _round_rows(db) == before

        home = town.households[1]
        _, page = await post(
            secretary,
            path + "/awards",
            household_number=home.number,
            category="户容整洁之星",
            reason="庭院整洁",
        )
        assert f"{home.number} {home.head_name} · 户容整洁之星" in outcome(page)
    stars, _, awards, _ = await _round_rows(db)
    assert stars == 10 and awards == 1
