"""Alembic environment: always runs on a connection handed in by counterdesk.store.migrate."""
from alembic import context

import counterdesk.store.models.assessment
import counterdesk.store.models.catalog
import counterdesk.store.models.confirmation
import counterdesk.store.models.customers
import counterdesk.store.models.sales
import counterdesk.store.models.sanctions
import counterdesk.store.models.signoff
import counterdesk.store.models.sync  # noqa: F401  (puts the sync tables on Base.metadata; installs the outbox hook)
from counterdesk.store.models.core import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                  transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
