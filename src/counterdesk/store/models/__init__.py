"""Every table of the workstation's database, one module per area. Importing this package puts all
of them on ``Base.metadata`` (migrations and the outbox need the whole schema, whatever else a
process has imported)."""
from counterdesk.store.models import (  # noqa: F401
    anchoring,
    assessment,
    catalog,
    complaints,
    confirmation,
    core,
    customers,
    data_rights,
    due_diligence,
    evaluations,
    follow_up_indexes,
    follow_ups,
    home_indexes,
    ledger,
    mfa,
    report_daily,
    report_indexes,
    sales,
    sanctions,
    signoff,
    sync,
)
