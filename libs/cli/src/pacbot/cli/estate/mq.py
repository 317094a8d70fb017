"""Amazon MQ brokers: a hardened ActiveMQ pair, one without audit logs, a public RabbitMQ."""

from __future__ import annotations

from typing import Any

from pacbot.cli.estate._model import SIMULATED_PASSWORD, Account, Seeded, seeded

BROKER = "aws.mq.broker"


def seed(account: Account, key_arn: str, subnets: list[str], group_id: str) -> list[Seeded]:
    """Every broker with what it must fail."""
    mq = account.client("mq")

    def broker(short: str, engine: str, version: str, **settings: Any) -> str:
        answer = mq.create_broker(
            BrokerName=account.name_of(short),
            EngineType=engine,
            EngineVersion=version,
            HostInstanceType="mq.m5.large",
            Users=[{"Username": "app", "Password": SIMULATED_PASSWORD}],
            **settings,
        )
        return str(answer["BrokerArn"])

    private: dict[str, Any] = {
        "DeploymentMode": "ACTIVE_STANDBY_MULTI_AZ",
        "PubliclyAccessible": False,
        "AutoMinorVersionUpgrade": True,
        "EncryptionOptions": {"UseAwsOwnedKey": False, "KmsKeyId": key_arn},
        "SubnetIds": subnets,
        "SecurityGroups": [group_id],
    }
    orders = broker(
        "order-events",
        "ACTIVEMQ",
        "5.17.6",
        Logs={"Audit": True, "General": True},
        Tags={"Owner": "orders-team@example.com"},
        **private,
    )
    billing = broker(
        "billing-events", "ACTIVEMQ", "5.17.6", Logs={"Audit": False, "General": True}, **private
    )
    legacy = broker(
        "legacy-bus",
        "RABBITMQ",
        "3.11.20",
        DeploymentMode="SINGLE_INSTANCE",
        PubliclyAccessible=True,
        AutoMinorVersionUpgrade=False,
    )
    return [
        seeded(BROKER, orders),
        seeded(BROKER, billing, {"aws-mq-broker-audit-logging"}),
        seeded(
            BROKER,
            legacy,
            {
                "aws-mq-broker-not-public",
                "aws-mq-broker-auto-minor-version-upgrade",
                "aws-mq-broker-cmk-encryption",
                "aws-mq-broker-multi-az",
                "aws-mq-broker-general-logging",
            },
        ),
    ]
