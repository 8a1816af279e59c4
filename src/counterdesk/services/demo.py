"""The DEMO branch: demo users plus the bundled, fictional sanctions sample, so a newcomer can walk
a whole identification at once. The sample carries no publication date of its own, so it is loaded
as published on the day the demo is created; after sanctions.max_list_age_days the demo shows the
freshness rule at work until an administrator imports a list again. The demo supervisor and
administrator share the published DEMO authenticator key (vault.DEMO_TOTP_SECRET), which
`counterdesk-admin demo` and the sign-in screen show."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from counterdesk.base.paths import resources_dir
from counterdesk.services.auth import totp
from counterdesk.services.auth.vault import DEMO_TOTP_SECRET, DEMO_USERS, Vault, preload_reference_data
from counterdesk.services.sanctions import lists

DEMO_LIST = "opensanctions_targets_sample.simple.csv"
DEMO_CATALOG = "demo_catalog.csv"


def create_demo(root: Path | str) -> tuple[Vault, str]:
    preload_reference_data()  # the demo imports most of the core: never at the same time as a warm-up
    vault, recovery_key = Vault.create_demo(root)

    admin_user = DEMO_USERS[0]
    # The set-up signs in as the demo administrator would, authenticator code included.
    admin = vault.sign_in(admin_user.username, admin_user.password, totp.current_code(DEMO_TOTP_SECRET))
    try:
        lists.import_paths(vault, admin, [resources_dir() / "sanctions" / DEMO_LIST], fmt="os-csv",
                           source="DEMO sample (fictional)", published=datetime.now(UTC).date())
        from counterdesk.services.catalog import versions  # the demo catalog: fictional products of every type, R1-R5
        versions.import_file(vault, admin, resources_dir() / "catalog" / DEMO_CATALOG, note="DEMO catalog (fictional)")
        from counterdesk.services.catalog import (
            licences,  # the demo teller: licensed for all but precious metals (shows the rule)
        )
        licences.grant_demo_licences(vault, admin, DEMO_USERS[1].username)
        from counterdesk.services.confirmation.certstore import install_demo_certificate  # signs the demo confirmations
        install_demo_certificate(vault, admin)
    finally:
        vault.sign_out(admin, "demo_setup")
    return vault, recovery_key
