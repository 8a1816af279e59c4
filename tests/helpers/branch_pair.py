"""Two workstations of one new branch, enrolled at an in-process hub: the start of every test that
follows a record from workstation A to workstation B."""
from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from counterdesk.base.actors import SignedInUser
from counterdesk.services.auth.vault import Vault
from counterdesk.services.sync.client import SyncClient
from counterdesk.services.sync.enrol import enrol, make_enrol_code
from helpers.demo import PASSWORDS, totp_code
from test_sync_hub import HUB, PortalTransport


@contextmanager
def enrolled_pair(hub, folder: Callable[[str], Path], template: Path) -> Iterator[
        tuple[str, list[tuple[Vault, SignedInUser, SyncClient]]]]:
    """(branch code, [(vault, admin, client)] for A and B), copies of ``template`` in ``folder("a")`` and
    ``folder("b")``; A enrols with the branch's first code and hands B its code, as at a real counter.
    Closed afterwards."""
    transport = PortalTransport(hub)
    branch = hub.add_branch()
    opened: list[tuple[Vault, SignedInUser, SyncClient]] = []
    try:
        for name in ("a", "b"):
            root = folder(name)
            shutil.copytree(template, root)
            vault = Vault.open(root)
            admin = vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
            code = hub.first_code(branch) if not opened else make_enrol_code(opened[0][0], opened[0][1],
                                                                             transport=transport).code
            enrol(vault, admin, HUB, code, name=f"柜台 {name.upper()}", branch_code=branch, transport=transport)
            opened.append((vault, admin, SyncClient(vault, admin, transport=transport)))
        yield branch, opened
    finally:
        for vault, _admin, client in opened:
            client.close()
            vault.close()
