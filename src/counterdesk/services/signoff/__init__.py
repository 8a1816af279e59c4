"""Disclosure sign-off: what the customer read, consented to, typed and signed; the teller's
attestation; supervisor approval; the evidence chain; the signed confirmation; cooling-off."""
