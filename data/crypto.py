"""Encryption at rest of personal data (phone and ID numbers, legal representatives' names): AES-256-GCM.

The keys live outside the database (WEIJIAN_DATA_KEY or a key file, dashboard/settings.py); the database holds
only ciphertexts, each naming the key that made it, so keys can rotate (`weijian crypto rotate`) while old
rows stay readable. A stored value is the text

    wj1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>

with a random 96-bit nonce and the column's name ("entity.contact_phone") as associated data: a ciphertext
copied into another column does not decrypt. Every write path goes through `Keyring.encrypt` (the ORM and Core
through data.personal.Encrypted, the bulk loader through `encrypt_many`), every read through `Keyring.decrypt`.

A column that must be looked up by value (a practitioner by ID number) keeps a blind index beside it: an
HMAC-SHA256 of the normalised value under a key derived from the data key, never the value itself. A lookup
computes the index under every key of the ring, so rows not yet rotated are still found.

Data keys are 32 random bytes. The process installs its keyring once at start-up (`install`), from settings;
data/ never reads the environment itself.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "wj1"
KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
KEY_BYTES = 32
NONCE_BYTES = 12


class DataKeyError(RuntimeError):
    """No key, a malformed key, or a ciphertext the keyring cannot open: the message says which and where."""


def _derive(key: bytes, purpose: bytes) -> bytes:
    """Separate keys for encryption and for blind indexes, from one configured key (HKDF-SHA256)."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=b"weijian " + purpose).derive(key)


@dataclass(frozen=True)
class DataKey:
    id: str
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not KEY_ID.match(self.id):
            raise DataKeyError(f"data key id {self.id!r}: use 1-16 letters, digits, '-' or '_'")
        if len(self.secret) != KEY_BYTES:
            raise DataKeyError(f"data key {self.id!r}: {len(self.secret)} bytes, expected {KEY_BYTES}")

    def text(self) -> str:
        """`id:base64url` — the form WEIJIAN_DATA_KEY and key files hold."""
        return f"{self.id}:{base64.urlsafe_b64encode(self.secret).decode('ascii')}"


def parse_keys(text: str, source: str) -> list[DataKey]:
    """Keys from `id:base64url` entries separated by commas, spaces or lines ('#' starts a comment); the first
    one encrypts, the others only decrypt (the keys being rotated away from)."""
    keys = []
    for line in text.splitlines():
        for entry in re.split(r"[,\s]+", line.split("#", 1)[0].strip()):
            if not entry:
                continue
            kid, sep, encoded = entry.partition(":")
            try:
                secret = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)) if sep else b""
            except (binascii.Error, ValueError):
                raise DataKeyError(f"{source}: key {kid!r} is not base64") from None
            if not sep:
                raise DataKeyError(f"{source}: entry {entry[:8]!r}… is not 'id:base64key'")
            keys.append(DataKey(kid, secret))
    ids = [k.id for k in keys]
    if len(set(ids)) != len(ids):
        raise DataKeyError(f"{source}: a key id appears twice ({', '.join(ids)})")
    return keys


def new_key(key_id: str) -> DataKey:
    return DataKey(key_id, secrets.token_bytes(KEY_BYTES))


class Keyring:
    """The current key (encrypts) and the older ones (decrypt, during a rotation)."""

    def __init__(self, keys: Sequence[DataKey]):
        if not keys:
            raise DataKeyError("a keyring needs at least one data key")
        self.current = keys[0]
        self._aead = {k.id: AESGCM(_derive(k.secret, b"data")) for k in keys}
        self._index = {k.id: _derive(k.secret, b"blind index") for k in keys}
        self._marker = f"{PREFIX}:{self.current.id}:"

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(self._aead)

    def encrypt(self, value: str | None, column: str) -> str | None:
        if value is None:
            return None
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead[self.current.id].encrypt(nonce, str(value).encode("utf-8"), column.encode("ascii"))
        return self._marker + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def encrypt_many(self, values: Iterable, column: str) -> list[str | None]:
        """The bulk loader's path: one AESGCM object and one marker for the whole column (None stays None; the
        caller turns pandas' missing values into None)."""
        aead, marker, aad = self._aead[self.current.id], self._marker, column.encode("ascii")
        out = []
        for value in values:
            if value is None:
                out.append(None)
                continue
            nonce = os.urandom(NONCE_BYTES)
            out.append(marker + base64.urlsafe_b64encode(nonce + aead.encrypt(nonce, str(value).encode("utf-8"), aad))
                       .decode("ascii"))
        return out

    def decrypt(self, stored: str | None, column: str) -> str | None:
        if stored is None:
            return None
        prefix, kid, payload = (stored.split(":", 2) + ["", ""])[:3]
        if prefix != PREFIX or not payload:
            raise DataKeyError(f"{column}: a stored value is not encrypted (run `weijian db upgrade`)")
        aead = self._aead.get(kid)
        if aead is None:
            raise DataKeyError(f"{column}: encrypted with data key {kid!r}, which is not configured "
                               f"(configured: {', '.join(self.key_ids)})")
        try:
            raw = base64.urlsafe_b64decode(payload)
            return aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], column.encode("ascii")).decode("utf-8")
        except (InvalidTag, binascii.Error, ValueError):
            raise DataKeyError(f"{column}: data key {kid!r} does not open a stored value: the key is not the one "
                               "this database was encrypted with, or the value was altered") from None

    def is_current(self, stored: str | None) -> bool:
        return stored is None or stored.startswith(self._marker)

    def blind_index(self, value: str | None, column: str, key_id: str | None = None) -> str | None:
        """HMAC-SHA256 of the normalised value (spaces dropped, letters upper-cased) under the current key."""
        if value is None:
            return None
        normalised = re.sub(r"\s+", "", str(value)).upper()
        key = self._index[key_id or self.current.id]
        return hmac.new(key, f"{column}\x00{normalised}".encode(), hashlib.sha256).hexdigest()

    def blind_indexes(self, value: str, column: str) -> list[str]:
        """The value's index under every key of the ring: what a lookup matches, before and after a rotation."""
        return [self.blind_index(value, column, kid) for kid in self.key_ids]


_installed: Keyring | None = None


def install(keyring: Keyring) -> None:
    """Make `keyring` the one every encrypted column of this process uses (called once at start-up)."""
    global _installed
    _installed = keyring


def keyring() -> Keyring:
    if _installed is None:
        raise DataKeyError("no data key installed: set WEIJIAN_DATA_KEY or WEIJIAN_DATA_KEY_FILE "
                           "(development creates var/data_key by itself)")
    return _installed
