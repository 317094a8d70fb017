"""The demo's estate: two accounts in two regions, each resource declared with its failures.

* **production** (401234567890): in us-east-1 the whole estate, every resource type hardened
  then broken on purpose (``seed_estate``); in eu-west-1 the European copies of four customer
  facing workloads, where GuardDuty is on but AWS Config and EBS encryption by default were
  forgotten.
* **development** (502345678901): account-level settings left at AWS's defaults (``seed_lax``,
  in eu-west-1), and the dev, staging and sandbox workloads of five teams in both regions.

Both accounts are reached the way PacBot reaches any account: by assuming a role in it
(``role_arn``), which moto honours by filing every request under that account.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from pacbot.cli.estate import (
    athena,
    cloudtrail,
    config,
    ec2,
    emr,
    glue,
    guardduty,
    open_account,
    seed_estate,
    seed_lax,
    vpc,
)
from pacbot.cli.estate import s3 as s3_estate
from pacbot.cli.estate import workloads as stacks
from pacbot.cli.estate._model import Account, Seeded, seeded
from pacbot.cli.estate.workloads import (
    ENV_TYPO,
    IDLE_ADDRESS,
    IMDSV1,
    LOOSE_VOLUME,
    NO_DEAD_LETTER,
    NO_LIFECYCLE,
    NO_PROFILE,
    NO_RETENTION,
    NO_VERSIONING,
    OLD_GENERATION,
    OLD_RUNTIME,
    OPEN_DATABASE,
    OPEN_SSH,
    PLAIN_LOGS,
    PLAIN_QUEUE,
    PLAIN_TOPIC,
    PUBLIC_BUCKET,
    PUBLIC_QUEUE,
    PUBLIC_TOPIC,
    SHORT_RETENTION,
    UNENCRYPTED_BUCKET,
    UNPROTECTED_TABLE,
    UNTAGGED,
    UNTRACED,
    Team,
    Workload,
)

ROLE_NAME = "PacBotAudit"
"""The role PacBot assumes in every account (onboarded as ``role_arn``)."""
REGIONS = ("us-east-1", "eu-west-1")


@dataclass(frozen=True)
class DemoAccount:
    """An account of the demo: its id, its name in PacBot, its resources' name prefix."""

    account_id: str
    name: str
    prefix: str

    @property
    def role_arn(self) -> str:
        """The role PacBot is onboarded with."""
        return f"arn:aws:iam::{self.account_id}:role/{ROLE_NAME}"


PRODUCTION = DemoAccount("401234567890", "acme-production", "prod")
DEVELOPMENT = DemoAccount("502345678901", "acme-development", "dev")
ACCOUNTS = (PRODUCTION, DEVELOPMENT)

PAYMENTS = Team("payments", "checkout")
WEB = Team("web", "storefront")
DATA = Team("data", "analytics")
SEARCH = Team("search", "catalog-search")
MOBILE = Team("mobile", "mobile-api")
ML = Team("ml", "recommendations")


def _w(team: Team, environment: str, *flaws: str) -> Workload:
    return Workload(team, environment, frozenset(flaws))


WORKLOADS: dict[tuple[DemoAccount, str], tuple[Workload, ...]] = {
    (PRODUCTION, "eu-west-1"): (
        _w(PAYMENTS, "prod"),
        _w(WEB, "prod", OPEN_SSH, LOOSE_VOLUME),
        _w(SEARCH, "prod", UNPROTECTED_TABLE, NO_RETENTION),
        _w(ML, "prod", OLD_GENERATION, UNTAGGED, PLAIN_TOPIC),
    ),
    (DEVELOPMENT, "us-east-1"): (
        _w(PAYMENTS, "dev", IMDSV1, PLAIN_QUEUE),
        _w(WEB, "dev", PUBLIC_BUCKET, ENV_TYPO),
        _w(DATA, "dev", UNENCRYPTED_BUCKET, NO_LIFECYCLE, IDLE_ADDRESS, OPEN_DATABASE),
        _w(MOBILE, "dev", OLD_RUNTIME, UNTRACED, NO_DEAD_LETTER),
        _w(ML, "sandbox", NO_PROFILE, SHORT_RETENTION, UNPROTECTED_TABLE, LOOSE_VOLUME),
    ),
    (DEVELOPMENT, "eu-west-1"): (
        _w(PAYMENTS, "staging"),
        _w(WEB, "staging", PUBLIC_QUEUE, PUBLIC_TOPIC, UNTAGGED),
        _w(SEARCH, "staging", OLD_GENERATION, NO_VERSIONING),
        _w(MOBILE, "staging", IMDSV1, PLAIN_LOGS),
    ),
}
"""Each region's workloads; production/us-east-1 holds the whole estate instead."""


@dataclass(frozen=True)
class Site:
    """One account in one region."""

    account: DemoAccount
    region: str


@dataclass
class DemoEstate:
    """What was seeded where, with what each resource must fail."""

    endpoint_url: str
    seeded: dict[Site, list[Seeded]] = field(default_factory=dict)

    @property
    def resources(self) -> list[Seeded]:
        """Every seeded resource (global ones once per account)."""
        return [s for found in self.seeded.values() for s in found]

    def summary(self) -> dict[str, Any]:
        """What was declared: counts by type and account, and how often each policy must fail."""
        by_account: Counter[str] = Counter()
        for site, found in self.seeded.items():
            by_account[site.account.account_id] += len(found)
        resources = self.resources
        failures = Counter(p for s in resources for p in s.expected_failures)
        return {
            "resources": len(resources),
            "types": len({s.resource_type for s in resources}),
            "accounts": sorted(by_account),
            "regions": sorted({site.region for site in self.seeded}),
            "by_account": dict(sorted(by_account.items())),
            "by_type": dict(sorted(Counter(s.resource_type for s in resources).items())),
            "expected_failures": dict(sorted(failures.items())),
        }


Step = tuple[str, Callable[[], list[Seeded]]]


def _site_steps(site: Site, account: Account, identity: tuple[str, str] | None) -> list[Step]:
    """What seeding one site takes, step by step (run in order)."""
    if site == Site(PRODUCTION, "us-east-1"):
        return [
            (
                "production/us-east-1: every resource type, broken on purpose",
                lambda: seed_estate(account),
            )
        ]
    steps: list[Step] = []
    label = f"{site.account.name.removeprefix('acme-')}/{site.region}"
    if site == Site(DEVELOPMENT, "eu-west-1"):
        steps.append((f"{label}: account settings at AWS defaults", lambda: _lax(account)))
    else:
        steps.append((f"{label}: regional settings", lambda: _regional(site, account)))
    steps.append((f"{label}: default VPC", lambda: _default_network(account)))
    workloads = WORKLOADS.get((site.account, site.region), ())
    if workloads and identity:
        role_arn, profile = identity
        place: dict[str, stacks.Shared] = {}

        def common() -> list[Seeded]:
            shared, found = stacks.shared(account, role_arn, profile)
            place["shared"] = shared
            log_bucket = f"acme-{site.account.prefix}-access-logs-{site.region}"
            buckets = stacks.buckets(list(workloads), log_bucket, site.region)
            s3_estate.seed(account.client("s3"), tuple(buckets))
            return found + s3_estate.as_seeded(buckets)

        def stack(workload: Workload) -> list[Seeded]:
            return stacks.seed(account, place["shared"], workload)

        steps.append((f"{label}: workload key and buckets", common))
        steps += [(f"{label}: {w.prefix}", partial(stack, w)) for w in workloads]
    return steps


def _regional(site: Site, account: Account) -> list[Seeded]:
    """Away from an account's home region. Production runs GuardDuty and Security Hub in every
    region (the account's posture checks Security Hub in all swept regions), but AWS Config and
    EBS encryption by default were forgotten, and nobody turned on the Glue Data Catalog's
    encryption anywhere but the home region; every region has its default Athena workgroup;
    production blocks public access to EMR clusters everywhere; development has none of it."""
    if site.account == PRODUCTION:
        account.client("securityhub").enable_security_hub(EnableDefaultStandards=False)
        detector = guardduty.seed(account) + emr.block_public_access(account)
    else:
        detector = guardduty.lax(account) + emr.lax(account)
    defaults = config.lax(account) + ec2.lax(account) + glue.lax(account) + athena.lax(account)
    return detector + defaults


def _lax(account: Account) -> list[Seeded]:
    """``seed_lax``, with the trail it creates (single-region, unvalidated, unencrypted, not sent
    to CloudWatch Logs) and that trail's bucket, both left at every default."""
    found = seed_lax(account)
    trail = account.arn("cloudtrail", f"trail/{account.name_of('forgotten')}")
    found.append(
        seeded(
            cloudtrail.TRAIL,
            trail,
            {
                "aws-cloudtrail-trail-cloudwatch-logs",
                "aws-cloudtrail-trail-kms-encrypted",
                "aws-cloudtrail-trail-log-file-validation",
                "aws-cloudtrail-trail-multi-region-logging",
            },
        )
    )
    bucket = s3_estate.SeededBucket(
        account.name_of("trail-bucket"),
        tags={},
        encrypted=False,
        versioned=False,
        logged=False,
        lifecycle=False,
        tls_only=False,
    )
    return found + s3_estate.as_seeded([bucket])


def _default_network(account: Account) -> list[Seeded]:
    return vpc.default_vpc(account) + ec2.default_groups(account)


def seed_demo(
    endpoint_url: str,
    progress: Callable[[str, int, int], None] | None = None,
    account_seeded: Callable[[DemoAccount], None] | None = None,
    threads: int = 2,
) -> DemoEstate:
    """Seed every site, sites in parallel and the steps of one site in order.

    ``progress`` hears each finished step as (label, steps done, steps in all);
    ``account_seeded`` hears each account once all its regions are seeded (so it can be scanned
    while the other is still being seeded). Two threads keep moto (one process) busy without
    starving the longest site, production/us-east-1, which goes first with production's other
    region, so that account is ready early.
    """
    sites = [Site(account, region) for account in ACCOUNTS for region in REGIONS]
    estate = DemoEstate(endpoint_url, {site: [] for site in sites})
    opened = {
        site: open_account(endpoint_url, site.account.account_id, site.region, site.account.prefix)
        for site in sites
    }
    identity: dict[DemoAccount, tuple[str, str]] = {}
    for site in sites:
        if (site.account, site.region) in WORKLOADS and site.account not in identity:
            role_arn, profile, found = stacks.identities(opened[site])
            identity[site.account] = (role_arn, profile)
            estate.seeded[site] += found
    plan = {site: _site_steps(site, opened[site], identity.get(site.account)) for site in sites}
    total = sum(len(steps) for steps in plan.values())
    done = 0
    unseeded = {site.account: {s for s in sites if s.account == site.account} for site in sites}
    lock = threading.Lock()

    def run(site: Site) -> None:
        nonlocal done
        for label, step in plan[site]:
            estate.seeded[site] += step()
            with lock:
                done += 1
                if progress:
                    progress(label, done, total)
        with lock:
            unseeded[site.account].discard(site)
            finished = not unseeded[site.account]
        if finished and account_seeded:
            account_seeded(site.account)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for future in [pool.submit(run, site) for site in sites]:
            future.result()
    return estate
