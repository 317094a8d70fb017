"""The security group fixes against moto: world-open ingress on policy ports, default groups."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from pacbot.autofix.fixes import FIXES, AccountAws, ApiCall, Fix, FixTarget, ResourceGone
from pacbot.autofix.fixes.security_groups import OpenRule, entries

from .conftest import ACCOUNT, REGION, drill, target

SG = "aws.ec2.security_group"
PACK = Path(__file__).parents[4] / "services/assessor/src/pacbot/assessor/packs/aws"
ADMIN_V4 = {"ports": [22, 3389], "cidrs": ["0.0.0.0/0"]}
ADMIN_V6 = {"ports": [22, 3389], "cidrs": ["::/0"]}
DATABASE = {"ports": [3306, 5432], "cidrs": ["0.0.0.0/0", "::/0"]}
ALL_TRAFFIC = {"all_traffic": True}


def fix_named(name: str) -> Fix:
    fix = FIXES.get(name)
    assert fix is not None
    return fix


def group_target(group_id: str, name: str = "group", **params: Any) -> FixTarget:
    arn = f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{group_id}"
    return target(SG, name, arn, **params)


def v4(cidr: str, description: str | None = None) -> dict[str, str]:
    return {"CidrIp": cidr, **({"Description": description} if description else {})}


def v6(cidr: str) -> dict[str, str]:
    return {"CidrIpv6": cidr}


def tcp(port: int, to: int | None = None, **peers: Any) -> dict[str, Any]:
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": to or port, **peers}


def new_group(client: Callable[[str], Any], name: str, *ingress: dict[str, Any]) -> str:
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    group: str = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]
    if ingress:
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=list(ingress))
    return group


def described(client: Callable[[str], Any], group_id: str) -> dict[str, Any]:
    found: dict[str, Any] = client("ec2").describe_security_groups(GroupIds=[group_id])
    return found["SecurityGroups"][0]


def ingress(client: Callable[[str], Any], group_id: str) -> list[dict[str, Any]]:
    return entries(described(client, group_id)["IpPermissions"])


# --- ec2-sg-revoke-world-ingress ----------------------------------------------------------


def test_only_the_world_open_admin_entries_are_revoked_ipv4(
    aws: AccountAws, client: Callable[[str], Any]
) -> None:
    group = new_group(
        client,
        "admin-v4",
        tcp(22, IpRanges=[v4("0.0.0.0/0", "ssh"), v4("10.0.0.0/8")], Ipv6Ranges=[v6("::/0")]),
        tcp(443, IpRanges=[v4("0.0.0.0/0")]),
        tcp(0, 1024, IpRanges=[v4("0.0.0.0/0")]),
        {"IpProtocol": "udp", "FromPort": 3389, "ToPort": 3389, "IpRanges": [v4("0.0.0.0/0")]},
        {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [v4("0.0.0.0/0")]},
    )
    egress = described(client, group)["IpPermissionsEgress"]
    fix = fix_named("ec2-sg-revoke-world-ingress")
    where = group_target(group, **ADMIN_V4)
    backup = fix.read(aws, where)
    [call] = fix.calls(backup, where)
    assert call == ApiCall(
        "ec2",
        "revoke_security_group_ingress",
        {
            "GroupId": group,
            "IpPermissions": [
                tcp(0, 1024, IpRanges=[v4("0.0.0.0/0")]),
                tcp(22, IpRanges=[v4("0.0.0.0/0", "ssh")]),
                {
                    "IpProtocol": "udp",
                    "FromPort": 3389,
                    "ToPort": 3389,
                    "IpRanges": [v4("0.0.0.0/0")],
                },
            ],
        },
    )
    fix.apply(aws, where, backup)
    assert ingress(client, group) == entries(
        [
            tcp(22, IpRanges=[v4("10.0.0.0/8")], Ipv6Ranges=[v6("::/0")]),
            tcp(443, IpRanges=[v4("0.0.0.0/0")]),
            {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [v4("0.0.0.0/0")]},
        ]
    )
    assert described(client, group)["IpPermissionsEgress"] == egress
    fix.rollback(aws, where, backup)
    assert fix.read(aws, where) == backup
    assert drill(fix, aws, where) == backup  # the ssh description comes back too


def test_only_the_world_open_admin_entries_are_revoked_ipv6(
    aws: AccountAws, client: Callable[[str], Any]
) -> None:
    group = new_group(
        client,
        "admin-v6",
        tcp(22, IpRanges=[v4("0.0.0.0/0")], Ipv6Ranges=[v6("::/0"), v6("2001:db8::/32")]),
        tcp(3389, Ipv6Ranges=[v6("::/0")]),
        tcp(443, Ipv6Ranges=[v6("::/0")]),
    )
    fix = fix_named("ec2-sg-revoke-world-ingress")
    where = group_target(group, **ADMIN_V6)
    drill(fix, aws, where)
    fix.apply(aws, where, fix.read(aws, where))
    assert ingress(client, group) == entries(
        [
            tcp(22, IpRanges=[v4("0.0.0.0/0")], Ipv6Ranges=[v6("2001:db8::/32")]),
            tcp(443, Ipv6Ranges=[v6("::/0")]),
        ]
    )


def test_database_ports_close_on_both_families_and_group_references_stay(
    aws: AccountAws, client: Callable[[str], Any]
) -> None:
    app = new_group(client, "app")
    group = new_group(
        client,
        "db",
        tcp(5432, IpRanges=[v4("0.0.0.0/0")], Ipv6Ranges=[v6("::/0")]),
        tcp(5432, UserIdGroupPairs=[{"GroupId": app, "UserId": ACCOUNT}]),
        tcp(3306, IpRanges=[v4("192.168.0.0/16")]),
    )
    fix = fix_named("ec2-sg-revoke-world-ingress")
    where = group_target(group, **DATABASE)
    backup = drill(fix, aws, where)
    assert len(backup["Ingress"]) == 4
    fix.apply(aws, where, backup)
    kept = fix.read(aws, where)["Ingress"]
    assert [e.get("UserIdGroupPairs", e.get("IpRanges")) for e in kept] == [
        [v4("192.168.0.0/16")],
        [{"GroupId": app, "UserId": ACCOUNT}],
    ]


def test_all_traffic_from_the_world_goes_and_private_all_traffic_stays(
    aws: AccountAws, client: Callable[[str], Any]
) -> None:
    group = new_group(
        client,
        "anything-goes",
        {"IpProtocol": "-1", "IpRanges": [v4("0.0.0.0/0"), v4("10.0.0.0/8")]},
        {"IpProtocol": "-1", "Ipv6Ranges": [v6("::/0")]},
        tcp(22, IpRanges=[v4("0.0.0.0/0")]),
    )
    fix = fix_named("ec2-sg-revoke-world-ingress")
    where = group_target(group, **ALL_TRAFFIC)
    drill(fix, aws, where)
    fix.apply(aws, where, fix.read(aws, where))
    assert ingress(client, group) == entries(
        [
            {"IpProtocol": "-1", "IpRanges": [v4("10.0.0.0/8")]},
            tcp(22, IpRanges=[v4("0.0.0.0/0")]),
        ]
    )


def test_rollback_leaves_rules_added_since_alone(
    aws: AccountAws, client: Callable[[str], Any]
) -> None:
    group = new_group(client, "since", tcp(22, IpRanges=[v4("0.0.0.0/0")]))
    fix = fix_named("ec2-sg-revoke-world-ingress")
    where = group_target(group, **ADMIN_V4)
    backup = fix.read(aws, where)
    fix.apply(aws, where, backup)
    client("ec2").authorize_security_group_ingress(
        GroupId=group, IpPermissions=[tcp(8080, IpRanges=[v4("10.1.0.0/16")])]
    )
    assert fix.rollback(aws, where, backup) == [
        ApiCall(
            "ec2",
            "authorize_security_group_ingress",
            {"GroupId": group, "IpPermissions": [tcp(22, IpRanges=[v4("0.0.0.0/0")])]},
        )
    ]
    assert len(fix.read(aws, where)["Ingress"]) == 2


def test_a_group_with_nothing_open_needs_nothing(
    aws: AccountAws, client: Callable[[str], Any]
) -> None:
    group = new_group(client, "closed", tcp(22, IpRanges=[v4("10.0.0.0/8")]))
    fix = fix_named("ec2-sg-revoke-world-ingress")
    where = group_target(group, **ADMIN_V4)
    current = fix.read(aws, where)
    assert fix.is_compliant(current, where)
    assert fix.calls(current, where) == []


def test_a_deleted_group_is_gone(aws: AccountAws) -> None:
    for name, params in (
        ("ec2-sg-revoke-world-ingress", ADMIN_V4),
        ("ec2-sg-default-no-rules", {}),
    ):
        with pytest.raises(ResourceGone):
            fix_named(name).read(aws, group_target("sg-0123456789abcdef0", **params))


def test_params_must_name_ports_or_all_traffic() -> None:
    with pytest.raises(ValueError, match="ports"):
        OpenRule.of({})
    with pytest.raises(ValueError, match="does not appear"):
        OpenRule.of({"ports": [22], "cidrs": ["not-a-cidr"]})


def test_the_asset_id_must_name_a_group(aws: AccountAws) -> None:
    with pytest.raises(ValueError, match="security group"):
        fix_named("ec2-sg-default-no-rules").read(aws, target(SG, "default", "vpc-0abc"))


@pytest.mark.parametrize(
    ("entry", "rule", "is_open"),
    [
        (tcp(20, 23, IpRanges=[v4("0.0.0.0/0")]), ADMIN_V4, True),
        (tcp(23, 3388, IpRanges=[v4("0.0.0.0/0")]), ADMIN_V4, False),
        (
            {"IpProtocol": "6", "FromPort": 22, "ToPort": 22, "IpRanges": [v4("0.0.0.0/0")]},
            ADMIN_V4,
            True,
        ),
        ({"IpProtocol": "tcp", "IpRanges": [v4("0.0.0.0/0")]}, ADMIN_V4, True),
        ({"IpProtocol": "all", "IpRanges": [v4("0.0.0.0/0")]}, ADMIN_V4, True),
        ({"IpProtocol": "icmp", "IpRanges": [v4("0.0.0.0/0")]}, ADMIN_V4, False),
        (tcp(22, IpRanges=[v4("0.0.0.0/1")]), ADMIN_V4, False),
        (tcp(22, IpRanges=[v4("10.0.0.0/8")]), {"ports": [22], "cidrs": ["10.1.0.0/16"]}, True),
        (tcp(22, Ipv6Ranges=[v6("::/0")]), ADMIN_V4, False),
        (tcp(22, PrefixListIds=[{"PrefixListId": "pl-1"}]), DATABASE | ADMIN_V4, False),
        ({"IpProtocol": "-1", "IpRanges": [v4("0.0.0.0/0")]}, ALL_TRAFFIC, True),
        ({"IpProtocol": "all", "IpRanges": [v4("0.0.0.0/0")]}, ALL_TRAFFIC, False),
        (tcp(0, 65535, IpRanges=[v4("0.0.0.0/0")]), ALL_TRAFFIC, False),
    ],
)
def test_what_counts_as_open(entry: dict[str, Any], rule: dict[str, Any], is_open: bool) -> None:
    [one] = entries([entry])
    assert OpenRule.of(rule).is_open(one) is is_open


@pytest.mark.parametrize(
    "policy",
    [
        "ec2-sg-no-open-admin-ports-ipv4",
        "ec2-sg-no-open-admin-ports-ipv6",
        "ec2-sg-no-open-database-ports",
        "ec2-sg-no-unrestricted-all-traffic",
        "ec2-sg-default-restricts-all",
    ],
)
def test_the_policy_names_the_fix_and_they_agree_on_its_examples(policy: str) -> None:
    document = yaml.safe_load((PACK / f"{policy}.yaml").read_text())
    fix = fix_named(document["autofix"]["action"])
    assert document["id"] in fix.policies
    params = document["autofix"].get("params", {})
    if "ports" in document.get("params", {}):
        assert params["ports"] == document["params"]["ports"]["default"]
    where = group_target("sg-0123456789abcdef0", **params)
    for verdict in ("pass", "fail"):
        for config in document["examples"][verdict]:
            current = {
                "GroupName": config.get("GroupName"),
                "Ingress": entries(config.get("IpPermissions")),
                "Egress": entries(config.get("IpPermissionsEgress")),
            }
            assert fix.is_compliant(current, where) is (verdict == "pass"), config


# --- ec2-sg-default-no-rules --------------------------------------------------------------


def test_the_default_group_loses_every_rule_and_gets_them_back(
    aws: AccountAws, client: Callable[[str], Any]
) -> None:
    ec2 = client("ec2")
    # an IPv6 VPC: moto drops IPv6 CIDRs from egress revokes in a VPC without one
    vpc = ec2.create_vpc(CidrBlock="10.2.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    filters = [{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
    group = ec2.describe_security_groups(Filters=filters)["SecurityGroups"][0]["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": group, "Description": "self"}]}
        ],
    )
    ec2.authorize_security_group_egress(
        GroupId=group, IpPermissions=[tcp(443, PrefixListIds=[{"PrefixListId": "pl-63a5400a"}])]
    )
    fix = fix_named("ec2-sg-default-no-rules")
    where = group_target(group, "default")
    backup = drill(fix, aws, where)
    assert backup["GroupName"] == "default"
    assert (len(backup["Ingress"]), len(backup["Egress"])) == (1, 3)
    fix.apply(aws, where, backup)
    emptied = described(client, group)
    assert (emptied["IpPermissions"], emptied["IpPermissionsEgress"]) == ([], [])
    fix.rollback(aws, where, backup)
    assert fix.read(aws, where) == backup


def test_other_groups_are_left_alone(aws: AccountAws, client: Callable[[str], Any]) -> None:
    group = new_group(client, "app-rules", tcp(443, IpRanges=[v4("0.0.0.0/0")]))
    fix = fix_named("ec2-sg-default-no-rules")
    where = group_target(group, "app-rules")
    current = fix.read(aws, where)
    assert fix.is_compliant(current, where)
    assert fix.calls(current, where) == []
