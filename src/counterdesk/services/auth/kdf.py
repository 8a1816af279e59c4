"""Key derivation for key slots: Argon2id (memory-hard) for passwords, HKDF for random secrets."""
from __future__ import annotations

import os
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# 64 MiB, 3 passes, 4 lanes: above OWASP's Argon2id minimum, about 0.2 s on one laptop core.
ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_ITERATIONS = 3
ARGON2_LANES = 4


@dataclass(frozen=True)
class Argon2Params:
    salt: bytes
    memory_kib: int = ARGON2_MEMORY_KIB
    iterations: int = ARGON2_ITERATIONS
    lanes: int = ARGON2_LANES

    @classmethod
    def fresh(cls) -> Argon2Params:
        return cls(salt=os.urandom(16))

    def derive(self, password: str) -> bytes:
        return Argon2id(salt=self.salt, length=32, iterations=self.iterations, lanes=self.lanes,
                        memory_cost=self.memory_kib).derive(password.encode("utf-8"))


def hkdf(secret: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(secret)
