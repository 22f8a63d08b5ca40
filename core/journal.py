"""The mechanics every append-only ledger shares: the points ledger and the 孝善基金's.

Both keep a journal of entries beside account rows holding running balances,
and follow the same rules (DESIGN.md, "Append-only journal"):

- an account row is created on first use and locked ``FOR UPDATE`` (in key
  order, so two writers never deadlock) before its balance is read;
- every entry has an idempotency key: the same key with the same content
  returns the first entry, the same key with other content is refused;
- a mistake is undone by a reversal naming the entry; a reversal is never
  itself reversed, an entry is reversed at most once, and a reason is required;
- a unique key or reversal written by another transaction between our check and
  our insert surfaces as an IntegrityError, which is a retryable race.

What differs (the accounts' balances, what "the same content" means, the error
codes people read) is given by each ledger: :class:`Journal` holds the models
and codes, the ledgers keep their own rules about amounts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, cast

from sqlalchemy import ColumnElement, FromClause, Row, Table, select, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Conflict, DomainError

CHUNK = 500  # rows per statement: well under SQLite's and asyncpg's bound-parameter limits


class EntryRow(Protocol):
    """What the core reads from an entry model (``LedgerEntry``, ``FundEntry``)."""

    id: int | None
    idempotency_key: str
    reverses_id: int | None


class Keyed(Protocol):
    """A posting: anything carrying the idempotency key of the entry it would write."""

    @property
    def idempotency_key(self) -> str: ...


E = TypeVar("E", bound=EntryRow)
A = TypeVar("A")
P = TypeVar("P", bound=Keyed)
T = TypeVar("T")


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterable[list[T]]:
    """``items`` in slices of ``size``, so no statement binds too many parameters."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


@dataclass(frozen=True)
class Journal(Generic[E, A]):
    """One ledger's tables and the catalogue codes its refusals are told in."""

    entry: type[E]
    account: type[A]
    account_key: str  # the account's unique key column, e.g. "household_id"
    amount: str  # the entry's signed amount column, e.g. "amount_fen"
    conflict_code: str  # the same idempotency key for other content
    race_code: str  # another transaction wrote the same key or reversal first
    cannot_reverse_code: str  # {entry_id}: the entry is itself a reversal
    already_reversed_code: str  # {entry_id, reversal_id}: reversed under another key
    reason_code: str  # a reversal without a reason

    @property
    def entries(self) -> Table:
        return cast(Table, self.entry.__table__)  # type: ignore[attr-defined]

    @property
    def accounts(self) -> Table:
        return cast(Table, self.account.__table__)  # type: ignore[attr-defined]

    # ------------------------------------------------------------ accounts

    async def insert_missing_accounts(
        self, session: AsyncSession, rows: Sequence[Mapping[str, object]]
    ) -> None:
        """Create the accounts in ``rows`` that do not exist yet; existing ones stay as they are.

        ``ON CONFLICT DO NOTHING`` rather than look-then-insert, so two writers
        opening the same account at once both succeed.
        """
        if not rows:
            return
        dialect = session.get_bind().dialect.name
        factory = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = factory(self.accounts).on_conflict_do_nothing(index_elements=[self.account_key])
        for batch in chunks(rows):
            await session.execute(stmt, batch)

    async def lock_accounts(self, session: AsyncSession, keys: Iterable[Any]) -> dict[Any, A]:
        """The accounts with these keys, locked until the transaction ends, freshly read.

        Locked in key order, chunk by chunk, so two writers locking overlapping
        sets queue instead of deadlocking. Missing accounts are simply absent.
        """
        key = self.accounts.c[self.account_key]
        found: dict[Any, A] = {}
        for chunk in chunks(sorted(set(keys))):
            query = (
                select(self.account)
                .where(key.in_(chunk))
                .order_by(key)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
            for account in await session.scalars(query):
                found[getattr(account, self.account_key)] = account
        return found

    async def lock_column(
        self, session: AsyncSession, keys: Iterable[Any], column: str
    ) -> dict[Any, Any]:
        """Like :meth:`lock_accounts`, reading one column only (the bulk path's balances).

        No ORM objects are built, which matters when a round locks ten thousand.
        """
        key = self.accounts.c[self.account_key]
        found: dict[Any, Any] = {}
        for chunk in chunks(sorted(set(keys))):
            rows = await session.execute(
                select(key, self.accounts.c[column])
                .where(key.in_(chunk))
                .order_by(key)
                .with_for_update()
            )
            found.update({k: value for k, value in rows})
        return found

    # ------------------------------------------------------------ idempotency

    def unique_postings(self, postings: Iterable[P]) -> dict[str, P]:
        """The postings by key; one key twice within one call must be the same posting."""
        by_key: dict[str, P] = {}
        for posting in postings:
            earlier = by_key.setdefault(posting.idempotency_key, posting)
            if earlier != posting:
                raise Conflict(self.conflict_code, key=posting.idempotency_key)
        return by_key

    async def earlier_entries(self, session: AsyncSession, keys: Sequence[str]) -> dict[str, E]:
        """The entries already written under any of ``keys``, by key."""
        column = self.entries.c.idempotency_key
        found: dict[str, E] = {}
        for chunk in chunks(keys):
            for entry in await session.scalars(select(self.entry).where(column.in_(chunk))):
                found[entry.idempotency_key] = entry
        return found

    def refuse_different(
        self, earlier: Mapping[str, E], wanted: Mapping[str, P], same: Callable[[E, P], bool]
    ) -> None:
        """Refuse when an earlier entry's key is reused for other content (``same`` decides)."""
        for key, entry in earlier.items():
            if key in wanted and not same(entry, wanted[key]):
                raise Conflict(self.conflict_code, key=key)

    async def take_earlier(
        self, session: AsyncSession, posting: P, same: Callable[[E, P], bool]
    ) -> E | None:
        """The entry already written for ``posting``'s key (then nothing is to be written).

        None when the key is new; refused when it was used for other content.
        """
        key = posting.idempotency_key
        earlier = await self.earlier_entries(session, [key])
        self.refuse_different(earlier, {key: posting}, same)
        return earlier.get(key)

    @contextmanager
    def race_guard(self) -> Iterator[None]:
        """Turn a unique-key violation at insert or flush into the ledger's retryable race.

        The checks above run before the insert; only a transaction committing
        the same key or reversal in between gets here.
        """
        try:
            yield
        except IntegrityError as error:
            raise Conflict(self.race_code) from error

    # ------------------------------------------------------------ reversals

    async def reversal_of(self, session: AsyncSession, entry_id: int) -> E | None:
        """The entry reversing ``entry_id``, if any (there is at most one: ``reverses_id`` is unique)."""
        column = self.entries.c.reverses_id
        return cast(E | None, await session.scalar(select(self.entry).where(column == entry_id)))

    async def check_reversible(
        self, session: AsyncSession, original: E, key: str, reason: str
    ) -> E | None:
        """Apply the reversal rules to undoing ``original`` under idempotency ``key``.

        A reversal is never reversed; an entry is reversed at most once, so a
        reversal under another key is refused while the same key returns the
        reversal already written (the request again); otherwise a reason is
        required. Returns that earlier reversal, or None when one may be written.
        """
        entry_id = original.id
        if original.reverses_id is not None:
            raise DomainError(self.cannot_reverse_code, entry_id=entry_id)
        assert entry_id is not None, "entry must be flushed first"
        already = await self.reversal_of(session, entry_id)
        if already is not None:
            if already.idempotency_key != key:
                raise Conflict(
                    self.already_reversed_code, entry_id=entry_id, reversal_id=already.id
                )
            return already
        if not reason.strip():
            raise DomainError(self.reason_code)
        return None

    async def broken_reversals(
        self,
        session: AsyncSession,
        same: Sequence[str],
        *,
        scope: Callable[[Table], ColumnElement[bool]] | None = None,
        also: Callable[[Table, FromClause], ColumnElement[bool]] | None = None,
    ) -> Sequence[Row[Any]]:
        """Entries (rows of the entry table, by id) whose reversal link is wrong.

        A reversal is broken when the entry it names is missing, is itself a
        reversal, has another amount than its negation, or differs in a column of
        ``same`` (the household, the elder…). ``scope`` limits the entries
        checked (one village's); ``also`` adds a ledger's own conditions, given
        the entry and original tables. One query, however long the journal.
        """
        entry = self.entries
        original = entry.alias("original")
        amount = self.amount
        wrong = (
            original.c.id.is_(None)
            | original.c.reverses_id.is_not(None)
            | (original.c[amount] != -entry.c[amount])
        )
        for name in same:
            wrong = wrong | original.c[name].is_distinct_from(entry.c[name])
        broken = entry.c.reverses_id.is_not(None) & wrong
        if also is not None:
            broken = broken | also(entry, original)
        query = (
            select(entry)
            .select_from(entry.outerjoin(original, entry.c.reverses_id == original.c.id))
            .where(broken, scope(entry) if scope is not None else true())
            .order_by(entry.c.id)
        )
        return (await session.execute(query)).all()
