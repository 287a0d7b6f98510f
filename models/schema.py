"""The schema revision this version of circles writes.

Opening a store compares the store's alembic_version with it, so a store that is already up
to date opens without loading Alembic, and the app's first look at a SQLite store can tell
whether it may read it. tests/test_migrations.py checks it names the newest revision in
models/migrations: a new migration must update it.
"""

SCHEMA_HEAD = "0350"
