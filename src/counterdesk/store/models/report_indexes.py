"""Covering indexes on the time columns the branch dashboard filters by (migration 0021): declared here,
beside the tables of several areas they belong to, so that the models match the migrated schema."""
from __future__ import annotations

from sqlalchemy import Index

from counterdesk.store.models.assessment import Assessment
from counterdesk.store.models.complaints import Complaint
from counterdesk.store.models.customers import CounterSessionRecord
from counterdesk.store.models.sales import SaleDecision
from counterdesk.store.models.signoff import ApprovalRequest, CoolingOffCancellation, Signoff

S, D, A = CounterSessionRecord.__table__.c, SaleDecision.__table__.c, ApprovalRequest.__table__.c
G, Q = Signoff.__table__.c, Assessment.__table__.c

INDEXES = (
    Index("ix_counter_sessions_created", S.created_at, S.teller_id, S.status, S.updated_at),
    Index("ix_sale_decisions_decided", D.decided_at, D.decided_by, D.customer_initiated, D.outcome,
          D.assessment_id, D.session_id),
    Index("ix_signoffs_created", G.created_at, G.teller_id, G.signed_at, G.completed_at, G.id),
    Index("ix_signoffs_completed", G.completed_at, G.teller_id, G.cooling_off_until),
    Index("ix_approval_requests_requested", A.requested_at, A.requested_by, A.status, A.decided_at),
    Index("ix_assessments_completed_by", Q.completed_at, Q.created_by, Q.status, Q.created_at, Q.session_id),
    Index("ix_cooling_off_cancellations_recorded", CoolingOffCancellation.__table__.c.recorded_at),
    Index("ix_complaints_received", Complaint.__table__.c.received_at, Complaint.__table__.c.owner_id,
          Complaint.__table__.c.status),
)
