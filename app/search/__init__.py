"""Search: one SearchBackend interface, database backends and Meilisearch, fed by an outbox.

Backends (settings.search.backend):
- "database": SQLite FTS5 (unicode61, diacritics removed) on SQLite, PostgreSQL
  full-text (the thread's language's stemmer plus 'simple', unaccented) on
  PostgreSQL. The index lives in the forum's database (database.py).
- "meilisearch": the production engine (meili.py). The database index is kept
  too, as the fallback while Meilisearch is down (the page then says so).

What each forgives:
- database backends: case and accents ("lormétazépam" = "LORMETAZEPAM"),
  word endings (each term is cut to its FR/NL/EN Snowball stem: "klachten"
  finds "klacht"), unfinished words (every term is a prefix), stopwords;
  PostgreSQL also stems the documents in their thread's language. Typos are
  not forgiven, but a query that finds nothing gets a "did you mean" built from
  the indexed vocabulary (suggest.py: one typo from 4 letters, two from 8, same
  first letter).
- Meilisearch: the same folding, plus typos within words (one from 4 letters,
  two from 8), word proximity and prefix search on the last word; no stemming.

Never found: held, hidden and deleted posts, posts of threads that are not
published, members-only categories for visitors, diaries (never indexed). The
index holds only published posts, and every query is filtered again against
the live tables, so a post hidden a moment ago is gone before the worker ran.

Indexing: every change writes search_outbox rows in its own transaction
(outbox.py, also through a flush listener); worker.py applies them, in-process
after each commit (settings.search.worker = "inprocess") or by `forum worker`.
`forum search reindex` rebuilds an index, `forum search check` reports drift.
"""
