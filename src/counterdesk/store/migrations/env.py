"""Alembic environment: always runs on a connection handed in by counterdesk.store.migrate."""
from alembic import context

from counterdesk.store.models import Base
import counterdesk.customers.models  # noqa: F401  (puts the customer tables on Base.metadata)
import counterdesk.sanctions.models  # noqa: F401  (puts the sanctions tables on Base.metadata)
import counterdesk.catalog.models  # noqa: F401  (puts the catalog and licence tables on Base.metadata)
import counterdesk.assessment.models  # noqa: F401  (puts the assessment tables on Base.metadata)
import counterdesk.sales.models  # noqa: F401  (puts the sale decisions on Base.metadata)
import counterdesk.confirmation.models  # noqa: F401  (puts the branch certificates on Base.metadata)
import counterdesk.signoff.models  # noqa: F401  (puts the sign-off tables on Base.metadata)
import counterdesk.sync.models  # noqa: F401  (puts the sync tables on Base.metadata; installs the outbox hook)

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                  transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
