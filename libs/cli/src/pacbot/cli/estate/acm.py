"""ACM certificates: an imported RSA-2048 certificate in use by a load balancer, broken ones."""

from __future__ import annotations

from pacbot.cli.estate._model import Account, Seeded, seeded
from pacbot.cli.estate.certificates import self_signed

CERTIFICATE = "aws.acm.certificate"


def seed(account: Account) -> tuple[str, list[Seeded]]:
    """The certificate the HTTPS listeners use, and every certificate with its failures.

    The first certificate is only "in use" once ``elb.seed`` attaches it to a listener.
    """
    acm = account.client("acm")

    def imported(name: str, days: int, key_size: int = 2048) -> str:
        body, key = self_signed(f"{account.name_of(name)}.acme.example", days, key_size)
        return str(
            acm.import_certificate(Certificate=body.encode(), PrivateKey=key.encode())[
                "CertificateArn"
            ]
        )

    web = imported("www", 365)
    spare = imported("spare", 365)
    expiring = imported("legacy", 10)
    weak = imported("weak", 365, key_size=1024)
    return web, [
        seeded(CERTIFICATE, web),
        seeded(CERTIFICATE, spare, {"aws-acm-certificate-in-use"}),
        seeded(
            CERTIFICATE, expiring, {"aws-acm-certificate-expiring", "aws-acm-certificate-in-use"}
        ),
        seeded(
            CERTIFICATE, weak, {"aws-acm-certificate-rsa-key-size", "aws-acm-certificate-in-use"}
        ),
    ]
