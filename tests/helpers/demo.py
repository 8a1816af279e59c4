"""The DEMO branch's users and their passwords, and how long GUI tests wait for anything."""
from counterdesk.services.auth.vault import DEMO_USERS

PASSWORDS = {u.username: u.password for u in DEMO_USERS}
WAIT = 15_000  # ms; tests wait with qtbot.waitUntil, this is only the upper bound
