"""The screening benchmarks' end-to-end setting: a DEMO store with the users signed in as at the
counter. The demo administrator has the published DEMO second factor, so the benchmark plays the
authenticator app (pyotp) for its code; the product then checks the code as it checks any."""
from __future__ import annotations

from pathlib import Path

import pyotp


def demo_store(folder: Path):
    """(vault, admin, teller): a fresh DEMO store, signed in."""
    from counterdesk.services.auth.vault import DEMO_USERS, Vault
    vault, _ = Vault.create_demo(folder)
    users = {u.username: u for u in DEMO_USERS}
    admin, teller = users["admin"], users["teller"]
    code = pyotp.TOTP(admin.totp_secret).now() if admin.totp_secret else None
    return vault, vault.sign_in(admin.username, admin.password, code), vault.sign_in(teller.username, teller.password)
