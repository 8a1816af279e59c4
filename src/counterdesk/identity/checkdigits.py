"""Check-character algorithms used by identity documents.

- ISO 7064 MOD 11-2 (GB 11643-1999 resident ID, HK/Macau/Taiwan residence permit, 2023 foreign
  permanent-resident ID).
- ICAO 9303 Part 3 §4.9 weighted 7-3-1 check digit (MRZ; also the old 15-character foreign
  permanent-resident ID).

Both return None instead of raising on characters outside their alphabet, so callers can report a
format problem rather than crash.
"""
from __future__ import annotations

# Weight of position i (1-based from the left, 17 positions) is 2^(18-i) mod 11.
MOD11_2_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))
MOD11_2_CHARS = "10X98765432"  # indexed by (weighted sum mod 11)

MRZ_WEIGHTS = (7, 3, 1)


def mod11_2(body: str) -> str | None:
    """The check character for 17 ASCII digits, or None when `body` is not exactly that."""
    if len(body) != 17 or not all("0" <= c <= "9" for c in body):
        return None
    total = sum(int(c) * w for c, w in zip(body, MOD11_2_WEIGHTS))
    return MOD11_2_CHARS[total % 11]


def mrz_value(ch: str) -> int | None:
    """ICAO value of one MRZ character: digits at face value, A-Z = 10..35, '<' = 0."""
    if "0" <= ch <= "9":
        return ord(ch) - 48
    if "A" <= ch <= "Z":
        return ord(ch) - 55
    if ch == "<":
        return 0
    return None


def mrz_check_digit(data: str) -> str | None:
    """The 7-3-1 check digit of `data` as a one-character string, or None on a foreign character."""
    total = 0
    for i, ch in enumerate(data):
        v = mrz_value(ch)
        if v is None:
            return None
        total += v * MRZ_WEIGHTS[i % 3]
    return str(total % 10)
