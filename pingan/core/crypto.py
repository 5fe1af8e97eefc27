"""Field-level encryption and blind indexes for personal data (X2).

Ciphertexts are stored as ``<cipher id>:<base64(nonce || ciphertext || tag)>`` so that a site
can switch between AES-256-GCM and SM4-GCM (国密) and still read what it wrote before.
Keys are derived with HKDF from ``PINGAN_DATA_KEY`` (32 random bytes, base64): one key per
cipher and one HMAC key per kind of blind index, so no key serves two purposes.
"""

import base64
import binascii
import hashlib
import hmac
import os
from functools import cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

AES_256_GCM = "AES-256-GCM"
SM4_GCM = "SM4-GCM"
_PREFIX = {AES_256_GCM: "a1", SM4_GCM: "s1"}
_BY_PREFIX = {prefix: name for name, prefix in _PREFIX.items()}
_NONCE_BYTES = 12
_TAG_BYTES = 16


class DecryptionError(ValueError):
    """A stored value could not be decrypted: wrong key, or the value was tampered with."""


def _master_key() -> bytes:
    encoded = settings.PINGAN_DATA_KEY or settings.PINGAN_DEMO_DATA_KEY
    if not encoded:
        raise ImproperlyConfigured("PINGAN_DATA_KEY is not set: personal data cannot be read.")
    return _decode_master_key(encoded)


@cache
def _decode_master_key(encoded: str) -> bytes:
    """Decoded once per configured value (a changed setting is decoded afresh)."""
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured("PINGAN_DATA_KEY must be base64.") from exc
    if len(key) != 32:
        raise ImproperlyConfigured("PINGAN_DATA_KEY must decode to 32 bytes.")
    return key


@cache
def _derive(master: bytes, purpose: str, length: int) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=length, salt=None, info=f"pingan:{purpose}".encode()
    ).derive(master)


@cache
def _aes_gcm(key: bytes) -> AESGCM:
    """One AES-GCM context per key: building it costs as much as encrypting a short value."""
    return AESGCM(key)


def _active_cipher() -> str:
    name = settings.PINGAN_DATA_CIPHER
    if name not in _PREFIX:
        raise ImproperlyConfigured(
            f"PINGAN_DATA_CIPHER must be one of {', '.join(_PREFIX)}, not {name!r}."
        )
    return name


def _seal(cipher: str, nonce: bytes, plaintext: bytes) -> bytes:
    master = _master_key()
    if cipher == AES_256_GCM:
        return _aes_gcm(_derive(master, "aes-256-gcm", 32)).encrypt(nonce, plaintext, None)
    encryptor = Cipher(algorithms.SM4(_derive(master, "sm4-gcm", 16)), modes.GCM(nonce)).encryptor()
    return encryptor.update(plaintext) + encryptor.finalize() + encryptor.tag


def _open(cipher: str, nonce: bytes, sealed: bytes) -> bytes:
    master = _master_key()
    if cipher == AES_256_GCM:
        return _aes_gcm(_derive(master, "aes-256-gcm", 32)).decrypt(nonce, sealed, None)
    body, tag = sealed[:-_TAG_BYTES], sealed[-_TAG_BYTES:]
    decryptor = Cipher(
        algorithms.SM4(_derive(master, "sm4-gcm", 16)), modes.GCM(nonce, tag)
    ).decryptor()
    return decryptor.update(body) + decryptor.finalize()


def encrypt(plaintext: str) -> str:
    """Encrypt with the configured cipher and a fresh random nonce."""
    cipher = _active_cipher()
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _seal(cipher, nonce, plaintext.encode())
    return f"{_PREFIX[cipher]}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str) -> str:
    """Decrypt a value written by `encrypt`, whichever cipher wrote it."""
    prefix, _, body = token.partition(":")
    cipher = _BY_PREFIX.get(prefix)
    if cipher is None or not body:
        raise DecryptionError("Not a Pingan ciphertext.")
    try:
        raw = base64.b64decode(body, validate=True)
        return _open(cipher, raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]).decode()
    except Exception as exc:  # InvalidTag, bad base64, bad UTF-8: all mean "cannot read"
        raise DecryptionError("Ciphertext could not be decrypted.") from exc


def normalize(kind: str, value: str) -> str:
    """The canonical form a blind index is computed over, so equal values match."""
    value = "".join(value.split())
    if kind == "id_number":
        return value.upper()
    if kind == "phone":
        return value.replace("-", "").removeprefix("+86")
    return value


def blind_index(kind: str, value: str) -> str:
    """Keyed HMAC-SHA256 of a value: equal values give equal indexes, nothing else leaks."""
    key = _derive(_master_key(), f"blind-index:{kind}", 32)
    return hmac.digest(key, normalize(kind, value).encode(), hashlib.sha256).hex()
