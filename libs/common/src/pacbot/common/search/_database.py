"""Search answered from the owning service's database, for embedded mode."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from sqlalchemy import JSON, Column, MetaData, String, Table, Text, delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from pacbot.common.db import Database
from pacbot.common.search._base import FACET_FIELDS, SearchPage, SearchQuery, search_document


def search_table(metadata: MetaData) -> Table:
    """The ``search_documents`` table inside the owning service's metadata."""
    return Table(
        "search_documents",
        metadata,
        Column("asset_id", String(512), primary_key=True),
        Column("account_id", String(32), nullable=False, index=True),
        Column("region", String(32), nullable=False, index=True),
        Column("resource_type", String(128), nullable=False, index=True),
        Column("deleted", String(5), nullable=False),
        Column("haystack", Text, nullable=False),
        Column("document", JSON, nullable=False),
    )


class DatabaseAssets:
    """The same contract as OpenSearch, with LIKE matching and GROUP BY facets."""

    def __init__(self, db: Database, table: Table) -> None:
        self.db = db
        self.table = table

    async def start(self) -> None:
        """Nothing to connect; the table comes with the service's migrations."""

    async def stop(self) -> None:
        """Nothing to close."""

    async def index(self, asset: dict[str, Any]) -> None:
        """Upsert one asset document."""
        doc = search_document(asset)
        row = {
            "asset_id": doc["asset_id"],
            "account_id": doc["account_id"],
            "region": doc["region"],
            "resource_type": doc["resource_type"],
            "deleted": doc["deleted"],
            "haystack": " ".join([doc["name"], doc["asset_id"], *doc["tag_pairs"]]).lower(),
            "document": doc,
        }
        insert = pg_insert if self.db.is_postgres else sqlite_insert
        stmt = insert(self.table).values(**row)
        stmt = stmt.on_conflict_do_update(index_elements=["asset_id"], set_=row)
        async with self.db.session() as session:
            await session.execute(stmt)

    async def remove(self, asset_id: str) -> None:
        """Drop an asset document."""
        async with self.db.session() as session:
            await session.execute(delete(self.table).where(self.table.c.asset_id == asset_id))

    async def search(self, query: SearchQuery) -> SearchPage:
        """Every word must appear in name, id or tags; filters are exact."""
        t = self.table
        conditions = []
        for word in (query.text or "").lower().split():
            conditions.append(t.c.haystack.contains(word, autoescape=True))
        for field, values in query.filters.items():
            if field == "tag_pairs":
                conditions.append(
                    or_(*(t.c.haystack.contains(v.lower(), autoescape=True) for v in values))
                )
            else:
                conditions.append(t.c[field].in_(list(values)))
        async with self.db.session() as session:
            total = await session.scalar(select(func.count()).select_from(t).where(*conditions))
            rows = await session.scalars(
                select(t.c.document)
                .where(*conditions)
                .order_by(t.c.asset_id)
                .offset(query.offset)
                .limit(query.size)
            )
            docs = await session.scalars(select(t.c.document).where(*conditions))
            facets: dict[str, Counter[str]] = {f: Counter() for f in FACET_FIELDS}
            for doc in docs:
                doc = json.loads(doc) if isinstance(doc, str) else doc
                for f in FACET_FIELDS:
                    values = doc[f] if isinstance(doc[f], list) else [doc[f]]
                    facets[f].update(values)
            items = [json.loads(d) if isinstance(d, str) else d for d in rows]
        return SearchPage(int(total or 0), items, {f: dict(c) for f, c in facets.items()})

    async def ping(self) -> bool:
        """True when the database answers."""
        return await self.db.ping()
