"""Alembic environment of the hub: always runs on a connection handed in by counterdesk.hub.migrate."""
from alembic import context

from counterdesk.hub.migrate import VERSION_TABLE
from counterdesk.hub.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, version_table=VERSION_TABLE,
                  transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
