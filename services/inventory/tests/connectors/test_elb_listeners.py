"""ELBv2 listeners and target groups through their connectors: hardened vs left open."""

from __future__ import annotations

from typing import Any

TLS13 = "ELBSecurityPolicy-TLS13-1-2-2021-06"


def _vpc_and_subnets(ec2: Any) -> tuple[str, list[str]]:
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{n}.0/24", AvailabilityZone=zone)["Subnet"][
            "SubnetId"
        ]
        for n, zone in enumerate(("us-east-1a", "us-east-1b"))
    ]
    return vpc, subnets


def test_https_target_group_vs_plain_http_without_health_checks(aws: Any, discover: Any) -> None:
    elbv2 = aws("elbv2")
    vpc, _ = _vpc_and_subnets(aws("ec2"))
    good = elbv2.create_target_group(
        Name="web",
        Protocol="HTTPS",
        Port=443,
        VpcId=vpc,
        HealthCheckProtocol="HTTPS",
        HealthCheckPath="/healthz",
        Tags=[{"Key": "Owner", "Value": "web-team"}],
    )["TargetGroups"][0]["TargetGroupArn"]
    bad = elbv2.create_target_group(Name="legacy", Protocol="HTTP", Port=80, VpcId=vpc)[
        "TargetGroups"
    ][0]["TargetGroupArn"]
    elbv2.modify_target_group(TargetGroupArn=bad, HealthCheckEnabled=False)
    elbv2.modify_target_group_attributes(
        TargetGroupArn=bad,
        Attributes=[
            {"Key": "deregistration_delay.timeout_seconds", "Value": "0"},
            {"Key": "stickiness.enabled", "Value": "true"},
        ],
    )

    found = discover("aws.elbv2.target_group")

    web, legacy = found[good], found[bad]
    assert web.name == "web"
    assert web.owner == "web-team"
    assert web.config["Protocol"] == "HTTPS"
    assert web.config["HealthCheckEnabled"] is True
    assert web.config["DeregistrationDelaySeconds"] == 300
    assert web.config["StickinessEnabled"] is False
    assert legacy.config["Protocol"] == "HTTP"
    assert legacy.config["HealthCheckEnabled"] is False
    assert legacy.config["DeregistrationDelaySeconds"] == 0
    assert legacy.config["StickinessEnabled"] is True
    assert legacy.config["Attributes"]["deregistration_delay.timeout_seconds"] == "0"
    assert legacy.config["Tags"] == {}


def test_listeners_of_every_load_balancer_with_their_tls_settings(aws: Any, discover: Any) -> None:
    elbv2 = aws("elbv2")
    vpc, subnets = _vpc_and_subnets(aws("ec2"))
    balancer = elbv2.create_load_balancer(Name="web", Subnets=subnets, Type="application")[
        "LoadBalancers"
    ][0]["LoadBalancerArn"]
    group = elbv2.create_target_group(Name="web", Protocol="HTTPS", Port=443, VpcId=vpc)[
        "TargetGroups"
    ][0]["TargetGroupArn"]
    forward = [{"Type": "forward", "TargetGroupArn": group}]
    acm = aws("acm").request_certificate(DomainName="web.example.com")["CertificateArn"]
    iam = aws("iam").upload_server_certificate(
        ServerCertificateName="old", CertificateBody="-", PrivateKey="-"
    )["ServerCertificateMetadata"]["Arn"]
    elbv2.create_listener(
        LoadBalancerArn=balancer,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[
            {
                "Type": "redirect",
                "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"},
            }
        ],
    )
    elbv2.create_listener(
        LoadBalancerArn=balancer,
        Protocol="HTTPS",
        Port=443,
        SslPolicy=TLS13,
        Certificates=[{"CertificateArn": acm}],
        DefaultActions=forward,
        Tags=[{"Key": "Owner", "Value": "web-team"}],
    )
    elbv2.create_listener(
        LoadBalancerArn=balancer,
        Protocol="HTTPS",
        Port=8443,
        SslPolicy="ELBSecurityPolicy-2016-08",
        Certificates=[{"CertificateArn": iam}],
        DefaultActions=forward,
    )

    found = {a.name: a for a in discover("aws.elbv2.listener").values()}

    assert set(found) == {"web:80", "web:443", "web:8443"}
    redirect, https, legacy = found["web:80"], found["web:443"], found["web:8443"]
    assert redirect.config["DefaultActions"][0]["RedirectConfig"]["Protocol"] == "HTTPS"
    assert redirect.config["LoadBalancerType"] == "application"
    assert redirect.config["LoadBalancerArn"] == balancer
    assert https.asset_id == https.config["ListenerArn"] == https.config["Arn"]
    assert https.owner == "web-team"
    assert https.config["SslPolicy"] == TLS13
    assert https.config["Certificates"] == [{"CertificateArn": acm}]
    assert https.config["LoadBalancerName"] == "web"
    assert legacy.config["SslPolicy"] == "ELBSecurityPolicy-2016-08"
    assert legacy.config["Certificates"][0]["CertificateArn"].startswith("arn:aws:iam::")
    assert legacy.config["Tags"] == {}
