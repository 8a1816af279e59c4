"""Indexes the follow-up list reads by (migration 0026), on tables of other areas: declared here so
that the models match the migrated schema."""
from __future__ import annotations

from sqlalchemy import Index

from counterdesk.store.models.assessment import Assessment
from counterdesk.store.models.signoff import FollowUpTask, Signoff

T, Q, G = FollowUpTask.__table__.c, Assessment.__table__.c, Signoff.__table__.c

INDEXES = (
    # A teller's (or the branch's) open post-sale tasks.
    Index("ix_follow_up_tasks_open", T.status, T.seller_id, T.due_at, T.signoff_id, T.id),
    # Assessments completed in the window (covering), and those whose stored end falls in it.
    Index("ix_assessments_expiring", Q.completed_at, Q.status, Q.created_by, Q.customer_id, Q.valid_until, Q.id),
    Index("ix_assessments_valid_until", Q.valid_until, Q.created_by, Q.status),
    # Sales whose cooling-off period ended (or runs): covering for the missing-task check.
    Index("ix_signoffs_cooling_off", G.cooling_off_until, G.status, G.id),
)
