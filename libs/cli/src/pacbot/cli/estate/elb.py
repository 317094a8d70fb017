"""Load balancers: classic and application, each hardened and left at defaults."""

from __future__ import annotations

from pacbot.cli.estate._model import Account, Seeded, seeded

CLASSIC = "aws.elb.load_balancer"
APPLICATION = "aws.elbv2.load_balancer"


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
    elbv2.create_listener(LoadBalancerArn=good, Protocol="HTTP", Port=80, DefaultActions=[redirect])
    fixed = {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200"}}
    elbv2.create_listener(
        LoadBalancerArn=good,
        Protocol="HTTPS",
        Port=443,
        SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06",
        Certificates=[{"CertificateArn": certificate}],
        DefaultActions=[fixed],
    )
    bare = balancer("old-alb")
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=bare,
        Attributes=[{"Key": "routing.http.desync_mitigation_mode", "Value": "monitor"}],
    )
    elbv2.create_listener(LoadBalancerArn=bare, Protocol="HTTP", Port=80, DefaultActions=[fixed])
    elbv2.create_listener(
        LoadBalancerArn=bare,
        Protocol="HTTPS",
        Port=443,
        SslPolicy="ELBSecurityPolicy-2016-08",
        Certificates=[{"CertificateArn": certificate}],
        DefaultActions=[fixed],
    )
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
    ]
