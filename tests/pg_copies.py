"""PostgreSQL test databases: copies of the migrated template, emptied after a test and used again.

Copying the template (CREATE DATABASE ... TEMPLATE) costs the server about 0.6 s of CPU, mostly
for the system catalogs every database carries: more than most tests themselves, and ~530 tests
ask for one. Emptying the database a test has just used costs a few milliseconds, so each worker
keeps its copy and hands it to its next test, as new as a fresh copy:

- it gets a new name first (the old one no longer exists, as after a DROP): a client the test left
  behind (a background thread of its app) cannot reach it any more, let alone write into the next
  test's data;
- its schema must still be the template's (a fingerprint of the catalogs: tables, columns,
  constraints, indexes, triggers, functions, types, the database's own settings); a test that
  changed it (CREATE TABLE, ALTER DATABASE ...) has its copy dropped, and the next test gets a new one;
- every table the template holds no row of is emptied, triggers off (the audit log is append-only
  for the application, not for the test harness); tables the template has rows in (alembic_version)
  must hold exactly those rows, else the copy is dropped;
- every sequence goes back to where the template's stands, so ids start at 1 again.

Anything unexpected while doing so drops the copy instead: the next test then pays for a new one.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass

import psycopg
from psycopg import sql

# Every user-made object and setting of a database, by name (stable from one copy to the next).
_CATALOG = """
SELECT md5(string_agg(item, E'\\n' ORDER BY item)) FROM (
  SELECT 'rel ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text || c.relpersistence::text || ' '
         || c.relrowsecurity AS item
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
  UNION ALL
  SELECT 'col ' || a.attrelid::regclass || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
         || ' ' || a.attnotnull || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE a.attnum > 0 AND NOT a.attisdropped
     AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
  UNION ALL
  SELECT 'con ' || conrelid::regclass || '.' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
   WHERE connamespace NOT IN (SELECT oid FROM pg_namespace WHERE nspname IN ('pg_catalog', 'information_schema'))
  UNION ALL
  SELECT 'idx ' || pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid::regclass::text NOT LIKE 'pg\\_%'
  UNION ALL
  SELECT 'trg ' || tgrelid::regclass || ' ' || tgenabled::text || ' ' || pg_get_triggerdef(oid)
    FROM pg_trigger WHERE NOT tgisinternal
  UNION ALL
  SELECT 'fn ' || p.oid::regprocedure || ' ' || md5(p.prosrc)
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  UNION ALL
  SELECT 'type ' || t.oid::regtype || ' ' || t.typtype::text
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
  UNION ALL
  SELECT 'enum ' || enumtypid::regtype || ' ' || enumsortorder || ' ' || enumlabel FROM pg_enum
  UNION ALL
  SELECT 'view ' || c.oid::regclass || ' ' || md5(pg_get_viewdef(c.oid)) FROM pg_class c
   WHERE c.relkind IN ('v', 'm')
     AND c.relnamespace NOT IN (SELECT oid FROM pg_namespace WHERE nspname IN ('pg_catalog', 'information_schema'))
  UNION ALL SELECT 'ns ' || nspname FROM pg_namespace
  UNION ALL SELECT 'ext ' || extname || ' ' || extversion FROM pg_extension
  UNION ALL SELECT 'evt ' || evtname FROM pg_event_trigger
  UNION ALL SELECT 'pol ' || polrelid::regclass || '.' || polname FROM pg_policy
  UNION ALL SELECT 'rule ' || ev_class::regclass || '.' || rulename FROM pg_rewrite
   WHERE ev_class::regclass::text NOT LIKE 'pg\\_%' AND rulename <> '_RETURN'
  UNION ALL SELECT 'seq ' || schemaname || '.' || sequencename || ' ' || data_type::text || ' ' || start_value || ' '
         || increment_by || ' ' || min_value || ' ' || max_value || ' ' || cycle FROM pg_sequences
  UNION ALL SELECT 'lo ' || count(*) FROM pg_largeobject_metadata
  UNION ALL SELECT 'set ' || array_to_string(setconfig, ',') FROM pg_db_role_setting
   WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
) AS catalog
"""
_TABLES = ("SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables "
           "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")
_SEQUENCES = ("SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), start_value, last_value "
              "FROM pg_sequences ORDER BY 1")


def _rows_digest(conn: psycopg.Connection, table: str) -> str:
    query = sql.SQL("SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {} AS t")
    return str(conn.execute(query.format(sql.SQL(table))).fetchone()[0])  # type: ignore[index]


@dataclass(frozen=True)
class _Template:
    catalog: str
    empty_tables: tuple[str, ...]
    seeded: dict[str, str]  # table -> digest of the rows the template holds
    sequences: tuple[tuple[str, int, int | None], ...]  # name, start, last value (None: never used)

    @classmethod
    def read(cls, url: str) -> _Template:
        with psycopg.connect(url, autocommit=True) as conn:
            empty, seeded = [], {}
            for (table,) in conn.execute(_TABLES).fetchall():
                if conn.execute(sql.SQL("SELECT EXISTS (SELECT FROM {})").format(sql.SQL(table))).fetchone()[0]:  # type: ignore[index]
                    seeded[table] = _rows_digest(conn, table)
                else:
                    empty.append(table)
            sequences = tuple((str(n), int(s), None if v is None else int(v))
                              for n, s, v in conn.execute(_SEQUENCES).fetchall())
            return cls(str(conn.execute(_CATALOG).fetchone()[0]), tuple(empty), seeded, sequences)  # type: ignore[index]


class PgCopies:
    """One worker's copies of `template` on the server at `url_for(name)`; `take()`, then `give_back(name)`."""

    def __init__(self, admin_url: str, url_for, template: str, prefix: str) -> None:  # type: ignore[no-untyped-def]
        self.admin_url, self.url_for, self.template, self.prefix = admin_url, url_for, template, prefix
        self.shape = _Template.read(url_for(template))  # read before copying: a template must have no session
        self.ready: list[str] = []

    def _admin(self) -> psycopg.Connection:
        return psycopg.connect(self.admin_url, autocommit=True)

    def _new_name(self) -> str:
        return f"{self.prefix}_{uuid.uuid4().hex[:8]}"

    def take(self) -> str:
        if self.ready:
            return self.ready.pop()
        name = self._new_name()
        with self._admin() as admin:
            admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name),
                                                                         sql.Identifier(self.template)))
        return name

    def give_back(self, name: str) -> None:
        try:
            renamed = self._rename(name)
        except psycopg.Error:
            self.drop(name)
            return
        try:
            self._empty(renamed)
        except (psycopg.Error, AssertionError):
            self.drop(renamed)
            return
        self.ready.append(renamed)

    def _rename(self, name: str) -> str:
        """Close every session on it (waiting for each to end), then rename it."""
        renamed = self._new_name()
        with self._admin() as admin:
            for _attempt in range(20):
                admin.execute("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                              "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
                try:
                    admin.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(name),
                                                                                 sql.Identifier(renamed)))
                    return renamed
                except psycopg.errors.ObjectInUse:  # a client connected again meanwhile
                    continue
        raise psycopg.errors.ObjectInUse(f"{name} kept getting new sessions")

    def _empty(self, name: str) -> None:
        shape = self.shape
        with psycopg.connect(self.url_for(name)) as conn:
            assert conn.execute(_CATALOG).fetchone()[0] == shape.catalog, "schema changed"  # type: ignore[index]
            for table, digest in shape.seeded.items():
                assert _rows_digest(conn, table) == digest, f"{table} changed"
            conn.execute("SET LOCAL session_replication_role = replica")  # no trigger: neither FKs nor append-only
            conn.execute(sql.SQL("; ").join(sql.SQL("DELETE FROM {}").format(sql.SQL(t)) for t in shape.empty_tables))
            if shape.sequences:
                conn.execute(sql.SQL("SELECT {}").format(sql.SQL(", ").join(
                    sql.SQL("setval({}, {}, {})").format(sql.Literal(n), sql.Literal(s if v is None else v),
                                                         sql.Literal(v is not None))
                    for n, s, v in shape.sequences)))
            conn.commit()

    def drop(self, name: str) -> None:
        with self._admin() as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def close(self) -> None:
        for name in self.ready:
            with contextlib.suppress(psycopg.Error):
                self.drop(name)
        self.ready.clear()
