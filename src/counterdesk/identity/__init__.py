"""Identity documents for the customer-identification step (Qt-free).

Entry points for the flow and the UI:
  documents.check_document(doc_type, number, *, issue_date, expiry, mrz, typed, today) -> DocumentCheck
  documents.normalise_number(doc_type, text) -> str
  documents.check_read(read, *, today) -> DocumentCheck
  readers.SimulatorReader, readers.WedgeParser, readers.looks_like_scanner_burst
Lower layers: resident_id, mrz, permits, validity, gb2260 (the bundled GB/T 2260 table).
"""
from counterdesk.identity.documents import (
    DocumentCheck,
    DocumentType,
    ParsedDocument,
    check_document,
    check_read,
    guess_document_type,
    normalise_number,
)
from counterdesk.identity.mrz import MRZ, Names, compare_mrz, parse_mrz
from counterdesk.identity.readers import (
    DocumentRead,
    DocumentReader,
    ReaderError,
    SimulatorReader,
    WedgeParser,
    looks_like_scanner_burst,
)

__all__ = [
    "MRZ",
    "DocumentCheck",
    "DocumentRead",
    "DocumentReader",
    "DocumentType",
    "Names",
    "ParsedDocument",
    "ReaderError",
    "SimulatorReader",
    "WedgeParser",
    "check_document",
    "check_read",
    "compare_mrz",
    "guess_document_type",
    "looks_like_scanner_burst",
    "normalise_number",
    "parse_mrz",
]
