"""Registry tables.

ID-card and phone numbers are stored whole (the committee needs them to reach
people) and masked by :mod:`village.masking` wherever they are shown.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models import created_at_field


class HouseholdType(StrEnum):
    POVERTY_EXITED = "poverty_exited"  # 脱贫户
    MONITORED = "monitored"  # 监测户
    ORDINARY = "ordinary"  # 一般户


class Village(SQLModel, table=True):
    __tablename__ = "village"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    township: str = Field(default="", max_length=64)
    county: str = Field(default="", max_length=64)
    point_value_yuan: Decimal = Field(default=Decimal("1.00"), max_digits=10, decimal_places=2)
    publicity_days: int = Field(default=5)
    commendation_top_n: int = Field(default=10)
    commendation_bonus: int = Field(default=100)
    commendation_title: str = Field(default="年度星级示范户", max_length=64)
    objection_contact: str = Field(default="", max_length=200)
    elder_age: int = Field(default=60)  # 孝善基金: members this old or older are elders (or 65)
    festival_visits: str = Field(default="", max_length=64)  # e.g. "spring_festival,mid_autumn"
    created_at: datetime = created_at_field()


class Household(SQLModel, table=True):
    __tablename__ = "household"

    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="village.id", index=True)
    number: str = Field(max_length=40, unique=True)  # 户编号
    head_name: str = Field(max_length=64)
    initials: str = Field(default="", max_length=64, index=True)  # 拼音首字母 of head_name
    id_card: str | None = Field(default=None, max_length=18)
    phone: str | None = Field(default=None, max_length=20)  # E.164, a mobile: gets the SMS
    landline: str | None = Field(default=None, max_length=20)  # E.164 座机: shown, never texted
    group_name: str = Field(default="", max_length=32)  # 组
    size: int = Field(default=1)  # 家庭人口
    household_type: str = Field(default=HouseholdType.ORDINARY.value, max_length=20)
    opted_out_at: datetime | None = None  # replied 退订: no policy broadcasts
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class Member(SQLModel, table=True):
    __tablename__ = "member"
    __table_args__ = (UniqueConstraint("household_id", "name", "id_card"),)

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    name: str = Field(max_length=64)
    relation: str = Field(default="", max_length=20)  # 与户主关系
    id_card: str | None = Field(default=None, max_length=18)
    birth_date: date | None = None
    phone: str | None = Field(default=None, max_length=20)
    is_head: bool = False
    chronic_illness: bool = False  # 慢性病 (for 慢性病卡 and health-policy notices)
    active: bool = True
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class StaffMember(SQLModel, table=True):
    """A person who acts for the village (or the county); named on every entry they make."""

    __tablename__ = "staff_member"

    id: int | None = Field(default=None, primary_key=True)
    village_id: int | None = Field(default=None, foreign_key="village.id", index=True)
    name: str = Field(max_length=64)
    role: str = Field(max_length=20)
    household_id: int | None = Field(default=None, foreign_key="household.id")
    phone: str | None = Field(default=None, max_length=20)
    active: bool = True
    created_at: datetime = created_at_field()
    password_hash: str | None = Field(default=None, max_length=200)  # argon2id; None: no console
    password_set_at: datetime | None = None  # a later change ends the console logins before it


class LoginAttempt(SQLModel, table=True):
    """Each console login tried, and each session it opened: the throttle and the audit.

    Kept in the database (not in a process) so that every process serving the
    same database counts the same wrong passwords. A successful row is also the
    session: ``ended_at`` is set at logout, and a cookie naming an ended row no
    longer logs anyone in.
    """

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = created_at_field()
    village: str = Field(default="", max_length=64)  # as typed; "" for a county administrator
    name: str = Field(max_length=64, index=True)
    peer: str = Field(default="", max_length=64, index=True)  # the client's address
    ok: bool = False
    staff_id: int | None = Field(default=None, foreign_key="staff_member.id")
    ended_at: datetime | None = None  # logged out


class ChatBinding(SQLModel, table=True):
    """A Telegram chat bound to a household, a staff member or a 孝善 supporter by a one-time code."""

    __tablename__ = "chat_binding"

    id: int | None = Field(default=None, primary_key=True)
    chat_id: str = Field(max_length=32, unique=True)
    household_id: int | None = Field(default=None, foreign_key="household.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff_member.id", index=True)
    supporter_id: int | None = Field(default=None, foreign_key="supporter.id", index=True)
    active: bool = True
    created_at: datetime = created_at_field()


class BindingCode(SQLModel, table=True):
    """A one-time code that binds a Telegram account to a household, staff member or supporter.

    Only a hash is kept: the plain code exists on the printed card (or in the
    message to the committee member who issued it) and nowhere else.
    """

    __tablename__ = "binding_code"

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True)
    village_id: int | None = Field(default=None, foreign_key="village.id", index=True)
    household_id: int | None = Field(default=None, foreign_key="household.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff_member.id", index=True)
    supporter_id: int | None = Field(default=None, foreign_key="supporter.id", index=True)
    issued_by: int | None = Field(default=None, foreign_key="staff_member.id")
    created_at: datetime = created_at_field()
    expires_at: datetime
    used_at: datetime | None = None
    used_by_chat: str | None = Field(default=None, max_length=32)
    revoked_at: datetime | None = None  # a newer card was printed for the same person


class BindingAttempt(SQLModel, table=True):
    """Each code typed in a chat, so that guessing codes can be slowed down."""

    __tablename__ = "binding_attempt"

    id: int | None = Field(default=None, primary_key=True)
    chat_id: str = Field(max_length=32, index=True)
    ok: bool = False
    at: datetime = created_at_field()


class Supporter(SQLModel, table=True):
    """An adult child (or other 赡养人) who pledges to the 孝善基金; may live elsewhere.

    Reached by Telegram when bound, else by SMS to ``phone``. ``household_id``
    is their own household in the village, if any (for the 良好家风之星).
    """

    __tablename__ = "supporter"

    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="village.id", index=True)
    name: str = Field(max_length=64)
    phone: str | None = Field(default=None, max_length=20)  # E.164
    relation: str = Field(default="", max_length=20)  # 与老人关系: 儿子, 女儿 …
    household_id: int | None = Field(default=None, foreign_key="household.id")
    created_at: datetime = created_at_field()


class ActionLog(SQLModel, table=True):
    """Who did what, for acts whose own rows do not name the person (a plan, a helper moved).

    Append-only: written by :func:`village.action_log.record` in the act's own
    transaction, read on the login audit page. ``detail`` is the sentence as
    shown, so a later change of the catalogue does not rewrite history.
    """

    __tablename__ = "action_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = created_at_field()
    village_id: int | None = Field(default=None, foreign_key="village.id", index=True)
    actor_id: int = Field(foreign_key="staff_member.id")
    action: str = Field(max_length=32)
    detail: str = Field(max_length=500)
