"""``python -m pacbot.cli.demo.motoserver``: moto's server, warming up the demo's backends.

moto imports a service's backend on that service's first request, a second or two of CPU in all
that the demo's first requests would wait for; here a thread imports them while the server
starts listening (and while the demo itself is still starting).
"""

from __future__ import annotations

import sys
import threading

SERVICES = (
    "acm",
    "apigateway",
    "cloudfront",
    "cloudtrail",
    "cloudwatch",
    "config",
    "dynamodb",
    "ec2",
    "ecr",
    "efs",
    "eks",
    "elasticache",
    "elb",
    "elbv2",
    "guardduty",
    "iam",
    "kms",
    "lambda",
    "logs",
    "opensearch",
    "rds",
    "redshift",
    "s3",
    "secretsmanager",
    "securityhub",
    "sns",
    "sqs",
    "sts",
)
"""The services the demo's estate and PacBot's connectors use."""


def _warm() -> None:
    from moto import backends

    for service in SERVICES:
        backends.get_backend(service)  # type: ignore[call-overload]


def main() -> None:
    """Start warming up, then serve (arguments as for ``moto_server``)."""
    threading.Thread(target=_warm, name="warm-up", daemon=True).start()
    from moto.server import main as serve

    serve(sys.argv[1:])


if __name__ == "__main__":
    main()
