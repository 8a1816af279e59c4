"""The signed, tamper-evident confirmation PDF of a counter-session sale (Qt-free core).

render.render_confirmation builds the PDF (reportlab, embedded CJK font); signing.sign_pdf signs it
with the branch certificate (PAdES baseline B, pyHanko); signing.verify_pdf says whether a file was
changed after signing and which evidence hash it carries.
"""
from counterdesk.services.confirmation.render import ConfirmationData, evidence_payload, render_confirmation

__all__ = ["ConfirmationData", "evidence_payload", "render_confirmation"]
