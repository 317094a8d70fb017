"""ACM certificates through the connector directly: an imported valid one and a pending one."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def self_signed(days: int) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "shop.example.com")])
    now = datetime.now(UTC).replace(microsecond=0)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    body = cert.public_bytes(serialization.Encoding.PEM).decode()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return body, private


def test_imported_certificate_vs_pending_validation(aws: Any, discover: Any) -> None:
    acm = aws("acm")
    body, private = self_signed(days=10)
    imported = acm.import_certificate(
        Certificate=body, PrivateKey=private, Tags=[{"Key": "Owner", "Value": "web"}]
    )["CertificateArn"]
    requested = acm.request_certificate(DomainName="api.example.com")["CertificateArn"]

    found = discover("aws.acm.certificate")

    assert set(found) == {imported, requested}
    soon, pending = found[imported], found[requested]
    assert soon.owner == "web"
    assert soon.config["Type"] == "IMPORTED"
    assert soon.config["Status"] == "ISSUED"
    assert soon.config["RenewalEligibility"] == "INELIGIBLE"
    assert soon.config["InUseBy"] == []
    expiry = datetime.fromisoformat(soon.config["NotAfter"].replace("Z", "+00:00"))
    assert timedelta(days=9) < expiry - datetime.now(UTC) <= timedelta(days=10)
    assert "DaysToExpiry" not in soon.config
    assert "PRIVATE KEY" not in json.dumps(soon.config)
    assert pending.config["Type"] == "AMAZON_ISSUED"
    assert pending.config["Status"] == "PENDING_VALIDATION"
    assert pending.config["DomainName"] == "api.example.com"
