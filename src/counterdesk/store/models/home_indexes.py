"""The index the teller's home reads by (migration 0027): its count of the teller's returned and
awaiting sign-offs (services/reports/today.py) looks up those two statuses for one teller in the index,
which alone answers it (covering), instead of scanning every sign-off. Declared here so that the models
match the migrated schema."""
from __future__ import annotations

from sqlalchemy import Index

from counterdesk.store.models.signoff import Signoff

G = Signoff.__table__.c

INDEXES = (Index("ix_signoffs_status_teller", G.status, G.teller_id),)
