"""Search: one SearchBackend interface, database backends and Meilisearch, fed by an outbox."""
