"""Customer data for the identification step: versioned KYC answers, documents, name search,
consent, counter sessions, masking and the AML customer risk rating. Qt-free.

The public API lives in ``counterdesk.services.customers.repository`` (and ``masking``, ``aml``); this
package file stays light so importing ``counterdesk.services.customers.masking`` does not pull in SQLAlchemy.
"""
