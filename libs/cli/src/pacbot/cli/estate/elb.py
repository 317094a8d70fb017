"""Load balancers: classic and application, each hardened and left at defaults."""

from __future__ import annotations

from typing import Any

from pacbot.cli.estate._model import Account, Seeded, seeded

CLASSIC = "aws.elb.load_balancer"
APPLICATION = "aws.elbv2.load_balancer"
TLS13 = "ELBSecurityPolicy-TLS13-1-2-2021-06"
LEGACY_TLS = "ELBSecurityPolicy-2016-08"
LISTENER = "aws.elbv2.listener"
TARGET_GROUP = "aws.elbv2.target_group"


def seed(
    account: Account, subnets: list[str], group: str, certificate: str, logs_bucket: str
) -> list[Seeded]:
    """Every load balancer with what it must fail."""
    return _classic(account, subnets, group, certificate, logs_bucket) + _application(
        account, subnets, group, certificate, logs_bucket
    )


def _classic(
    account: Account, subnets: list[str], group: str, certificate: str, bucket: str
) -> list[Seeded]:
    elb = account.client("elb")

    def balancer(name: str, protocol: str, protocols: dict[str, bool] | None = None) -> str:
        port = 443 if protocol == "HTTPS" else 80
        listener = {
            "Protocol": protocol,
            "LoadBalancerPort": port,
            "InstanceProtocol": protocol,
            "InstancePort": port,
        }
        if protocol == "HTTPS":
            listener["SSLCertificateId"] = certificate
        name = account.name_of(name)
        elb.create_load_balancer(
            LoadBalancerName=name, Listeners=[listener], Subnets=subnets[:1], SecurityGroups=[group]
        )
        if protocols is not None:
            elb.create_load_balancer_policy(
                LoadBalancerName=name,
                PolicyName="tls",
                PolicyTypeName="SSLNegotiationPolicyType",
                PolicyAttributes=[
                    {"AttributeName": f"Protocol-{p}", "AttributeValue": str(on).lower()}
                    for p, on in protocols.items()
                ],
            )
            elb.set_load_balancer_policies_of_listener(
                LoadBalancerName=name, LoadBalancerPort=port, PolicyNames=["tls"]
            )
        return account.arn("elasticloadbalancing", f"loadbalancer/{name}")

    def harden(arn: str) -> None:
        elb.modify_load_balancer_attributes(
            LoadBalancerName=arn.rsplit("/", 1)[1],
            LoadBalancerAttributes={
                "CrossZoneLoadBalancing": {"Enabled": True},
                "ConnectionDraining": {"Enabled": True, "Timeout": 300},
                "AccessLog": {"Enabled": True, "S3BucketName": bucket, "EmitInterval": 60},
            },
        )

    good = balancer("web-classic", "HTTPS", {"TLSv1": False, "TLSv1.1": False, "TLSv1.2": True})
    harden(good)
    weak = balancer("old-tls-classic", "HTTPS", {"TLSv1": True, "TLSv1.2": True})
    harden(weak)
    bare = balancer("old-classic", "HTTP")
    elb.modify_load_balancer_attributes(
        LoadBalancerName=bare.rsplit("/", 1)[1],
        LoadBalancerAttributes={
            "CrossZoneLoadBalancing": {"Enabled": False},
            "ConnectionDraining": {"Enabled": False},
        },
    )
    return [
        seeded(CLASSIC, good),
        seeded(CLASSIC, weak, {"aws-elb-classic-tls-protocols"}),
        seeded(
            CLASSIC,
            bare,
            {
                "aws-elb-classic-access-logs",
                "aws-elb-classic-connection-draining",
                "aws-elb-classic-cross-zone",
                "aws-elb-classic-encrypted-listeners",
            },
        ),
    ]


def _application(
    account: Account, subnets: list[str], group: str, certificate: str, bucket: str
) -> list[Seeded]:
    elbv2 = account.client("elbv2")

    def balancer(name: str) -> str:
        return str(
            elbv2.create_load_balancer(
                Name=account.name_of(name),
                Subnets=subnets,
                SecurityGroups=[group],
                Type="application",
            )["LoadBalancers"][0]["LoadBalancerArn"]
        )

    good = balancer("web-alb")
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=good,
        Attributes=[
            {"Key": "deletion_protection.enabled", "Value": "true"},
            {"Key": "access_logs.s3.enabled", "Value": "true"},
            {"Key": "access_logs.s3.bucket", "Value": bucket},
            {"Key": "routing.http.desync_mitigation_mode", "Value": "defensive"},
            {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
        ],
    )
    redirect = {
        "Type": "redirect",
        "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"},
    }

    def listener(
        balancer: str, protocol: str, port: int, action: dict[str, Any], **tls: Any
    ) -> str:
        created = elbv2.create_listener(
            LoadBalancerArn=balancer, Protocol=protocol, Port=port, DefaultActions=[action], **tls
        )
        return str(created["Listeners"][0]["ListenerArn"])

    acm = [{"CertificateArn": certificate}]
    fixed = {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200"}}
    good_listeners = [
        listener(good, "HTTP", 80, redirect),
        listener(good, "HTTPS", 443, fixed, SslPolicy=TLS13, Certificates=acm),
    ]
    bare = balancer("old-alb")
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=bare,
        Attributes=[{"Key": "routing.http.desync_mitigation_mode", "Value": "monitor"}],
    )
    legacy_group = _legacy_target_group(account, subnets)
    # An IAM server certificate the IAM estate uploaded: never renewed, unlike ACM's.
    server_certificates = account.client("iam").list_server_certificates()
    iam_certificate = sorted(
        m["Arn"] for m in server_certificates["ServerCertificateMetadataList"]
    )[0]
    forward = {"Type": "forward", "TargetGroupArn": legacy_group}
    return [
        seeded(APPLICATION, good),
        seeded(
            APPLICATION,
            bare,
            {
                "aws-elbv2-access-logs",
                "aws-elbv2-deletion-protection",
                "aws-elbv2-desync-mitigation",
                "aws-elbv2-drop-invalid-headers",
                "aws-elbv2-http-redirects-to-https",
                "aws-elbv2-tls-policy",
            },
        ),
        *(seeded(LISTENER, arn) for arn in good_listeners),
        seeded(
            LISTENER,
            listener(bare, "HTTP", 80, fixed),
            {"aws-elbv2-listener-http-redirect"},
        ),
        seeded(
            LISTENER,
            listener(bare, "HTTPS", 443, fixed, SslPolicy=LEGACY_TLS, Certificates=acm),
            {"aws-elbv2-listener-tls-policy"},
        ),
        seeded(
            LISTENER,
            listener(
                bare,
                "HTTPS",
                8443,
                forward,
                SslPolicy=TLS13,
                Certificates=[{"CertificateArn": iam_certificate}],
            ),
            {"aws-elbv2-listener-acm-certificate"},
        ),
        seeded(
            TARGET_GROUP,
            legacy_group,
            {
                "aws-elbv2-target-group-health-check",
                "aws-elbv2-target-group-https",
                "aws-elbv2-target-group-deregistration-delay",
            },
        ),
    ]


def _legacy_target_group(account: Account, subnets: list[str]) -> str:
    """A plain-HTTP target group without health checks that drops in-flight requests."""
    elbv2 = account.client("elbv2")
    subnet = account.client("ec2").describe_subnets(SubnetIds=subnets[:1])["Subnets"][0]
    arn = str(
        elbv2.create_target_group(
            Name=account.name_of("legacy-tg"), Protocol="HTTP", Port=80, VpcId=subnet["VpcId"]
        )["TargetGroups"][0]["TargetGroupArn"]
    )
    elbv2.modify_target_group(TargetGroupArn=arn, HealthCheckEnabled=False)
    elbv2.modify_target_group_attributes(
        TargetGroupArn=arn,
        Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "0"}],
    )
    return arn
