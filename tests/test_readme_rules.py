"""What the README tells a newcomer about the rules is what the product does: each number quoted
there is read from the README and compared with the setting's default."""
from __future__ import annotations

import re
from pathlib import Path

from counterdesk.base import settings as S

README = " ".join((Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8").split())
DEFAULTS = S.SettingsValues()


def test_older_customers_special_care_as_the_readme_says():
    said = re.search(r"a customer of (\d+) or over buying a high-risk product, R(\d) or R5 by default, gets the "
                     r"special care: at least (\d+) minutes", README)
    assert said, "the README no longer describes the special care for older customers"
    age, first_level, minutes = (int(g) for g in said.groups())
    assert age == DEFAULTS[S.SUIT_ELDERLY_AGE]
    assert first_level == DEFAULTS[S.SUIT_ELDERLY_MIN_RISK]
    assert minutes * 60 == DEFAULTS[S.SUIT_ELDERLY_READING_SECONDS]


def test_sign_in_and_lock_numbers_as_the_readme_says():
    said = re.search(r"(\d+) failed sign-ins lock an account for (\d+) minutes; the screen locks after (\d+) minutes "
                     r"idle", README)
    assert said
    attempts, lockout, idle = (int(g) for g in said.groups())
    assert (attempts, lockout, idle * 60) == (DEFAULTS[S.MAX_FAILED_ATTEMPTS], DEFAULTS[S.LOCKOUT_MINUTES],
                                              DEFAULTS[S.IDLE_LOCK_SECONDS])


def test_list_age_as_the_readme_says():
    said = re.search(r"after `sanctions.max_list_age_days` \((\d+)\)", README)
    assert said and int(said.group(1)) == DEFAULTS[S.SANCTIONS_MAX_LIST_AGE_DAYS]
