"""Load balancers through the connectors: TLS with access logs vs plain HTTP, classic and v2."""

from __future__ import annotations

from typing import Any

ACCOUNT = "123456789012"
TLS12 = "ELBSecurityPolicy-TLS-1-2-2017-01"


def a_subnet(ec2: Any, vpc: str, cidr: str, zone: str) -> str:
    subnet: str = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"][
        "SubnetId"
    ]
    return subnet


def test_classic_https_with_tls12_and_logs_vs_http(aws: Any, discover: Any) -> None:
    ec2, elb = aws("ec2"), aws("elb")
    vpc = ec2.create_vpc(CidrBlock="10.6.0.0/16")["Vpc"]["VpcId"]
    subnet = a_subnet(ec2, vpc, "10.6.1.0/24", "us-east-1a")
    elb.create_load_balancer(
        LoadBalancerName="secure",
        Listeners=[
            {
                "Protocol": "HTTPS",
                "LoadBalancerPort": 443,
                "InstanceProtocol": "HTTP",
                "InstancePort": 80,
                "SSLCertificateId": f"arn:aws:iam::{ACCOUNT}:server-certificate/web",
            }
        ],
        Subnets=[subnet],
        Tags=[{"Key": "Owner", "Value": "web-team"}],
    )
    elb.create_load_balancer_policy(
        LoadBalancerName="secure",
        PolicyName="tls12",
        PolicyTypeName="SSLNegotiationPolicyType",
        PolicyAttributes=[
            {"AttributeName": "Reference-Security-Policy", "AttributeValue": TLS12},
            {"AttributeName": "Protocol-TLSv1.2", "AttributeValue": "true"},
            {"AttributeName": "Protocol-TLSv1", "AttributeValue": "false"},
        ],
    )
    elb.set_load_balancer_policies_of_listener(
        LoadBalancerName="secure", LoadBalancerPort=443, PolicyNames=["tls12"]
    )
    elb.modify_load_balancer_attributes(
        LoadBalancerName="secure",
        LoadBalancerAttributes={
            "AccessLog": {"Enabled": True, "S3BucketName": "elb-logs", "EmitInterval": 5},
            "CrossZoneLoadBalancing": {"Enabled": True},
        },
    )
    elb.create_load_balancer(
        LoadBalancerName="plain",
        Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}],
        Subnets=[subnet],
    )

    found = discover("aws.elb.load_balancer")

    arn = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/"
    assert set(found) == {arn + "secure", arn + "plain"}
    secure = found[arn + "secure"]
    assert secure.owner == "web-team"
    good = secure.config
    assert good["Tags"] == {"Owner": "web-team"}
    [listener] = good["Listeners"]
    assert listener["Protocol"] == "HTTPS"
    assert listener["SslNegotiationPolicy"] == "tls12"
    assert listener["ReferenceSecurityPolicy"] == TLS12
    assert listener["SslProtocols"] == ["TLSv1.2"]
    assert good["Policies"][0]["Attributes"]["Reference-Security-Policy"] == TLS12
    assert good["AccessLogsEnabled"] is True
    assert good["Attributes"]["AccessLog"]["S3BucketName"] == "elb-logs"
    assert good["CrossZoneLoadBalancing"] is True
    bad = found[arn + "plain"].config
    assert [x["Protocol"] for x in bad["Listeners"]] == ["HTTP"]
    assert bad["Listeners"][0]["SslNegotiationPolicy"] is None
    assert bad["Listeners"][0]["ReferenceSecurityPolicy"] is None
    assert bad["AccessLogsEnabled"] is False
    assert bad["CrossZoneLoadBalancing"] is False
    assert bad["Scheme"] == "internet-facing"
    assert bad["Tags"] == {}


def test_alb_https_tls12_with_logs_vs_http_only(aws: Any, discover: Any) -> None:
    ec2, elbv2 = aws("ec2"), aws("elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        a_subnet(ec2, vpc, "10.7.1.0/24", "us-east-1a"),
        a_subnet(ec2, vpc, "10.7.2.0/24", "us-east-1b"),
    ]
    certificate = aws("acm").request_certificate(DomainName="shop.example.com")["CertificateArn"]
    target = elbv2.create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=vpc)
    forward = [{"Type": "forward", "TargetGroupArn": target["TargetGroups"][0]["TargetGroupArn"]}]
    good_arn = elbv2.create_load_balancer(
        Name="secure-alb",
        Subnets=subnets,
        Scheme="internal",
        Tags=[{"Key": "Owner", "Value": "shop"}],
    )["LoadBalancers"][0]["LoadBalancerArn"]
    elbv2.create_listener(
        LoadBalancerArn=good_arn,
        Protocol="HTTPS",
        Port=443,
        SslPolicy=TLS12,
        Certificates=[{"CertificateArn": certificate}],
        DefaultActions=forward,
    )
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=good_arn,
        Attributes=[
            {"Key": "access_logs.s3.enabled", "Value": "true"},
            {"Key": "access_logs.s3.bucket", "Value": "alb-logs"},
            {"Key": "deletion_protection.enabled", "Value": "true"},
            {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
        ],
    )
    bad_arn = elbv2.create_load_balancer(
        Name="plain-alb",
        Subnets=subnets,
        Scheme="internet-facing",  # moto omits it unless given
    )["LoadBalancers"][0]["LoadBalancerArn"]
    elbv2.create_listener(LoadBalancerArn=bad_arn, Protocol="HTTP", Port=80, DefaultActions=forward)

    found = discover("aws.elbv2.load_balancer")

    assert set(found) == {good_arn, bad_arn}
    secure = found[good_arn]
    assert secure.name == "secure-alb"
    assert secure.owner == "shop"
    good = secure.config
    assert good["Type"] == "application"
    assert good["Scheme"] == "internal"
    [listener] = good["Listeners"]
    assert (listener["Protocol"], listener["Port"], listener["SslPolicy"]) == ("HTTPS", 443, TLS12)
    assert listener["Certificates"] == [{"CertificateArn": certificate}]
    assert listener["DefaultActions"][0]["Type"] == "forward"
    assert "LoadBalancerArn" not in listener
    assert good["Attributes"]["access_logs.s3.bucket"] == "alb-logs"
    assert good["AccessLogsEnabled"] is True
    assert good["DeletionProtectionEnabled"] is True
    assert good["DropInvalidHeaderFields"] is True
    bad = found[bad_arn].config
    assert [(x["Protocol"], x["Port"]) for x in bad["Listeners"]] == [("HTTP", 80)]
    assert not bad["Listeners"][0].get("Certificates")  # (moto adds an SslPolicy even to HTTP)
    assert bad["AccessLogsEnabled"] is False
    assert bad["DeletionProtectionEnabled"] is False
    assert bad["DropInvalidHeaderFields"] is not True
    assert bad["Scheme"] == "internet-facing"
    assert bad["Tags"] == {}
