"""Key slots: one random database key, wrapped per user (Argon2id) and once for recovery."""
from __future__ import annotations

import base64
import copy
import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counterdesk.base.text import ValidationFailed
from counterdesk.services import accounts
from counterdesk.services.auth.kdf import ARGON2_MEMORY_KIB
from counterdesk.services.auth.keyslots import (
    FORMAT,
    KEY_BYTES,
    KeySlotError,
    KeySlots,
    Slot,
    WrongSecret,
    format_recovery_key,
    new_database_key,
    parse_recovery_key,
)
from counterdesk.services.auth.vault import AuthError, Vault
from counterdesk.store import audit
from helpers.demo import PASSWORDS, enrol_sign_in, totp_code

B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _slots_json(data_dir: Path) -> dict:
    return json.loads((data_dir / "keyslots.json").read_text(encoding="utf-8"))


def _by_id(raw: dict) -> dict[str, dict]:
    return {s["slot_id"]: s for s in raw["slots"]}


def _key_of(vault: Vault, username: str = "admin") -> bytes:
    return vault.load_slots().unlock_with_password(username, PASSWORDS[username])[1]


# ---- unwrapping ---------------------------------------------------------------------------------

def test_every_user_slot_unwraps_the_same_database_key(demo_vault):
    slots = demo_vault.load_slots()
    keys = {name: slots.unlock_with_password(name, pw)[1] for name, pw in PASSWORDS.items()}
    assert len(set(keys.values())) == 1
    key = next(iter(keys.values()))
    assert len(key) == KEY_BYTES
    # ... and it is the key that really opens the database.
    us = demo_vault.sign_in("teller", PASSWORDS["teller"])
    assert demo_vault._key == key
    assert us.username == "teller"


def test_usernames_are_normalised_when_unwrapping(demo_vault):
    slots = demo_vault.load_slots()
    _, key_a = slots.unlock_with_password("  ADMIN ", PASSWORDS["admin"])
    _, key_b = slots.unlock_with_password("ａｄｍｉｎ", PASSWORDS["admin"])  # full-width, NFKC folds it
    assert key_a == key_b


def test_wrong_password_does_not_open_a_slot(demo_vault):
    slots = demo_vault.load_slots()
    with pytest.raises(WrongSecret):
        slots.unlock_with_password("admin", PASSWORDS["admin"] + "x")
    with pytest.raises(WrongSecret):
        slots.unlock_with_password("admin", PASSWORDS["teller"])  # another user's password
    with pytest.raises(WrongSecret):
        slots.unlock_with_password("nobody", PASSWORDS["admin"])


def test_wrong_password_sign_in_is_refused(demo_vault):
    with pytest.raises(AuthError) as err:
        demo_vault.sign_in("admin", "Guanli-2026?")
    assert err.value.code == "bad_credentials"
    assert not demo_vault.unlocked


# ---- associated data binds a slot to its user and installation ------------------------------------

def test_slot_copied_to_another_username_no_longer_opens(demo_dir):
    raw = _slots_json(demo_dir)
    admin = next(s for s in raw["slots"] if s.get("username") == "admin")
    # Move the admin slot over to the teller account (attacker edits keyslots.json).
    forged = copy.deepcopy(admin)
    forged["username"] = "teller"
    raw["slots"] = [s for s in raw["slots"] if s.get("username") != "teller"] + [forged]
    (demo_dir / "keyslots.json").write_text(json.dumps(raw), encoding="utf-8")
    vault = Vault.open(demo_dir)
    slots = vault.load_slots()
    assert slots.for_username("teller") is not None
    with pytest.raises(WrongSecret):
        slots.unlock_with_password("teller", PASSWORDS["admin"])
    with pytest.raises(AuthError):
        vault.sign_in("teller", PASSWORDS["admin"])
    assert not vault.unlocked


def test_slot_copied_under_another_user_id_no_longer_opens(demo_dir):
    raw = _slots_json(demo_dir)
    by_name = {s.get("username"): s for s in raw["slots"]}
    admin = by_name["admin"]
    admin["user_id"] = by_name["teller"]["user_id"]  # same username, another account's id
    (demo_dir / "keyslots.json").write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(WrongSecret):
        Vault.open(demo_dir).load_slots().unlock_with_password("admin", PASSWORDS["admin"])


def test_slot_id_is_bound(demo_dir):
    raw = _slots_json(demo_dir)
    admin = next(s for s in raw["slots"] if s.get("username") == "admin")
    admin["slot_id"] = "user:someone-else"
    (demo_dir / "keyslots.json").write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(WrongSecret):
        Vault.open(demo_dir).load_slots().unlock_with_password("admin", PASSWORDS["admin"])


def test_slot_file_of_another_installation_does_not_open(demo_dir):
    vault = Vault.open(demo_dir)
    slots = vault.load_slots()
    # Same slots, presented as belonging to a different installation: the AAD no longer matches.
    foreign = KeySlots(slots.path, "00000000-0000-4000-8000-000000000000", slots.slots)
    with pytest.raises(WrongSecret):
        foreign.unlock_with_password("admin", PASSWORDS["admin"])
    # And load() refuses a file whose installation id differs.
    with pytest.raises(KeySlotError) as err:
        KeySlots.load(slots.path, "00000000-0000-4000-8000-000000000000")
    assert err.value.code == "keyslots_damaged"


def test_tampered_ciphertext_or_nonce_is_rejected(demo_dir):
    for field in ("wrapped", "nonce"):
        raw = _slots_json(demo_dir)
        admin = next(s for s in raw["slots"] if s.get("username") == "admin")
        blob = bytearray(base64.b64decode(admin[field]))
        blob[0] ^= 0x01
        admin[field] = base64.b64encode(bytes(blob)).decode()
        slots = KeySlots(demo_dir / "keyslots.json", raw["installation_id"],
                         [Slot.from_json(s) for s in raw["slots"]])
        with pytest.raises(WrongSecret):
            slots.unlock_with_password("admin", PASSWORDS["admin"])


# ---- the file format ----------------------------------------------------------------------------

def test_keyslot_file_records_argon2id_parameters(demo_dir):
    raw = _slots_json(demo_dir)
    assert raw["format"] == FORMAT
    password_slots = [s for s in raw["slots"] if s["kind"] == "password"]
    assert {s["username"] for s in password_slots} == set(PASSWORDS)
    salts = set()
    for slot in password_slots:
        kdf = slot["kdf"]
        assert kdf["name"] == "argon2id"
        assert kdf["memory_kib"] >= 64 * 1024, "Argon2id must use at least 64 MiB"
        assert kdf["memory_kib"] == ARGON2_MEMORY_KIB
        assert kdf["iterations"] >= 2
        assert kdf["lanes"] >= 1
        salt = base64.b64decode(kdf["salt"])
        assert len(salt) >= 16
        salts.add(salt)
        assert len(base64.b64decode(slot["nonce"])) == 12
        assert len(base64.b64decode(slot["wrapped"])) == KEY_BYTES + 16  # key + GCM tag
    assert len(salts) == len(password_slots), "every slot needs its own salt"
    recovery = [s for s in raw["slots"] if s["kind"] == "recovery"]
    assert len(recovery) == 1 and recovery[0]["user_id"] is None


# ---- password change ----------------------------------------------------------------------------

def test_password_change_rewraps_only_that_users_slot(demo_vault, demo_dir):
    before_text = (demo_dir / "keyslots.json").read_text(encoding="utf-8")
    before = _by_id(json.loads(before_text))
    us = demo_vault.sign_in("teller", PASSWORDS["teller"])
    key = demo_vault._key
    new_password = "Neue-Kasse-2027#"
    accounts.change_own_password(demo_vault, us, PASSWORDS["teller"], new_password)

    after = _by_id(_slots_json(demo_dir))
    assert set(after) == set(before)
    teller_id = f"user:{us.user_id}"
    for slot_id, slot in before.items():
        if slot_id == teller_id:
            continue
        # Byte-identical: the canonical serialisation of every other slot did not change at all.
        assert json.dumps(after[slot_id], sort_keys=True) == json.dumps(slot, sort_keys=True), slot_id
    changed = after[teller_id]
    old = before[teller_id]
    assert changed["wrapped"] != old["wrapped"]
    assert changed["nonce"] != old["nonce"]
    assert changed["kdf"]["salt"] != old["kdf"]["salt"]
    assert changed["kdf"]["memory_kib"] >= 64 * 1024

    # The other slots appear verbatim in the file (same bytes for each slot object).
    after_text = (demo_dir / "keyslots.json").read_text(encoding="utf-8")
    for slot_id, slot in before.items():
        if slot_id != teller_id:
            assert slot["wrapped"] in after_text and slot["kdf"]["salt"] in after_text

    slots = demo_vault.load_slots()
    with pytest.raises(WrongSecret):
        slots.unlock_with_password("teller", PASSWORDS["teller"])
    assert slots.unlock_with_password("teller", new_password)[1] == key
    assert slots.unlock_with_password("admin", PASSWORDS["admin"])[1] == key


def test_password_change_needs_the_current_password(demo_vault, demo_dir):
    us = demo_vault.sign_in("teller", PASSWORDS["teller"])
    before = (demo_dir / "keyslots.json").read_bytes()
    with pytest.raises(AuthError) as err:
        accounts.change_own_password(demo_vault, us, "not-the-password-1", "Neue-Kasse-2027#")
    assert err.value.code == "bad_credentials"
    with pytest.raises(ValidationFailed):
        accounts.change_own_password(demo_vault, us, PASSWORDS["teller"], "short")
    with pytest.raises(ValidationFailed):
        accounts.change_own_password(demo_vault, us, PASSWORDS["teller"], PASSWORDS["teller"])
    assert (demo_dir / "keyslots.json").read_bytes() == before


# ---- recovery key -------------------------------------------------------------------------------

def test_recovery_key_format_and_round_trip():
    secret = new_database_key()
    text = format_recovery_key(secret)
    groups = text.split("-")
    assert all(len(g) == 5 for g in groups[:-1]) and 1 <= len(groups[-1]) <= 5
    assert set(text.replace("-", "")) <= set(B32)
    assert parse_recovery_key(text) == secret
    # Forgiving input: lower case, spaces instead of dashes, surrounding blanks.
    assert parse_recovery_key("  " + text.lower().replace("-", " ") + "\n") == secret
    assert parse_recovery_key(text.replace("-", "")) == secret
    # Digits that look like letters are read as those letters.
    confusable = text.replace("O", "0").replace("I", "1").replace("B", "8")
    assert parse_recovery_key(confusable) == secret


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_parse_recovery_key_never_raises_on_any_text(text):
    result = parse_recovery_key(text)
    assert result is None or (isinstance(result, bytes) and len(result) == KEY_BYTES)


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=KEY_BYTES, max_size=KEY_BYTES))
def test_parse_recovery_key_round_trips(secret):
    assert parse_recovery_key(format_recovery_key(secret)) == secret


def _typos(text: str):
    """Every substitution of one key character by another base32 character."""
    for i, ch in enumerate(text):
        if ch == "-":
            continue
        for other in B32:
            if other != ch:
                yield text[:i] + other + text[i + 1:]


@pytest.mark.parametrize("seed", [b"alpha", b"beta", b"gamma"])
def test_every_one_character_typo_is_rejected(seed):
    secret = hashlib.sha256(seed).digest()
    text = format_recovery_key(secret)
    checked = 0
    for typo in _typos(text):
        result = parse_recovery_key(typo)
        checked += 1
        # Rejected; or, for the unused low bits of the final character, decoded to the very same secret.
        assert result is None or result == secret, typo
        if typo[:-1] != text[:-1]:  # the typo is not in the final, partly unused character
            assert result is None, typo
    assert checked > 1500


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.binary(min_size=KEY_BYTES, max_size=KEY_BYTES), st.data())
def test_random_one_character_typo_never_yields_another_secret(secret, data):
    text = format_recovery_key(secret)
    positions = [i for i, ch in enumerate(text) if ch != "-"]
    i = data.draw(st.sampled_from(positions))
    other = data.draw(st.sampled_from([c for c in B32 if c != text[i]]))
    result = parse_recovery_key(text[:i] + other + text[i + 1:])
    assert result is None or result == secret


def test_dropped_or_extra_character_is_rejected():
    text = format_recovery_key(hashlib.sha256(b"delta").digest())
    assert parse_recovery_key(text[:-1]) is None
    assert parse_recovery_key(text + "A") is None
    assert parse_recovery_key(text.replace("-", "", 1)[1:]) is None
    assert parse_recovery_key("") is None


def test_recover_resets_admin_password_and_replaces_the_recovery_key(demo_dir, demo_recovery_key):
    vault = Vault.open(demo_dir)
    try:
        before = _by_id(_slots_json(demo_dir))
        key = _key_of(vault, "teller")
        new_password = "Neues-Chef-2027!"
        new_recovery = vault.recover(demo_recovery_key, "admin", new_password)
        assert new_recovery != demo_recovery_key
        assert parse_recovery_key(new_recovery) is not None

        slots = vault.load_slots()
        assert slots.unlock_with_password("admin", new_password)[1] == key
        with pytest.raises(WrongSecret):
            slots.unlock_with_password("admin", PASSWORDS["admin"])
        # The other users' slots are untouched.
        after = _by_id(_slots_json(demo_dir))
        for slot_id, slot in before.items():
            if slot.get("username") in ("teller", "supervisor", "auditor"):
                assert after[slot_id] == slot
        assert after["recovery"] != before["recovery"]
        assert slots.unlock_with_recovery(parse_recovery_key(new_recovery)) == key
        with pytest.raises(WrongSecret):
            slots.unlock_with_recovery(parse_recovery_key(demo_recovery_key))
        vault.close()

        # The old recovery key stops working; the new one works.
        with pytest.raises(AuthError) as err:
            vault.recover(demo_recovery_key, "admin", "Noch-Ein-Pass-2028!")
        assert err.value.code == "recovery_wrong"
        vault.close()

        us = enrol_sign_in(vault, "admin", new_password)  # the recovery also reset the lost factor
        entries = vault.transact(lambda s: audit.recent(s, 50))
        assert any(e.action == "recovery.used" and e.object_id == us.user_id for e in entries)
        vault.sign_out(us)
        newest = vault.recover(new_recovery, "admin", "Noch-Ein-Pass-2028!")
        assert parse_recovery_key(newest) is not None
    finally:
        vault.close()


def test_recover_refuses_bad_input(demo_dir, demo_recovery_key):
    vault = Vault.open(demo_dir)
    try:
        before = (demo_dir / "keyslots.json").read_bytes()
        with pytest.raises(AuthError) as err:
            vault.recover("not a key", "admin", "Neues-Chef-2027!")
        assert err.value.code == "recovery_malformed"
        with pytest.raises(AuthError) as err:
            vault.recover(format_recovery_key(new_database_key()), "admin", "Neues-Chef-2027!")
        assert err.value.code == "recovery_wrong"
        with pytest.raises(AuthError) as err:
            vault.recover(demo_recovery_key, "teller", "Neues-Kasse-2027!")
        assert err.value.code == "recovery_user"  # only administrators can be recovered
        with pytest.raises(ValidationFailed):
            vault.recover(demo_recovery_key, "admin", "short")
        assert (demo_dir / "keyslots.json").read_bytes() == before
    finally:
        vault.close()


# ---- the key itself never reaches the disk -------------------------------------------------------

def _key_encodings(key: bytes) -> list[bytes]:
    forms = [key, key.hex().encode(), key.hex().upper().encode(), base64.b64encode(key),
             base64.b64encode(key).rstrip(b"="), base64.urlsafe_b64encode(key).rstrip(b"="),
             base64.b32encode(key).rstrip(b"=")]
    forms += [f.decode("latin-1").encode("utf-16-le") for f in forms[1:]]
    return forms


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def _assert_key_absent(root: Path, key: bytes) -> int:
    forms = _key_encodings(key)
    files = _files(root)
    for path in files:
        blob = path.read_bytes()
        for form in forms:
            assert form not in blob, f"database key found in {path.relative_to(root)}"
    return len(files)


def test_database_key_never_appears_in_the_data_folder(demo_vault, demo_dir):
    key = _key_of(demo_vault)
    assert _assert_key_absent(demo_dir, key) >= 3
    us = demo_vault.sign_in("admin", PASSWORDS["admin"], totp_code("admin"))
    demo_vault.record(us, "probe.write", None, None, {"count": 1})
    accounts.create_user(demo_vault, us, "clerk2", "柜员二", "teller", "Kassen-Pass-2027!")
    # While open (WAL and shared memory present) ...
    assert any(p.name.endswith("-wal") for p in _files(demo_dir))
    _assert_key_absent(demo_dir, key)
    demo_vault.sign_out(us)
    # ... and after closing.
    _assert_key_absent(demo_dir, key)
