"""DMS replication instances through the connector: private Multi-AZ vs public single-AZ."""

from __future__ import annotations

from typing import Any


def test_private_multi_az_instance_and_public_instance(aws: Any, discover: Any) -> None:
    dms = aws("dms")
    good_arn = dms.create_replication_instance(
        ReplicationInstanceIdentifier="orders-migration",
        ReplicationInstanceClass="dms.r5.large",
        AllocatedStorage=100,
        MultiAZ=True,
        AutoMinorVersionUpgrade=True,
        PubliclyAccessible=False,
        Tags=[{"Key": "Owner", "Value": "data-team@example.com"}],
    )["ReplicationInstance"]["ReplicationInstanceArn"]
    bad_arn = dms.create_replication_instance(
        ReplicationInstanceIdentifier="quick-copy",
        ReplicationInstanceClass="dms.t3.medium",
        MultiAZ=False,
        AutoMinorVersionUpgrade=False,
        PubliclyAccessible=True,
    )["ReplicationInstance"]["ReplicationInstanceArn"]

    found = discover("aws.dms.replication_instance")

    good = found[good_arn]
    bad = found[bad_arn].config
    assert (good.config["PubliclyAccessible"], good.config["MultiAZ"]) == (False, True)
    assert good.config["AutoMinorVersionUpgrade"] is True
    assert good.owner == "data-team@example.com"
    assert good.name == "orders-migration"
    assert "ReplicationInstanceStatus" not in good.config
    assert "ReplicationInstancePrivateIpAddresses" not in good.config
    assert (bad["PubliclyAccessible"], bad["MultiAZ"]) == (True, False)
    assert bad["AutoMinorVersionUpgrade"] is False
    assert bad["Tags"] == {}
