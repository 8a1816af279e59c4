"""The signed, tamper-evident confirmation PDF of a counter-session sale (Qt-free core).

render.render_confirmation builds the PDF (reportlab, embedded CJK font); signing.sign_pdf signs it
with the branch certificate (PAdES B-LT with an RFC 3161 timestamp, or B marked "no trusted timestamp
yet", pyHanko); timestamps.py gets the timestamp and upgrades the ones issued without; signing.verify_pdf
says whether a file was changed after signing, who signed it, whether it carries a trusted timestamp
and which evidence hash it carries; certstore.py keeps the branch certificates, lookup.py what the
store recorded about an issued confirmation.
"""
from counterdesk.services.confirmation.render import ConfirmationData, evidence_payload, render_confirmation

__all__ = ["ConfirmationData", "evidence_payload", "render_confirmation"]
