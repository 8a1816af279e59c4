"""Alembic environment: always runs on a connection handed in by counterdesk.store.migrate."""
from alembic import context

from counterdesk.store.models.core import Base
import counterdesk.store.models.customers  # noqa: F401  (puts the customer tables on Base.metadata)
import counterdesk.store.models.sanctions  # noqa: F401  (puts the sanctions tables on Base.metadata)
import counterdesk.store.models.catalog  # noqa: F401  (puts the catalog and licence tables on Base.metadata)
import counterdesk.store.models.assessment  # noqa: F401  (puts the assessment tables on Base.metadata)
import counterdesk.store.models.sales  # noqa: F401  (puts the sale decisions on Base.metadata)
import counterdesk.store.models.confirmation  # noqa: F401  (puts the branch certificates on Base.metadata)
import counterdesk.store.models.signoff  # noqa: F401  (puts the sign-off tables on Base.metadata)
import counterdesk.store.models.sync  # noqa: F401  (puts the sync tables on Base.metadata; installs the outbox hook)

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                  transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
