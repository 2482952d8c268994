"""The credential as a JSON document with an embedded Data Integrity proof
(W3C vc-di-eddsa, cryptosuite eddsa-rdfc-2022), beside its VC-JWT.

Both documents (the credential and the proof's options) are canonicalised as RDF
(URDNA2015, which RDFC-1.0 standardised) with the JSON-LD contexts stored in
lms/certification/vocab, never fetched; the two SHA-256 hashes are signed with the
platform's Ed25519 key. Ed25519 signatures are deterministic and `created` is the
credential's validFrom, so the proof made on request is the same every time.
"""
from __future__ import annotations

import hashlib
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from flask_babel import gettext as _
from pyld import jsonld

from lms.certification.vocab import document_loader

CRYPTOSUITE = "eddsa-rdfc-2022"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ED25519_PUB = b"\xed\x01"  # multicodec prefix of an Ed25519 public key


def base58(data: bytes) -> str:
    number, out = int.from_bytes(data, "big"), ""
    while number:
        number, rest = divmod(number, 58)
        out = _B58[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def unbase58(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + _B58.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def multibase_key(public: Ed25519PublicKey) -> str:
    """The Multikey form: 'z' (base58-btc), the Ed25519 multicodec, the 32 bytes."""
    raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "z" + base58(_ED25519_PUB + raw)


def _canonical(document: dict[str, Any]) -> bytes:
    return jsonld.normalize(document, {"algorithm": "URDNA2015",
                                       "format": "application/n-quads",
                                       "documentLoader": document_loader}).encode()


def _hash_data(document: dict[str, Any], options: dict[str, Any]) -> bytes:
    config = {"@context": document["@context"], **options}
    return hashlib.sha256(_canonical(config)).digest() + hashlib.sha256(
        _canonical(document)).digest()


def verification_method(issuer_id: str, public: Ed25519PublicKey) -> str:
    return f"{issuer_id}#{multibase_key(public)}"


def secure(credential: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """The credential with its DataIntegrityProof."""
    options = {"type": "DataIntegrityProof", "cryptosuite": CRYPTOSUITE,
               "created": credential["validFrom"],
               "verificationMethod": verification_method(credential["issuer"]["id"],
                                                         key.public_key()),
               "proofPurpose": "assertionMethod"}
    signature = key.sign(_hash_data(credential, options))
    return {**credential, "proof": {**options, "proofValue": "z" + base58(signature)}}


def check(secured: dict[str, Any],
          trusted: list[Ed25519PublicKey]) -> tuple[dict[str, Any] | None, str]:
    """The credential without its proof if the proof holds under a trusted key."""
    proof = secured.get("proof")
    if not isinstance(proof, dict) or proof.get("type") != "DataIntegrityProof" or proof.get(
            "cryptosuite") != CRYPTOSUITE:
        return None, _("the credential carries no eddsa-rdfc-2022 proof")
    if proof.get("proofPurpose") != "assertionMethod":
        return None, _("the proof is not made for asserting a credential")
    method = str(proof.get("verificationMethod", ""))
    key = next((k for k in trusted if method.endswith("#" + multibase_key(k))), None)
    if key is None:
        return None, _("the credential was not signed with the issuer's key")
    value = str(proof.get("proofValue", ""))
    document = {k: v for k, v in secured.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    try:
        if not value.startswith("z"):
            raise ValueError
        key.verify(unbase58(value[1:]), _hash_data(document, options))
    except (InvalidSignature, ValueError, jsonld.JsonLdError):
        return None, _("the signature does not match the credential: it was altered")
    return document, ""
