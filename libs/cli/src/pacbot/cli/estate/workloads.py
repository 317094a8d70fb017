"""Team workloads: the same small service stack for every team, environment and region.

The demo estate grows by rows, not by code. A ``Workload`` names a team (its owner and
application), an environment and the flaws it was given; ``seed`` builds one stack per row: a
bucket, an instance behind the workload's security group (its root volume and network interface
come with it), a work queue and its dead-letter queue, an events topic, a table, a log group and a
worker function. Each stack is hardened to the pack's baseline except for its flaws, and each flaw
breaks exactly the policies its resource declares.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pacbot.cli.estate import awslambda, dynamodb, ec2, iam, kms, logs, s3, sns, sqs
from pacbot.cli.estate._model import Account, Seeded, anyone_may, seeded

PUBLIC_BUCKET = "public-bucket"
UNENCRYPTED_BUCKET = "unencrypted-bucket"
NO_LIFECYCLE = "no-lifecycle"
NO_VERSIONING = "no-versioning"
UNTAGGED = "untagged"
"""The Application tag is missing from the bucket, instance, table and function."""
ENV_TYPO = "env-typo"
"""The Environment tag says e.g. ``Production``, outside the allowed values."""
IMDSV1 = "imdsv1"
OLD_GENERATION = "old-generation"
NO_PROFILE = "no-profile"
OPEN_SSH = "open-ssh"
OPEN_DATABASE = "open-database"
PLAIN_QUEUE = "plain-queue"
PUBLIC_QUEUE = "public-queue"
NO_DEAD_LETTER = "no-dead-letter"
PLAIN_TOPIC = "plain-topic"
PUBLIC_TOPIC = "public-topic"
UNPROTECTED_TABLE = "unprotected-table"
PLAIN_LOGS = "plain-logs"
NO_RETENTION = "no-retention"
SHORT_RETENTION = "short-retention"
OLD_RUNTIME = "old-runtime"
UNTRACED = "untraced"
LOOSE_VOLUME = "loose-volume"
IDLE_ADDRESS = "idle-address"

TYPOS = {"prod": "Production", "staging": "Stage", "dev": "Development", "sandbox": "Sandbox"}
DEFAULT_VPC_CIDR = "172.31.0.0/16"
SECURITY_GROUP = "aws.ec2.security_group"


@dataclass(frozen=True)
class Team:
    """A team: the application it runs and the mailbox its Owner tags name."""

    name: str
    application: str

    @property
    def owner(self) -> str:
        """The team's address, as its resources' Owner tag carries it."""
        return f"{self.name}@acme.example"


@dataclass(frozen=True)
class Workload:
    """One team's stack in one environment, with the flaws it was given."""

    team: Team
    environment: str
    flaws: frozenset[str] = frozenset()

    @property
    def prefix(self) -> str:
        """``<team>-<environment>``, the start of every name in the stack."""
        return f"{self.team.name}-{self.environment}"

    @property
    def tags(self) -> dict[str, str]:
        """Owner, Environment and Application, less what the flaws take away or misspell."""
        environment = self.environment
        if ENV_TYPO in self.flaws:
            environment = TYPOS.get(environment, environment.title())
        tags = {
            "Owner": self.team.owner,
            "Environment": environment,
            "Application": self.team.application,
        }
        if UNTAGGED in self.flaws:
            del tags["Application"]
        return tags

    def tag_breaks(self, kind: str) -> set[str]:
        """The tagging policies of ``kind`` (e.g. ``ec2-instance``) this workload fails."""
        found = set()
        if UNTAGGED in self.flaws:
            found.add(f"aws-tagging-{kind}-mandatory-tags")
        if ENV_TYPO in self.flaws:
            found.add(f"aws-tagging-{kind}-environment-value")
        return found


@dataclass(frozen=True)
class Shared:
    """What every workload of one account and region uses: a key, an identity, a network."""

    key_arn: str
    role_arn: str
    profile: str
    image: str
    vpc_id: str
    subnet: str


def identities(account: Account) -> tuple[str, str, list[Seeded]]:
    """The account's workload role (for instances and functions) and its instance profile."""
    client = account.client("iam")
    name = account.name_of("workloads")
    services = {"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]}
    arn = client.create_role(RoleName=name, AssumeRolePolicyDocument=iam.trust(services))["Role"][
        "Arn"
    ]
    client.create_instance_profile(InstanceProfileName=name)
    client.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
    return str(arn), name, [seeded(iam.ROLE, arn)]


def shared(account: Account, role_arn: str, profile: str) -> tuple[Shared, list[Seeded]]:
    """The region's workload key (hardened) and its default VPC's first subnet."""
    key_arn = kms.key(account, "workloads")
    client = account.client("ec2")
    vpc = client.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    subnets = client.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])
    subnet = sorted(s["SubnetId"] for s in subnets["Subnets"])[0]
    place = Shared(key_arn, role_arn, profile, ec2.machine_image(client), vpc["VpcId"], subnet)
    return place, [seeded(kms.KEY, key_arn)]


def buckets(workloads: list[Workload], log_bucket: str, region: str) -> list[s3.SeededBucket]:
    """The region's access-log bucket, then one bucket per workload (names are global)."""
    platform = {"Owner": "platform@acme.example", "Environment": "prod", "Application": "logging"}
    found = [s3.SeededBucket(log_bucket, tags=platform)]
    for w in workloads:
        found.append(
            s3.SeededBucket(
                f"acme-{w.prefix}-{region}",
                public_acl=PUBLIC_BUCKET in w.flaws,
                encrypted=UNENCRYPTED_BUCKET not in w.flaws,
                lifecycle=NO_LIFECYCLE not in w.flaws,
                versioned=NO_VERSIONING not in w.flaws,
                tags=w.tags,
            )
        )
    return found


def seed(account: Account, place: Shared, workload: Workload) -> list[Seeded]:
    """One workload's stack (its bucket is seeded with the region's, see ``buckets``)."""
    stack = replace(account, name=workload.prefix)
    found = _compute(stack, place, workload)
    dead_letter, messaging = _messaging(stack, place, workload)
    found += messaging
    found += _data(stack, place, workload)
    found += _function(stack, place, workload, dead_letter)
    return found


def _compute(stack: Account, place: Shared, w: Workload) -> list[Seeded]:
    """The security group, the instance (root volume and interface), stray volume or address."""
    client = stack.client("ec2")
    ssh_from = "0.0.0.0/0" if OPEN_SSH in w.flaws else DEFAULT_VPC_CIDR
    ingress = [ec2.tcp(443, "0.0.0.0/0"), ec2.tcp(22, ssh_from)]
    group_breaks = {"aws-ec2-sg-no-open-admin-ports-ipv4"} if OPEN_SSH in w.flaws else set()
    if OPEN_DATABASE in w.flaws:
        ingress.append(ec2.tcp(5432, "0.0.0.0/0"))
        group_breaks.add("aws-ec2-sg-no-open-database-ports")
    group = client.create_security_group(
        GroupName=stack.name_of("app"), Description=f"{w.prefix} app", VpcId=place.vpc_id
    )["GroupId"]
    client.authorize_security_group_ingress(GroupId=group, IpPermissions=ingress)
    found = [seeded(SECURITY_GROUP, stack.arn("ec2", f"security-group/{group}"), group_breaks)]
    spec = ec2.SeededInstance(
        "app",
        instance_type="m3.medium" if OLD_GENERATION in w.flaws else "t3.small",
        imdsv2=IMDSV1 not in w.flaws,
        profile=NO_PROFILE not in w.flaws,
        tags=tuple(w.tags.items()),
    )
    instance = ec2.launch(stack, spec, place.image, place.subnet, group, place.profile)
    found.append(seeded(ec2.INSTANCE, stack.arn("ec2", f"instance/{instance}"), spec.breaks))
    found += ec2.attachments(stack, [instance])
    if LOOSE_VOLUME in w.flaws:
        zone = client.describe_subnets(SubnetIds=[place.subnet])["Subnets"][0]["AvailabilityZone"]
        volume = client.create_volume(AvailabilityZone=zone, Size=50, Encrypted=True)["VolumeId"]
        arn = stack.arn("ec2", f"volume/{volume}")
        found.append(seeded(ec2.VOLUME, arn, {"aws-ec2-volume-unattached"}))
    if IDLE_ADDRESS in w.flaws:
        address = client.allocate_address(Domain="vpc")["AllocationId"]
        arn = stack.arn("ec2", f"elastic-ip/{address}")
        found.append(seeded(ec2.ELASTIC_IP, arn, {"aws-ec2-elastic-ip-unassociated"}))
    return found


def _messaging(stack: Account, place: Shared, w: Workload) -> tuple[str | None, list[Seeded]]:
    """The work queue (with its dead-letter queue unless flawed) and the events topic."""
    found: list[Seeded] = []
    dead_letter: str | None = None
    queue_attributes: dict[str, str] = {"KmsMasterKeyId": place.key_arn}
    if NO_DEAD_LETTER not in w.flaws:
        _, dead_letter = sqs.queue(stack, "jobs-dlq", w.tags, KmsMasterKeyId=place.key_arn)
        found.append(seeded(sqs.QUEUE, dead_letter))
        queue_attributes["RedrivePolicy"] = sqs.redrive_to(dead_letter)
    if PLAIN_QUEUE in w.flaws:
        queue_attributes = {
            **{k: v for k, v in queue_attributes.items() if k != "KmsMasterKeyId"},
            "SqsManagedSseEnabled": "false",
        }
    url, jobs = sqs.queue(stack, "jobs", w.tags, **queue_attributes)
    if PUBLIC_QUEUE in w.flaws:
        sqs.open_to_anyone(stack, url, jobs)
    queue_breaks = {
        policy
        for flaw, policy in (
            (NO_DEAD_LETTER, sqs.DEAD_LETTER),
            (PLAIN_QUEUE, "aws-sqs-queue-encrypted"),
            (PUBLIC_QUEUE, "aws-sqs-queue-public-policy"),
        )
        if flaw in w.flaws
    }
    found.append(seeded(sqs.QUEUE, jobs, queue_breaks))
    client = stack.client("sns")
    encryption = {} if PLAIN_TOPIC in w.flaws else {"KmsMasterKeyId": place.key_arn}
    topic = client.create_topic(
        Name=stack.name_of("events"),
        Attributes=encryption,
        Tags=[{"Key": k, "Value": v} for k, v in w.tags.items()],
    )["TopicArn"]
    topic_breaks = {"aws-sns-topic-encrypted"} if PLAIN_TOPIC in w.flaws else set()
    if PUBLIC_TOPIC in w.flaws:
        client.set_topic_attributes(
            TopicArn=topic, AttributeName="Policy", AttributeValue=anyone_may("SNS:Publish", topic)
        )
        topic_breaks.add("aws-sns-topic-public-policy")
    found.append(seeded(sns.TOPIC, topic, topic_breaks))
    return dead_letter, found


def _data(stack: Account, place: Shared, w: Workload) -> list[Seeded]:
    """The workload's table and its log group."""
    unprotected = UNPROTECTED_TABLE in w.flaws
    table = dynamodb.table(stack, "items", None if unprotected else place.key_arn, w.tags)
    table_breaks = set(dynamodb.UNPROTECTED) if unprotected else set()
    found = [seeded(dynamodb.TABLE, table, table_breaks | w.tag_breaks("dynamodb-table"))]
    retention: int | None = 365
    log_breaks = set()
    if NO_RETENTION in w.flaws:
        retention = None
        log_breaks.add("aws-logs-log-group-retention-set")
    elif SHORT_RETENTION in w.flaws:
        retention = 14
        log_breaks.add("aws-logs-log-group-retention-minimum")
    key: str | None = place.key_arn
    if PLAIN_LOGS in w.flaws:
        key = None
        log_breaks.add("aws-logs-log-group-kms-encrypted")
    group = logs.log_group(stack, "app", key, retention, w.tags)
    found.append(seeded(logs.LOG_GROUP, group, log_breaks))
    return found


def _function(stack: Account, place: Shared, w: Workload, dead_letter: str | None) -> list[Seeded]:
    """The worker function; moto never reports a dead-letter target (``MOTO_GAPS``)."""
    breaks = w.tag_breaks("lambda-function")
    if OLD_RUNTIME in w.flaws:
        breaks.add("aws-lambda-function-deprecated-runtime")
    if UNTRACED in w.flaws:
        breaks.add("aws-lambda-function-tracing")
    if dead_letter is None:
        breaks.add(awslambda.DEAD_LETTER)
    arn = awslambda.function(
        stack,
        "worker",
        place.role_arn,
        dead_letter_arn=dead_letter,
        runtime="python3.8" if OLD_RUNTIME in w.flaws else "python3.12",
        tags=w.tags,
        traced=UNTRACED not in w.flaws,
    )
    return [seeded(awslambda.FUNCTION, arn, breaks, gaps={awslambda.DEAD_LETTER})]
