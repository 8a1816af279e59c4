"""Typed settings: declared once, validated into structured problems, audited, mirrored pre-auth."""
from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from counterdesk.base import settings as S
from counterdesk.base.roles import PermissionDenied
from counterdesk.base.text import Problem, Text, ValidationFailed
from counterdesk.services import verification
from counterdesk.services.auth.vault import Vault
from counterdesk.store import audit
from helpers.demo import PASSWORDS, totp_code

DECLARED = S.declared()


def test_settings_are_declared():
    assert {"ui.language", "auth.password_min_length", "auth.max_failed_attempts", "auth.lockout_minutes",
            "auth.idle_lock_seconds"} <= set(DECLARED)
    # domain defaults
    assert DECLARED["auth.max_failed_attempts"].default == 5
    assert DECLARED["auth.lockout_minutes"].default == 15
    assert DECLARED["auth.password_min_length"].default >= 8


@pytest.mark.parametrize("key", sorted(DECLARED))
def test_every_default_validates_and_is_described(key):
    setting = DECLARED[key]
    assert setting.key == key
    assert setting.validate(setting.default).ok
    assert setting.validate(setting.default).problems == []
    assert isinstance(setting.default, setting.type)
    assert setting.description.zh.strip() and setting.description.en.strip()
    if setting.minimum is not None and setting.maximum is not None:
        assert setting.minimum <= setting.default <= setting.maximum
    if setting.choices is not None:
        assert setting.default in setting.choices


def test_declaring_twice_or_with_a_bad_default_is_refused():
    with pytest.raises(ValueError, match="twice"):
        S.declare(S.Setting("ui.language", str, "en", Text("x", "x")))
    with pytest.raises(ValueError, match="bounds"):
        S.declare(S.Setting("test.bad_default", int, 0, Text("x", "x"), minimum=1))
    assert "test.bad_default" not in S.declared()


def _only_problem(result, key) -> Problem:
    assert not result.ok
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert isinstance(problem, Problem) and problem.field == key and problem.severity == "error"
    assert problem.message("zh") and problem.message("en")
    return problem


@pytest.mark.parametrize("key,value,code", [
    ("auth.lockout_minutes", "15", "type"),
    ("auth.lockout_minutes", 15.0, "type"),
    ("auth.lockout_minutes", True, "type"),  # a bool is not an int here
    ("auth.lockout_minutes", None, "type"),
    ("auth.lockout_minutes", 0, "min"),
    ("auth.lockout_minutes", 1441, "max"),
    ("auth.max_failed_attempts", -3, "min"),
    ("auth.max_failed_attempts", 21, "max"),
    ("auth.password_min_length", 7, "min"),
    ("auth.idle_lock_seconds", 3601, "max"),
    ("ui.language", "fr", "choice"),
    ("ui.language", 1, "type"),
])
def test_type_and_bounds_errors_are_structured(key, value, code):
    problem = _only_problem(DECLARED[key].validate(value), key)
    assert problem.code == code


def test_bound_messages_name_the_bound():
    problem = _only_problem(DECLARED["auth.lockout_minutes"].validate(0), "auth.lockout_minutes")
    assert "1" in problem.message("en") and "1" in problem.message("zh")
    problem = _only_problem(DECLARED["ui.language"].validate("fr"), "ui.language")
    assert "zh_CN" in problem.message("en") and "en" in problem.message("en")


@hsettings(max_examples=200, deadline=None)
@given(key=st.sampled_from(sorted(DECLARED)),
       value=st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=10),
                       st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers())))
def test_validate_never_raises_and_accepts_only_the_declared_type(key, value):
    setting = DECLARED[key]
    result = setting.validate(value)
    if result.ok:
        assert isinstance(value, setting.type) and not (setting.type is int and isinstance(value, bool))
        if setting.minimum is not None:
            assert value >= setting.minimum
        if setting.maximum is not None:
            assert value <= setting.maximum
        if setting.choices is not None:
            assert value in setting.choices
        if setting.pattern is not None:
            assert re.fullmatch(setting.pattern, value)
    else:
        assert all(p.field == key and p.code in {"type", "min", "max", "choice", "format"} for p in result.problems)


def test_parse_command_line_values():
    assert DECLARED["auth.lockout_minutes"].parse(" 30 ") == 30
    with pytest.raises(ValueError):
        DECLARED["auth.lockout_minutes"].parse("thirty")
    flag = S.Setting("x.flag", bool, False, Text("x", "x"))
    assert [flag.parse(v) for v in ("yes", "On", "1", "false", "NO", "0")] == [True, True, True, False, False, False]
    with pytest.raises(ValueError):
        flag.parse("maybe")


def test_settings_values_fall_back_to_defaults_for_bad_stored_values():
    values = S.SettingsValues({"auth.lockout_minutes": 30, "auth.max_failed_attempts": "7",
                               "auth.idle_lock_seconds": 0, "no.such.key": 1})
    assert values[S.LOCKOUT_MINUTES] == 30
    assert values["auth.max_failed_attempts"] == 5
    assert values["auth.idle_lock_seconds"] == 300
    assert "no.such.key" not in values.as_dict()
    assert set(values.pre_auth()) == {k for k, s in DECLARED.items() if s.pre_auth}
    assert "auth.password_min_length" not in values.pre_auth()


# ---- through the vault ------------------------------------------------------------------------------

def _install_json(vault: Vault) -> dict:
    return json.loads(vault.data.install_file.read_text(encoding="utf-8"))


def test_set_setting_writes_an_audit_entry_and_mirrors_pre_auth(demo_vault, sign_in):
    us = sign_in("admin")
    assert _install_json(demo_vault)["pre_auth_settings"]["auth.lockout_minutes"] == 15

    demo_vault.set_setting(us, "auth.lockout_minutes", 30)
    assert demo_vault.settings()[S.LOCKOUT_MINUTES] == 30
    entry = demo_vault.transact(lambda s: audit.recent(s, 1)[0])
    assert entry.action == "settings.changed"
    assert entry.object_type == "setting" and entry.object_id == "auth.lockout_minutes"
    assert json.loads(entry.details) == {"old": 15, "new": 30}
    assert entry.actor_id == us.user_id
    assert _install_json(demo_vault)["pre_auth_settings"]["auth.lockout_minutes"] == 30

    # A setting that is not needed before sign-in stays in the encrypted database only.
    demo_vault.set_setting(us, "auth.password_min_length", 14)
    assert "auth.password_min_length" not in _install_json(demo_vault)["pre_auth_settings"]
    assert "14" not in json.dumps(_install_json(demo_vault)["pre_auth_settings"])
    entry = demo_vault.transact(lambda s: audit.recent(s, 1)[0])
    assert (entry.object_id, json.loads(entry.details)) == ("auth.password_min_length", {"old": 12, "new": 14})
    assert verification.verify(demo_vault, us).ok

    # Persisted: a new process sees the pre-auth value before sign-in and the rest after it.
    demo_vault.sign_out(us)
    fresh = Vault.open(demo_vault.data.root)
    assert fresh.pre_auth_settings()[S.LOCKOUT_MINUTES] == 30
    assert fresh.pre_auth_settings()[S.PASSWORD_MIN_LENGTH] == 12  # not known before sign-in
    us = fresh.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    assert fresh.settings()[S.PASSWORD_MIN_LENGTH] == 14
    fresh.close()


def test_install_json_is_repaired_from_the_database_at_sign_in(demo_vault, sign_in):
    us = sign_in("admin")
    demo_vault.set_setting(us, "ui.language", "en")
    demo_vault.sign_out(us)
    # Someone edits install.json by hand: the database stays authoritative.
    raw = _install_json(demo_vault)
    raw["pre_auth_settings"]["ui.language"] = "zh_CN"
    demo_vault.data.install_file.write_text(json.dumps(raw), encoding="utf-8")
    vault = Vault.open(demo_vault.data.root)
    assert vault.pre_auth_settings()[S.UI_LANGUAGE] == "zh_CN"
    vault.sign_in("teller", PASSWORDS["teller"])
    assert vault.pre_auth_settings()[S.UI_LANGUAGE] == "en"
    assert _install_json(vault)["pre_auth_settings"]["ui.language"] == "en"
    vault.close()


def test_invalid_values_are_refused_without_writing(demo_vault, sign_in, demo_dir):
    us = sign_in("admin")
    count = demo_vault.transact(lambda s: len(audit.recent(s, 10_000)))
    install_before = (demo_dir / "install.json").read_bytes()
    for key, value, code in [("auth.lockout_minutes", 0, "min"), ("auth.lockout_minutes", "30", "type"),
                             ("ui.language", "de", "choice"), ("no.such.setting", 1, "unknown")]:
        with pytest.raises(ValidationFailed) as err:
            demo_vault.set_setting(us, key, value)
        problems = err.value.result.problems
        assert [(p.field, p.code) for p in problems] == [(key, code)]
        assert err.value.message("en") and err.value.message("zh")
    assert demo_vault.transact(lambda s: len(audit.recent(s, 10_000))) == count
    assert (demo_dir / "install.json").read_bytes() == install_before
    assert demo_vault.settings()[S.LOCKOUT_MINUTES] == 15


def test_only_admins_change_settings(demo_vault, sign_in):
    us = sign_in("supervisor")
    with pytest.raises(PermissionDenied):
        demo_vault.set_setting(us, "auth.lockout_minutes", 30)
    assert demo_vault.settings()[S.LOCKOUT_MINUTES] == 15


def test_password_min_length_setting_is_enforced(demo_vault, sign_in):
    from counterdesk.services import accounts
    us = sign_in("admin")
    demo_vault.set_setting(us, "auth.password_min_length", 20)
    with pytest.raises(ValidationFailed) as err:
        accounts.create_user(demo_vault, us, "newbie", "新人", "teller", "Kurz-Aber-Ok-1!")  # 15 characters
    assert ("password", "too_short") in {(p.field, p.code) for p in err.value.result.problems}
    assert "20" in err.value.message("en")
