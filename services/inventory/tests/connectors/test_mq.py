"""Amazon MQ brokers through the connector: private, audited, CMK-encrypted vs public and bare."""

from __future__ import annotations

import json
from typing import Any

KEY = "arn:aws:kms:us-east-1:123456789012:key/0c1d2e3f-1111-2222-3333-444455556666"
PASSWORD = "broker-Passw0rd-long"  # a password inside moto, never real


def test_private_audited_broker_and_public_broker(aws: Any, discover: Any) -> None:
    mq = aws("mq")
    good_id = mq.create_broker(
        BrokerName="orders-events",
        EngineType="ACTIVEMQ",
        EngineVersion="5.17.6",
        HostInstanceType="mq.m5.large",
        DeploymentMode="ACTIVE_STANDBY_MULTI_AZ",
        PubliclyAccessible=False,
        AutoMinorVersionUpgrade=True,
        Users=[{"Username": "orders", "Password": PASSWORD}],
        Logs={"Audit": True, "General": True},
        EncryptionOptions={"UseAwsOwnedKey": False, "KmsKeyId": KEY},
        SubnetIds=["subnet-0b", "subnet-0a"],
        SecurityGroups=["sg-0a"],
        Tags={"Owner": "orders-team@example.com"},
    )["BrokerId"]
    bad_id = mq.create_broker(
        BrokerName="legacy-bus",
        EngineType="RABBITMQ",
        EngineVersion="3.11.20",
        HostInstanceType="mq.t3.micro",
        DeploymentMode="SINGLE_INSTANCE",
        PubliclyAccessible=True,
        AutoMinorVersionUpgrade=False,
        Users=[{"Username": "admin", "Password": PASSWORD}],
    )["BrokerId"]

    found = {a.config["BrokerId"]: a for a in discover("aws.mq.broker").values()}

    good = found[good_id]
    bad = found[bad_id].config
    assert good.config["PubliclyAccessible"] is False
    assert good.config["Logs"]["Audit"] is True
    assert good.config["EncryptionOptions"] == {"UseAwsOwnedKey": False, "KmsKeyId": KEY}
    assert good.config["SubnetIds"] == ["subnet-0a", "subnet-0b"]
    assert good.config["Users"] == ["orders"]
    assert good.owner == "orders-team@example.com"
    assert "BrokerInstances" not in good.config
    assert "BrokerState" not in good.config
    assert PASSWORD not in json.dumps(good.config)
    assert bad["PubliclyAccessible"] is True
    assert bad["AutoMinorVersionUpgrade"] is False
    assert bad["EncryptionOptions"]["UseAwsOwnedKey"] is True
    assert bad["DeploymentMode"] == "SINGLE_INSTANCE"
