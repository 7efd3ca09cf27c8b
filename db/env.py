"""Alembic environment for pmtool. Run through `pmtool init` / `pmtool db upgrade`.

The caller passes an open connection in ``config.attributes["connection"]``; SQLite
migrations run in batch mode so that ALTER TABLE works.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import pmtool.models  # noqa: F401  (registers the tables on the metadata)
from pmtool.models.base import metadata

config = context.config


def run_migrations(connection) -> None:  # type: ignore[no-untyped-def]
    if connection.dialect.name == "sqlite":
        # Batch mode renames a rebuilt table into place; without this, SQLite refuses the
        # rename because the views (v_task, v_sprint) name the table being replaced.
        connection.exec_driver_sql("PRAGMA legacy_alter_table=ON")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    # Direct use of the alembic command line (developers): sqlalchemy.url from the ini.
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.begin() as direct_connection:
        run_migrations(direct_connection)


main()
