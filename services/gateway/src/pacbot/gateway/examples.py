"""An example call of every public route, written into the OpenAPI document.

Most routes forward the caller's body and the service's answer as raw bytes, so FastAPI cannot
document either. These examples follow the services' own request and response models (field
names, shapes, ids) and tell one story: account ``111122223333``, whose marketing-site bucket was
made public, found by ``aws-s3-bucket-public-access``, exempted on request, and a fix elsewhere.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http import HTTPStatus
from typing import Any

Route = tuple[str, str]
V = "/api/v1"
EXPIRY_DAYS = 90
"""Request examples' ``expires_at`` lies this far ahead: the service refuses past moments."""


@dataclass(frozen=True)
class Example:
    """A successful call: its status and answer, the body it sent, its path and query."""

    status: int
    answer: Any = None
    body: Any = None
    body_required: bool = True
    media_type: str = "application/json"
    text_bodies: tuple[tuple[str, str], ...] = ()
    path: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    """Query parameters of the call; a forwarded route's are documented from these."""


ACCOUNT = "111122223333"
SITE = "arn:aws:s3:::acme-marketing-site"
WEB_INSTANCE = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0a1b2c3d4e5f60718"
PUBLIC_POLICY = "aws-s3-bucket-public-access"
RETENTION_POLICY = "aws-logs-log-group-retention-minimum"
VIOLATION_ID = "v-d6d358e28d73139bf102"
EXCEPTION_ID = "ex-5f1c2a9e8b7d4c3e2f10"
STICKY_ID = "ex-0b7e4d2c9a8f6e5d3c21"
PLAN_ID = "fp-8c41e07b2a9d5f36e1c0"
KEY_ID = "a41c7e9b2d6f0835"
CANONICAL_OWNER = "8f2b9c41d7e6a05c3b1e9d2f4a6c8e0b1d3f5a7c9e2b4d6f8a0c2e4b6d8f0a1c"
SITE_TAGS = {"Owner": "web@acme.example", "Environment": "prod", "Application": "website"}
OWNER_GRANT = {
    "Grantee": {"Type": "CanonicalUser", "ID": CANONICAL_OWNER},
    "Permission": "FULL_CONTROL",
}
ALL_USERS_READ = {
    "Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
    "Permission": "READ",
}
PUBLIC_REASON = (
    "PublicAccessBlock does not set BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, "
    "RestrictPublicBuckets and PublicAclGrants = ['READ'] (should be empty)"
)
SITE_CONFIG = {
    "Name": "acme-marketing-site",
    "Arn": SITE,
    "Region": "us-east-1",
    "CreationDate": "2024-03-12T08:41:09Z",
    "Acl": {"Owner": {"ID": CANONICAL_OWNER}, "Grants": [OWNER_GRANT, ALL_USERS_READ]},
    "PublicAclGrants": ["READ"],
    "Policy": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "s3:*",
                "Resource": [SITE, f"{SITE}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    },
    "PolicyStatus": {"IsPublic": False},
    "PublicAccessBlock": None,
    "Encryption": {
        "Rules": [
            {
                "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                "BucketKeyEnabled": True,
            }
        ]
    },
    "Versioning": {"Status": "Enabled", "MFADelete": "Disabled"},
    "Logging": {"TargetBucket": "acme-logs", "TargetPrefix": "s3/acme-marketing-site/"},
    "Lifecycle": [
        {
            "ID": "housekeeping",
            "Filter": {"Prefix": ""},
            "Status": "Enabled",
            "NoncurrentVersionExpiration": {"NoncurrentDays": 90},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
        }
    ],
    "Tags": SITE_TAGS,
}
ASSET = {
    "asset_id": SITE,
    "account_id": ACCOUNT,
    "region": "us-east-1",
    "resource_type": "aws.s3.bucket",
    "name": "acme-marketing-site",
    "tags": SITE_TAGS,
    "owner": "web@acme.example",
    "version": 3,
    "config": SITE_CONFIG,
    "config_hash": "d638459ae6e5ab9aba2328cdcdf3b5f20f4e3f58f8fa10fcd9fd7a4c107c370d",
    "deleted": False,
    "first_seen": "2026-11-02T09:20:11.642996Z",
    "last_seen": "2026-11-30T06:00:41.876883Z",
}
ACCOUNT_OUT = {
    "account_id": ACCOUNT,
    "name": "acme-prod",
    "role_arn": f"arn:aws:iam::{ACCOUNT}:role/PacBotDiscovery",
    "has_external_id": True,
    "regions": ["us-east-1", "eu-west-1"],
    "created_at": "2026-11-02T09:15:27.318456Z",
    "enabled": True,
    "status": "valid",
    "validation_error": None,
    "validated_at": "2026-11-02T09:15:27.318456Z",
    "source": "manual",
}
SWEEP = {
    "sweep_id": "6f1d2c3b-8e4a-4b9f-9a7e-2c5d8f0b1e34",
    "account_id": ACCOUNT,
    "region": "global",
    "resource_type": "aws.s3.bucket",
    "status": "succeeded",
    "error": None,
    "seen": 42,
    "upserted": 3,
    "deleted": 0,
    "started_at": "2026-11-30T06:00:02.201050Z",
    "finished_at": "2026-11-30T06:00:41.876883Z",
}
GROUP_CRITERIA = {
    "accounts": [ACCOUNT],
    "resource_types": ["aws.s3.bucket"],
    "tags": {"Environment": "prod"},
}
GROUP = {
    "name": "prod-data",
    "description": "Production S3 buckets of the main account",
    "criteria": GROUP_CRITERIA,
    "created_at": "2026-11-03T11:02:45.090658Z",
    "updated_at": "2026-11-03T11:02:45.090658Z",
    "member_count": 31,
}
POLICY = {
    "id": PUBLIC_POLICY,
    "version": 1,
    "name": "S3 buckets must not be publicly accessible",
    "description": "A bucket whose ACL grants access to AllUsers or AuthenticatedUsers, or whose "
    "bucket policy AWS evaluates as public, exposes its objects to anyone. A PublicAccessBlock "
    "that sets all four flags neutralises both, so such a bucket passes.",
    "resource": "aws.s3.bucket",
    "severity": "critical",
    "category": "security",
    "enabled": True,
    "autofix": {"action": "s3-block-public-access", "grace_seconds": 86400.0, "params": {}},
    "frameworks": {"cis-aws-3.0": ["2.1.4"]},
    "remediation": {
        "text": "Enable all four S3 Block Public Access settings on the bucket, then remove "
        "public ACL grants and public statements from the bucket policy.",
        "links": [
            "https://docs.aws.amazon.com/AmazonS3/latest/userguide/"
            "access-control-block-public-access.html"
        ],
    },
}
RETENTION_CHANGE = {
    "policy_id": RETENTION_POLICY,
    "revision": 1,
    "changed_at": "2026-11-30T10:41:07.512122Z",
    "changed_by": "admin@acme.example",
    "reason": "SOC 2 evidence must be kept for 400 days",
    "changes": {"params": {"min_days": {"before": 365, "after": 400}}},
}
VIOLATION = {
    "violation_id": VIOLATION_ID,
    "asset_id": SITE,
    "account_id": ACCOUNT,
    "region": "us-east-1",
    "resource_type": "aws.s3.bucket",
    "asset_name": "acme-marketing-site",
    "policy_id": PUBLIC_POLICY,
    "policy_name": "S3 buckets must not be publicly accessible",
    "severity": "critical",
    "category": "security",
    "status": "open",
    "reason": PUBLIC_REASON,
    "close_reason": None,
    "exception_id": None,
    "episode": 1,
    "owner": "web@acme.example",
    "tags": SITE_TAGS,
    "opened_at": "2026-11-28T14:05:12.481084Z",
    "updated_at": "2026-11-28T14:05:12.903022Z",
    "closed_at": None,
    "timeline": [
        {"at": "2026-11-28T14:05:12.481084Z", "event": "opened", "detail": PUBLIC_REASON},
        {
            "at": "2026-11-28T14:05:12.903022Z",
            "event": "reminded",
            "detail": "owner notified by AutoFix (s3-block-public-access, will apply): owner "
            "web@acme.example notified; fix due at 2026-11-29T14:05:12.903022+00:00",
        },
    ],
}
EXCEPTION_REQUEST = {
    "kind": "resource",
    "asset_ids": [SITE],
    "policy_ids": [PUBLIC_POLICY],
    "reason": "Public static website behind CloudFront; only site assets are stored here",
    "expires_at": "2027-02-26T00:00:00Z",
}
PENDING = {
    "exception_id": EXCEPTION_ID,
    "kind": "resource",
    "asset_ids": [SITE],
    "policy_ids": [PUBLIC_POLICY],
    "criteria": None,
    "reason": EXCEPTION_REQUEST["reason"],
    "requester": "web@acme.example",
    "status": "pending",
    "expires_at": "2027-02-26T00:00:00Z",
    "created_at": "2026-11-28T16:30:05.227838Z",
    "approver": None,
    "decided_at": None,
    "decision_reason": None,
    "revoked_at": None,
    "revoked_by": None,
    "revoke_reason": None,
    "expiring_soon_sent_at": None,
}
APPROVAL = "Reviewed: site assets only, served through CloudFront"
REJECTION = "Too broad: tag sandbox buckets with an Owner instead of exempting them"
REVOCATION = "The site moved to its own account"
ACTIVE = {
    **PENDING,
    "status": "active",
    "approver": "security@acme.example",
    "decided_at": "2026-11-28T17:02:44.913646Z",
    "decision_reason": APPROVAL,
}
STICKY_REQUEST = {
    "kind": "sticky",
    "criteria": {"accounts": [ACCOUNT], "tags": {"Environment": "sandbox"}},
    "policy_ids": ["aws-tagging-s3-bucket-mandatory-tags"],
    "reason": "Sandbox buckets are short-lived and tagged by their creator's session only",
    "expires_at": "2027-02-26T00:00:00Z",
}
PARTNER = "arn:aws:s3:::acme-partner-uploads"
PARTNER_VIOLATION = "v-e0c56a85eb0dcc6348d9"
PLAN_DUE = "2026-11-21T03:12:09.554163Z"
PUBLIC_BLOCK_CALL = {
    "service": "s3",
    "operation": "put_public_access_block",
    "params": {
        "Bucket": "acme-partner-uploads",
        "PublicAccessBlockConfiguration": {
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    },
}
PLAN = {
    "plan_id": PLAN_ID,
    "kind": "fix",
    "rollback_of": None,
    "trigger": "event",
    "requested_by": None,
    "violation_id": PARTNER_VIOLATION,
    "asset_id": PARTNER,
    "asset_name": "acme-partner-uploads",
    "resource_type": "aws.s3.bucket",
    "account_id": ACCOUNT,
    "region": "us-east-1",
    "owner": "partners@acme.example",
    "policy_id": PUBLIC_POLICY,
    "action": "s3-block-public-access",
    "status": "applied",
    "immediate": False,
    "grace_seconds": 86400.0,
    "due_at": PLAN_DUE,
    "dry_run": False,
    "notified_at": "2026-11-20T03:12:09.554163Z",
    "reminders_sent": 1,
    "applied_at": "2026-11-21T03:12:10.871943Z",
    "detail": "applied and verified: Enable all four S3 Block Public Access settings on "
    f"aws.s3.bucket acme-partner-uploads ({PARTNER})",
    "backup": {"PublicAccessBlock": None},
    "calls": [PUBLIC_BLOCK_CALL],
    "created_at": "2026-11-20T03:12:08.904517Z",
    "updated_at": "2026-11-21T03:12:10.871943Z",
}
PLAN_HISTORY = [
    {
        "at": "2026-11-20T03:12:08.904517Z",
        "step": "planned",
        "detail": "s3-block-public-access planned: due 86400s after the owner is notified",
        "data": {},
    },
    {
        "at": PLAN["notified_at"],
        "step": "notified",
        "detail": "the owner partners@acme.example was told by email",
        "data": {},
    },
    {
        "at": "2026-11-21T03:12:10.402211Z",
        "step": "backed_up",
        "detail": "backed up and planned 1 call",
        "data": {"calls": [PUBLIC_BLOCK_CALL]},
    },
    {
        "at": PLAN["applied_at"],
        "step": "applied",
        "detail": PLAN["detail"],
        "data": {"calls": [PUBLIC_BLOCK_CALL]},
    },
]
PLAN_NOTICE = {
    "id": "n-3b9e1f27c4d80a65",
    "kind": "notice",
    "subject_ref": PLAN_ID,
    "recipient": "partners@acme.example",
    "template": "fix-notice",
    "subject": "PacBot will fix acme-partner-uploads (aws-s3-bucket-public-access)",
    "status": "delivered",
    "detail": None,
    "dedupe_key": f"notice:{PLAN_ID}",
    "created_at": "2026-11-20T03:12:08.904517Z",
    "settled_at": PLAN["notified_at"],
    "delivered_at": PLAN["notified_at"],
    "deliveries": [
        {
            "channel": "email",
            "status": "delivered",
            "attempts": 1,
            "next_attempt_at": None,
            "last_error": None,
            "delivered_at": PLAN["notified_at"],
        }
    ],
}
FIX_NOW_ID = "fp-2d7a90c35e1b48f6a0d3"
FIX_NOW = {
    **PLAN,
    "plan_id": FIX_NOW_ID,
    "trigger": "manual",
    "requested_by": "security@acme.example",
    "violation_id": "v-4a1f9c02d7e3b85a6c10",
    "asset_id": "arn:aws:s3:::acme-press-kit",
    "asset_name": "acme-press-kit",
    "owner": "web@acme.example",
    "status": "waiting",
    "immediate": True,
    "grace_seconds": 0.0,
    "due_at": "2026-12-02T10:04:31.220918Z",
    "notified_at": None,
    "reminders_sent": 0,
    "applied_at": None,
    "detail": "s3-block-public-access planned by security@acme.example: due now, still "
    "re-checked and guarded",
    "backup": None,
    "calls": None,
    "created_at": "2026-12-02T10:04:31.220918Z",
    "updated_at": "2026-12-02T10:04:31.220918Z",
}
ROLLBACK_REASON = "the partner portal needs its public ACL until the CDN migration on 12-15"
ROLLBACK = {
    **PLAN,
    "plan_id": "fp-91e6c0b84f2a7d35c1e8",
    "kind": "rollback",
    "rollback_of": PLAN_ID,
    "trigger": "manual",
    "requested_by": "security@acme.example",
    "status": "waiting",
    "immediate": True,
    "grace_seconds": 0.0,
    "due_at": "2026-12-02T10:15:02.664310Z",
    "notified_at": None,
    "reminders_sent": 0,
    "applied_at": None,
    "detail": f"rollback of {PLAN_ID} requested by security@acme.example: {ROLLBACK_REASON}",
    "backup": None,
    "calls": None,
    "created_at": "2026-12-02T10:15:02.664310Z",
    "updated_at": "2026-12-02T10:15:02.664310Z",
}
PENDING_FIX_ID = "fp-5e0b3c8a1f94d27e6b05"
PENDING_FIX = {
    **PLAN,
    "plan_id": PENDING_FIX_ID,
    "violation_id": "v-8b2e5d7f0a6c93e41d27",
    "asset_id": "arn:aws:s3:::acme-design-assets",
    "asset_name": "acme-design-assets",
    "owner": "design@acme.example",
    "status": "waiting",
    "due_at": "2026-12-03T08:30:00Z",
    "notified_at": "2026-12-02T08:30:00Z",
    "reminders_sent": 0,
    "applied_at": None,
    "detail": "the owner design@acme.example was told; due at 2026-12-03T08:30:00Z",
    "backup": None,
    "calls": None,
    "created_at": "2026-12-02T08:29:59.104227Z",
    "updated_at": "2026-12-02T08:30:00.201554Z",
}
CANCEL_REASON = "design is moving the bucket behind CloudFront this week; exception requested"
POSTPONE_REASON = "the owner is on leave until Monday"
FIX_CATALOG_ENTRY = {
    "name": "s3-block-public-access",
    "resource_type": "aws.s3.bucket",
    "policies": [PUBLIC_POLICY],
    "read_permissions": ["s3:GetBucketPublicAccessBlock"],
    "write_permissions": ["s3:PutBucketPublicAccessBlock"],
    "reversible": True,
    "backs_up": "the bucket's PublicAccessBlock configuration (null when it had none)",
    "verifies": "reads the PublicAccessBlock back and requires all four flags on",
    "description": "Enable all four S3 Block Public Access settings",
}
PAUSE = {
    "policy_id": PUBLIC_POLICY,
    "reason": f"21 fixes of {PUBLIC_POLICY} in the last 1h; the cap is 20",
    "paused_at": "2026-11-28T14:02:51.338104Z",
    "resumed_at": None,
    "resumed_by": None,
}
KEY = {
    "key_id": KEY_ID,
    "name": "ci-scanner",
    "subject": "ci-scanner",
    "roles": ["viewer"],
    "groups": [],
    "accounts": [ACCOUNT],
    "asset_groups": None,
    "created_by": "admin@acme.example",
    "created_at": "2026-11-30T09:41:17.204850Z",
    "expires_at": "2026-12-30T09:41:17.204850Z",
    "revoked_at": None,
    "revoked_by": None,
    "last_used_at": "2026-12-01T07:58:12.330013Z",
    "rotated_to": None,
}
SUCCESSOR = {
    **KEY,
    "key_id": "c9d2e7f41a3b6058",
    "created_at": "2026-12-01T08:00:03.551447Z",
    "expires_at": "2026-12-31T08:00:03.551447Z",
    "last_used_at": None,
    "token": "pbk_c9d2e7f41a3b6058_8neZXCD7eCgt9EeoXKaf2P15XSgg68mzsxeGkLSD58Y",
}
REPLACED = {**KEY, "expires_at": "2026-12-01T09:00:03.551447Z", "rotated_to": "c9d2e7f41a3b6058"}
AUDIT_ENTRY = {
    "id": 4812,
    "at": "2026-11-28T17:02:44.958897Z",
    "actor": "security@acme.example",
    "roles": ["security"],
    "credential": "session:5b0e9d3c7a1f2e84",
    "method": "POST",
    "route": "/api/v1/exceptions/{exception_id}/approve",
    "path": f"/api/v1/exceptions/{EXCEPTION_ID}/approve",
    "targets": {"exception_id": EXCEPTION_ID},
    "status": 200,
    "outcome": "success",
    "request_id": "3c9e1f7a5b2d4e6f8a0b1c2d3e4f5a6b",
    "detail": None,
}
NO_RESULTS = {"episodes": 0, "mean_hours": None, "median_hours": None}
WHATIF_DRAFT = {
    "id": PUBLIC_POLICY,
    "version": 2,
    "name": "S3 buckets must block public access",
    "description": "Every bucket sets all four S3 Block Public Access flags, whatever its ACL "
    "and bucket policy allow today.",
    "resource": "aws.s3.bucket",
    "severity": "critical",
    "category": "security",
    "frameworks": {"cis-aws-3.0": ["2.1.4"]},
    "remediation": {"text": "Enable all four S3 Block Public Access settings on the bucket."},
    "condition": {"check": "s3-public-access-block-enabled"},
}
WHATIF_YAML = """\
id: aws-s3-bucket-public-access
version: 2
name: S3 buckets must block public access
description: >-
  Every bucket sets all four S3 Block Public Access flags, whatever its ACL and bucket
  policy allow today.
resource: aws.s3.bucket
severity: critical
category: security
frameworks:
  cis-aws-3.0: ["2.1.4"]
remediation:
  text: Enable all four S3 Block Public Access settings on the bucket.
condition:
  check: s3-public-access-block-enabled
"""
NO_BLOCK = PUBLIC_REASON.split(" and ", 1)[0]
CSV_EXPORT = (
    "violation_id,status,severity,category,policy_id,policy_name,asset_id,asset_name,"
    "resource_type,account_id,region,owner,tags,reason,close_reason,exception_id,episode,"
    "opened_at,updated_at,closed_at,age_days\r\n"
    "v-d6d358e28d73139bf102,open,critical,security,aws-s3-bucket-public-access,"
    "S3 buckets must not be publicly accessible,arn:aws:s3:::acme-marketing-site,"
    "acme-marketing-site,aws.s3.bucket,111122223333,us-east-1,web@acme.example,"
    "Application=website;Environment=prod;Owner=web@acme.example,"
    '"PublicAccessBlock does not set BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, '
    "RestrictPublicBuckets and PublicAclGrants = ['READ'] (should be empty)\",,,1,"
    "2026-11-28T14:05:12.481084+00:00,2026-11-28T14:05:12.903022+00:00,,1.788\r\n"
    "v-9cff7d0f0f7006af9ad4,open,medium,security,aws-s3-bucket-mfa-delete,"
    "Versioned S3 buckets must require MFA to delete versions,arn:aws:s3:::acme-marketing-site,"
    "acme-marketing-site,aws.s3.bucket,111122223333,us-east-1,web@acme.example,"
    "Application=website;Environment=prod;Owner=web@acme.example,"
    "Versioning.Status = 'Enabled' (should not equal 'Enabled') and Versioning.MFADelete = "
    "'Disabled' (should equal 'Enabled'),,,1,2026-11-28T14:05:12.481084+00:00,"
    "2026-11-28T14:05:12.481084+00:00,,1.788\r\n"
)
OCSF_FINDING = {
    "class_uid": 2003,
    "class_name": "Compliance Finding",
    "category_uid": 2,
    "category_name": "Findings",
    "activity_id": 2,
    "activity_name": "Update",
    "type_uid": 200302,
    "type_name": "Compliance Finding: Update",
    "severity_id": 5,
    "severity": "Critical",
    "status_id": 1,
    "status": "New",
    "time": 1795874712903,
    "start_time": 1795874712481,
    "end_time": None,
    "message": PUBLIC_REASON,
    "metadata": {
        "version": "1.1.0",
        "product": {"name": "PacBot", "vendor_name": "PacBot"},
        "profiles": ["cloud"],
        "uid": f"{VIOLATION_ID}:1",
    },
    "cloud": {"provider": "AWS", "region": "us-east-1", "account": {"uid": ACCOUNT}},
    "finding_info": {
        "uid": VIOLATION_ID,
        "title": "S3 buckets must not be publicly accessible",
        "desc": PUBLIC_REASON,
        "types": ["security"],
        "created_time": 1795874712481,
        "first_seen_time": 1795874712481,
        "modified_time": 1795874712903,
        "last_seen_time": 1795874712903,
    },
    "compliance": {
        "standards": ["cis-aws-3.0"],
        "requirements": ["cis-aws-3.0: 2.1.4"],
        "control": PUBLIC_POLICY,
        "status_id": 3,
        "status": "Fail",
        "status_detail": PUBLIC_REASON,
    },
    "resources": [
        {
            "uid": SITE,
            "name": "acme-marketing-site",
            "type": "aws.s3.bucket",
            "region": "us-east-1",
            "cloud_partition": "aws",
            "labels": ["Application=website", "Environment=prod", "Owner=web@acme.example"],
            "owner": {"email_addr": "web@acme.example"},
        }
    ],
    "unmapped": {
        "pacbot_status": "open",
        "close_reason": None,
        "exception_id": None,
        "episode": 1,
    },
}
SWEEP_FAILED = {
    **SWEEP,
    "sweep_id": "0a4e7c9d-3b1f-4e2a-8c6d-5f9b1a2e3c4d",
    "region": "eu-west-1",
    "resource_type": "aws.rds.instance",
    "status": "failed",
    "error": "AccessDenied: User: arn:aws:sts::111122223333:assumed-role/PacBotDiscovery/pacbot "
    "is not authorized to perform: rds:DescribeDBInstances",
    "seen": 0,
    "upserted": 0,
    "started_at": "2026-11-30T06:00:02.204247Z",
    "finished_at": "2026-11-30T06:00:02.968764Z",
}

CIS_FRAMEWORK = {
    "framework_id": "cis-aws-3.0",
    "name": "CIS Amazon Web Services Foundations Benchmark",
    "version": "3.0.0",
    "publisher": "Center for Internet Security",
    "url": "https://www.cisecurity.org/benchmark/amazon_web_services",
    "controls": 62,
    "automated": 54,
    "manual": 8,
    "mapped_controls": 56,
    "mapped_automated": 54,
    "policies": 60,
}
CIS_PUBLIC_CONTROL = {
    "control_id": "2.1.4",
    "title": "Ensure that S3 Buckets are configured with 'Block public access (bucket settings)'",
    "section": "Storage",
    "subsection": "Simple Storage Service (S3)",
    "profile": "Level 1",
}
CIS_PUBLIC_POLICY = {
    "policy_id": PUBLIC_POLICY,
    "name": "S3 buckets must not be publicly accessible",
    "severity": "critical",
    "category": "security",
    "enabled": True,
}


CIS_FAILING_SITE = {
    "asset_id": SITE,
    "asset_name": "acme-marketing-site",
    "resource_type": "aws.s3.bucket",
    "account_id": ACCOUNT,
    "region": "us-east-1",
    "policy_id": PUBLIC_POLICY,
    "violation_id": VIOLATION_ID,
    "reason": "PublicAccessBlock does not set BlockPublicAcls",
}
CIS_EXEMPTED_DOWNLOADS = {
    **CIS_FAILING_SITE,
    "asset_id": "arn:aws:s3:::acme-public-downloads",
    "asset_name": "acme-public-downloads",
    "violation_id": "v-3b1f0c9e7a5d2c4e6f80",
    "reason": "PublicAccessBlock does not set BlockPublicPolicy",
}
CIS_REPORT = {
    "framework_id": "cis-aws-3.0",
    "name": CIS_FRAMEWORK["name"],
    "version": "3.0.0",
    "scope": f"account:{ACCOUNT}",
    "exempted_as_passing": False,
    "controls": 62,
    "passing": 1,
    "failing": 1,
    "manual": 8,
    "not_evaluated": 52,
    "compliance_pct": 50.0,
    "items": [
        {
            **CIS_PUBLIC_CONTROL,
            "manual": False,
            "status": "fail",
            "evaluated": 42,
            "passing": 40,
            "failing": 2,
            "unknown": 0,
            "policies": [
                {
                    **CIS_PUBLIC_POLICY,
                    "evaluated": 42,
                    "passing": 40,
                    "failing": 2,
                    "exempted": 1,
                    "unknown": 0,
                    "compliance_pct": 95.23809523809523,
                }
            ],
            "failing_resources": [CIS_FAILING_SITE],
            "failing_not_listed": 0,
            "exceptions": [
                {
                    **CIS_EXEMPTED_DOWNLOADS,
                    "exception_id": EXCEPTION_ID,
                    "exception_kind": "resource",
                    "expires_at": "2027-02-26T00:00:00Z",
                }
            ],
            "exceptions_not_listed": 0,
        }
    ],
    "total": 1,
}
_CIS_ROW = (
    "cis-aws-3.0,2.1.4,Ensure that S3 Buckets are configured with 'Block public access "
    "(bucket settings)',Storage,Simple Storage Service (S3),Level 1,false,fail,42,40,2,0,"
)
CIS_REPORT_CSV = (
    "framework_id,control_id,title,section,subsection,profile,manual,status,evaluated,passing,"
    "failing,unknown,finding,policy_id,asset_id,asset_name,resource_type,account_id,region,"
    "violation_id,reason,exception_id,exception_kind,exception_expires_at,not_listed\r\n"
    f"{_CIS_ROW}failing,{PUBLIC_POLICY},{SITE},acme-marketing-site,aws.s3.bucket,{ACCOUNT},"
    f"us-east-1,{VIOLATION_ID},PublicAccessBlock does not set BlockPublicAcls,,,,0\r\n"
    f"{_CIS_ROW}exempted,{PUBLIC_POLICY},arn:aws:s3:::acme-public-downloads,"
    f"acme-public-downloads,aws.s3.bucket,{ACCOUNT},us-east-1,v-3b1f0c9e7a5d2c4e6f80,"
    f"PublicAccessBlock does not set BlockPublicPolicy,{EXCEPTION_ID},resource,"
    "2027-02-26T00:00:00+00:00,0\r\n"
)
_CIS_TITLE = (
    "2.1.4 Ensure that S3 Buckets are configured with 'Block public access (bucket settings)'"
)
CIS_REPORT_FINDING = {
    "class_uid": 2003,
    "class_name": "Compliance Finding",
    "category_uid": 2,
    "category_name": "Findings",
    "activity_id": 1,
    "activity_name": "Create",
    "type_uid": 200301,
    "type_name": "Compliance Finding: Create",
    "severity_id": 5,
    "severity": "Critical",
    "status_id": 1,
    "status": "New",
    "time": 1796029200000,
    "message": f"{_CIS_TITLE}: a mapped check fails in scope",
    "metadata": {
        "version": "1.1.0",
        "product": {"name": "PacBot", "vendor_name": "PacBot"},
        "profiles": ["cloud"],
        "uid": f"cis-aws-3.0:2.1.4:account:{ACCOUNT}",
    },
    "cloud": {"provider": "AWS"},
    "finding_info": {
        "uid": f"cis-aws-3.0:2.1.4:account:{ACCOUNT}",
        "title": _CIS_TITLE,
        "desc": "a mapped check fails in scope",
        "types": ["Storage"],
        "created_time": 1796029200000,
    },
    "compliance": {
        "standards": ["cis-aws-3.0"],
        "requirements": ["2.1.4"],
        "control": CIS_PUBLIC_CONTROL["title"],
        "status_id": 3,
        "status": "Fail",
        "status_detail": "a mapped check fails in scope",
    },
    "resources": [
        {
            "uid": row["asset_id"],
            "name": row["asset_name"],
            "type": "aws.s3.bucket",
            "region": "us-east-1",
            "cloud_partition": "aws",
            "data": {
                "account_id": ACCOUNT,
                "policy_id": PUBLIC_POLICY,
                "violation_id": row["violation_id"],
                "reason": row["reason"],
                **extra,
            },
        }
        for row, extra in (
            (CIS_FAILING_SITE, {}),
            (
                CIS_EXEMPTED_DOWNLOADS,
                {
                    "exception_id": EXCEPTION_ID,
                    "exception_kind": "resource",
                    "exception_expires_at": "2027-02-26T00:00:00+00:00",
                },
            ),
        )
    ],
    "unmapped": {
        "pacbot_status": "fail",
        "scope": f"account:{ACCOUNT}",
        "policies": [PUBLIC_POLICY],
        "evaluated": 42,
        "passing": 40,
        "failing": 2,
        "unknown": 0,
        "failing_not_listed": 0,
        "exceptions_not_listed": 0,
    },
}
CIS_REPORT_HTML = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>CIS Amazon Web Services '
    f"Foundations Benchmark 3.0.0: account:{ACCOUNT}</title><style>/* inline, printable */"
    "</style></head><body><h1>CIS Amazon Web Services Foundations Benchmark 3.0.0</h1>"
    f'<p class="muted">cis-aws-3.0 · scope account:{ACCOUNT} · exempted failures count as '
    "failing · generated 2026-11-30T09:00:00+00:00</p>"
    '<table class="summary"><tr><th>Controls passing</th><th>Controls</th><th>Passing</th>'
    "<th>Failing</th><th>Manual</th><th>Not evaluated</th></tr><tr><td>50.0%</td><td>62</td>"
    "<td>1</td><td>1</td><td>8</td><td>52</td></tr></table><h2>Storage</h2><table><tr>"
    "<th>Control</th><th>Title</th><th>Status</th><th>Failing / evaluated</th><th>Policies</th>"
    "</tr><tr><td>2.1.4</td><td>Ensure that S3 Buckets are configured with &#x27;Block public "
    'access (bucket settings)&#x27;</td><td><span class="s fail">Fail</span></td>'
    f"<td>2 / 42</td><td>{PUBLIC_POLICY}</td></tr>"
    "<!-- then the failing resources and the exceptions in force --></table></body></html>\n"
)


def _sandbox(bucket: str, violation_id: str) -> dict[str, str]:
    return {
        "violation_id": violation_id,
        "asset_id": f"arn:aws:s3:::{bucket}",
        "asset_name": bucket,
        "account_id": ACCOUNT,
        "region": "us-east-1",
        "resource_type": "aws.s3.bucket",
        "policy_id": "aws-tagging-s3-bucket-mandatory-tags",
        "severity": "low",
    }


EXAMPLES: dict[Route, Example] = {
    # --- signing in, oneself, keys, audit
    ("POST", f"{V}/session"): Example(
        200,
        {
            "subject": "security@acme.example",
            "roles": ["security"],
            "csrf_token": "9-DxlbUlMimgVeqoIrlRIy0PR8MS7P20UzDEQ9TqO28",
            "expires_at": "2026-11-28T17:00:41.118279Z",
        },
        body={"api_key": "pbk_5b0e9d3c7a1f2e84_Xo3vJ0q8mB6tK2rW9yH4uD7sF1gL5nP0cZ8aE3iQ6wM"},
    ),
    ("DELETE", f"{V}/session"): Example(204),
    ("GET", f"{V}/me"): Example(
        200,
        {
            "subject": "security@acme.example",
            "roles": ["security"],
            "groups": ["platform-security"],
            "accounts": None,
            "asset_groups": None,
            "credential": "session:5b0e9d3c7a1f2e84",
        },
    ),
    ("GET", f"{V}/keys"): Example(
        200,
        {
            "items": [
                KEY,
                {
                    **KEY,
                    "key_id": "3f8a1c9e2b7d4f60",
                    "name": "admin@acme.example",
                    "subject": "admin@acme.example",
                    "roles": ["admin"],
                    "accounts": None,
                    "created_by": "operator:cli",
                    "created_at": "2026-11-02T09:00:51.771650Z",
                    "expires_at": "2027-01-31T09:00:51.771650Z",
                    "last_used_at": "2026-11-30T09:41:17.198897Z",
                },
            ],
            "next_cursor": None,
        },
        query={"limit": "50"},
    ),
    ("POST", f"{V}/keys"): Example(
        201,
        {
            **KEY,
            "last_used_at": None,
            "token": "pbk_a41c7e9b2d6f0835_s7Qm2ZkR4tW8yB1nV5cX9pL3jH6gF0dA2eU4iO8rT1w",
        },
        body={
            "name": "ci-scanner",
            "roles": ["viewer"],
            "accounts": [ACCOUNT],
            "expires_in_days": 30,
        },
    ),
    ("GET", f"{V}/keys/{{key_id}}"): Example(200, KEY),
    ("POST", f"{V}/keys/{{key_id}}/rotate"): Example(201, SUCCESSOR),
    ("POST", f"{V}/keys/{{key_id}}/revoke"): Example(
        200,
        {
            **REPLACED,
            "revoked_at": "2026-12-01T08:31:40.020516Z",
            "revoked_by": "admin@acme.example",
        },
    ),
    ("GET", f"{V}/audit"): Example(
        200,
        {
            "items": [
                AUDIT_ENTRY,
                {
                    **AUDIT_ENTRY,
                    "id": 4811,
                    "at": "2026-11-28T16:58:03.402896Z",
                    "actor": "web@acme.example",
                    "roles": ["owner"],
                    "credential": "key:d408f80d6da5c94b",
                    "status": 403,
                    "outcome": "denied",
                    "request_id": "b1d4e7a0c3f6a9b2c5d8e1f4a7b0c3d6",
                    "detail": "web@acme.example holds ['owner']; POST "
                    "/api/v1/exceptions/{exception_id}/approve needs one of ['admin', 'security']",
                },
            ],
            "next_cursor": "eyJiZWZvcmUiOiA0ODExfQ==",
        },
    ),
    # --- inventory: accounts, scans, resource types
    ("GET", f"{V}/accounts"): Example(
        200,
        {
            "items": [
                ACCOUNT_OUT,
                {
                    **ACCOUNT_OUT,
                    "account_id": "444455556666",
                    "name": "acme-staging",
                    "role_arn": "arn:aws:iam::444455556666:role/PacBotDiscovery",
                    "regions": None,
                    "created_at": "2026-11-02T09:17:40.552314Z",
                    "status": "invalid",
                    "validation_error": "cannot assume arn:aws:iam::444455556666:role/"
                    "PacBotDiscovery: AccessDenied: User: arn:aws:sts::111122223333:assumed-role/"
                    "pacbot-inventory/pacbot is not authorized to perform: sts:AssumeRole on "
                    "resource: arn:aws:iam::444455556666:role/PacBotDiscovery",
                    "validated_at": "2026-11-30T06:00:01.907435Z",
                    "source": "organizations",
                },
            ],
            "next_cursor": None,
        },
        query={"limit": "100"},
    ),
    ("POST", f"{V}/accounts"): Example(
        201,
        ACCOUNT_OUT,
        body={
            "account_id": ACCOUNT,
            "name": "acme-prod",
            "role_arn": f"arn:aws:iam::{ACCOUNT}:role/PacBotDiscovery",
            "external_id": "pacbot-7d3e91",
            "regions": ["us-east-1", "eu-west-1"],
        },
    ),
    ("POST", f"{V}/accounts/organization"): Example(
        200,
        {
            "onboarded": ["444455556666", "777788889999"],
            "already_onboarded": [ACCOUNT],
            "failed": [
                {
                    "account_id": "222233334444",
                    "error": "cannot assume arn:aws:iam::222233334444:role/PacBotDiscovery: "
                    "AccessDenied: User: arn:aws:sts::111122223333:assumed-role/"
                    "pacbot-inventory/pacbot is not authorized to perform: sts:AssumeRole on "
                    "resource: arn:aws:iam::222233334444:role/PacBotDiscovery",
                }
            ],
        },
        body={
            "role_name": "PacBotDiscovery",
            "external_id": "pacbot-7d3e91",
            "regions": ["us-east-1", "eu-west-1"],
        },
    ),
    ("GET", f"{V}/accounts/{{account_id}}"): Example(200, ACCOUNT_OUT),
    ("PATCH", f"{V}/accounts/{{account_id}}"): Example(
        200,
        {**ACCOUNT_OUT, "regions": ["us-east-1", "eu-west-1", "eu-central-1"]},
        body={"regions": ["us-east-1", "eu-west-1", "eu-central-1"]},
    ),
    ("POST", f"{V}/accounts/{{account_id}}/validate"): Example(
        200, {**ACCOUNT_OUT, "validated_at": "2026-11-30T10:20:33.045784Z"}
    ),
    ("GET", f"{V}/scans"): Example(
        200,
        {"items": [SWEEP, SWEEP_FAILED], "sweeps": [SWEEP, SWEEP_FAILED], "next_cursor": None},
        query={"account_id": ACCOUNT, "limit": "50"},
    ),
    ("POST", f"{V}/scans"): Example(
        200,
        {"sweeps": [SWEEP]},
        body={"account_id": ACCOUNT, "resource_types": ["aws.s3.bucket"]},
        body_required=False,
    ),
    ("GET", f"{V}/resources"): Example(
        200,
        {
            "items": [
                {
                    "resource_type": "aws.s3.bucket",
                    "service": "s3",
                    "scope": "global",
                    "permissions": [
                        "s3:ListAllMyBuckets",
                        "s3:GetBucketLocation",
                        "s3:GetBucketAcl",
                        "s3:GetBucketPolicy",
                        "s3:GetBucketPolicyStatus",
                        "s3:GetBucketPublicAccessBlock",
                        "s3:GetEncryptionConfiguration",
                        "s3:GetBucketTagging",
                        "s3:GetBucketVersioning",
                        "s3:GetBucketLogging",
                        "s3:GetLifecycleConfiguration",
                    ],
                    "id_field": "Arn",
                    "name_field": "Name",
                    "description": "Every bucket of the account, whatever its region; assets "
                    "keep the bucket's real region.",
                },
                {
                    "resource_type": "aws.sqs.queue",
                    "service": "sqs",
                    "scope": "regional",
                    "permissions": [
                        "sqs:ListQueues",
                        "sqs:GetQueueAttributes",
                        "sqs:ListQueueTags",
                        "sqs:ListDeadLetterSourceQueues",
                    ],
                    "id_field": "QueueArn",
                    "name_field": "QueueName",
                    "description": "Queues from a paged ListQueues; attributes and tags per "
                    "queue (no batch API exists).",
                },
            ],
            "next_cursor": None,
        },
    ),
    ("GET", f"{V}/resources/iam-policy"): Example(
        200,
        {
            "policies": [
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "PacBotReadS3",
                            "Effect": "Allow",
                            "Action": [
                                "s3:GetBucketAcl",
                                "s3:GetBucketLocation",
                                "s3:GetBucketLogging",
                                "s3:GetBucketPolicy",
                                "s3:GetBucketPolicyStatus",
                                "s3:GetBucketPublicAccessBlock",
                                "s3:GetBucketTagging",
                                "s3:GetBucketVersioning",
                                "s3:GetEncryptionConfiguration",
                                "s3:GetLifecycleConfiguration",
                                "s3:ListAllMyBuckets",
                            ],
                            "Resource": "*",
                        },
                        {
                            "Sid": "PacBotReadSqs",
                            "Effect": "Allow",
                            "Action": [
                                "sqs:GetQueueAttributes",
                                "sqs:ListDeadLetterSourceQueues",
                                "sqs:ListQueueTags",
                                "sqs:ListQueues",
                            ],
                            "Resource": "*",
                        },
                    ],
                }
            ]
        },
    ),
    # --- inventory: assets, change events, groups
    ("GET", f"{V}/assets"): Example(
        200,
        {"items": [ASSET], "total": 42, "next_cursor": "eyJxIjoiYWY3MDRlNWM5ZTc2MTI3ZCIsInAiOjF9"},
        query={"resource_type": "aws.s3.bucket", "limit": "1"},
    ),
    ("GET", f"{V}/assets/search"): Example(
        200,
        {
            "total": 1,
            "items": [
                {
                    "asset_id": SITE,
                    "account_id": ACCOUNT,
                    "region": "us-east-1",
                    "resource_type": "aws.s3.bucket",
                    "name": "acme-marketing-site",
                    "tags": SITE_TAGS,
                    "tag_keys": ["Application", "Environment", "Owner"],
                    "tag_pairs": [
                        "Application=website",
                        "Environment=prod",
                        "Owner=web@acme.example",
                    ],
                    "deleted": "false",
                    "version": 3,
                    "updated_at": "2026-11-30T06:00:41.876+00:00",
                }
            ],
            "facets": {
                "resource_type": {"aws.s3.bucket": 1},
                "account_id": {ACCOUNT: 1},
                "region": {"us-east-1": 1},
                "tag_keys": {"Application": 1, "Environment": 1, "Owner": 1},
                "tags.Application": {"website": 1},
                "tags.Environment": {"prod": 1},
                "tags.Owner": {"web@acme.example": 1},
            },
            "next_cursor": None,
        },
        query={"q": "marketing", "tag": "Environment=prod", "limit": "20"},
    ),
    ("GET", f"{V}/assets/{{asset_id}}"): Example(200, ASSET),
    ("GET", f"{V}/assets/{{asset_id}}/history"): Example(
        200,
        {
            "asset_id": SITE,
            "items": [
                {
                    "version": 3,
                    "change_type": "updated",
                    "changed_at": "2026-11-28T14:04:58.120998+00:00",
                    "changes": [
                        {
                            "path": "Acl.Grants",
                            "op": "changed",
                            "old": [OWNER_GRANT],
                            "new": [OWNER_GRANT, ALL_USERS_READ],
                        },
                        {"path": "PublicAclGrants", "op": "changed", "old": [], "new": ["READ"]},
                    ],
                },
                {
                    "version": 2,
                    "change_type": "updated",
                    "changed_at": "2026-11-12T06:00:38.311465+00:00",
                    "changes": [
                        {
                            "path": "Logging",
                            "op": "changed",
                            "old": None,
                            "new": SITE_CONFIG["Logging"],
                        }
                    ],
                },
                {
                    "version": 1,
                    "change_type": "created",
                    "changed_at": "2026-11-02T09:20:11.642996+00:00",
                    "changes": [],
                },
            ],
            "next_cursor": None,
        },
        query={"limit": "50"},
    ),
    ("POST", f"{V}/assets/replay"): Example(
        200, {"replayed": 42}, body={"resource_types": ["aws.s3.bucket"]}, body_required=False
    ),
    ("POST", f"{V}/assets/reindex"): Example(
        200, {"indexed": 42, "index": "pacbot-assets-v2-1796018712481233"}
    ),
    ("POST", f"{V}/events/aws"): Example(
        200,
        {
            "event": "PutBucketAcl",
            "account": ACCOUNT,
            "region": "us-east-1",
            "changes": [{"resource_type": "aws.s3.bucket", "asset_id": SITE, "action": "upserted"}],
        },
        body={
            "version": "0",
            "id": "7bf73129-1428-4cd3-a780-95db273d1602",
            "detail-type": "AWS API Call via CloudTrail",
            "source": "aws.s3",
            "account": ACCOUNT,
            "time": "2026-11-28T14:04:31Z",
            "region": "us-east-1",
            "resources": [],
            "detail": {
                "eventVersion": "1.09",
                "userIdentity": {
                    "type": "AssumedRole",
                    "accountId": ACCOUNT,
                    "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/WebDeploy/deploy-pipeline",
                },
                "eventTime": "2026-11-28T14:04:31Z",
                "eventSource": "s3.amazonaws.com",
                "eventName": "PutBucketAcl",
                "awsRegion": "us-east-1",
                "sourceIPAddress": "203.0.113.24",
                "requestParameters": {
                    "bucketName": "acme-marketing-site",
                    "Host": "acme-marketing-site.s3.amazonaws.com",
                    "acl": "",
                },
                "responseElements": None,
                "eventType": "AwsApiCall",
                "recipientAccountId": ACCOUNT,
            },
        },
    ),
    ("GET", f"{V}/assets/{{asset_id}}/findings"): Example(
        200,
        {
            "asset_id": WEB_INSTANCE,
            "resource_type": "aws.ec2.instance",
            "account_id": ACCOUNT,
            "region": "us-east-1",
            "owner": "web@acme.example",
            "vulnerabilities": {
                "total": 3,
                "by_severity": {"CRITICAL": 1, "HIGH": 2},
                "fix_available": 2,
            },
            "threats": {"total": 1, "by_severity": {"HIGH": 1}},
            "patching": {
                "managed_instance_id": WEB_INSTANCE.replace(":ec2:", ":ssm:").replace(
                    ":instance/", ":managed-instance/"
                ),
                "ping_status": "Online",
                "compliance": "NON_COMPLIANT",
                "missing": 7,
                "failed": 0,
                "installed_pending_reboot": 1,
                "last_operation": "Scan",
                "last_operation_at": "2026-12-05T06:00:12Z",
            },
            "certificates": [],
            "certificates_expiring": 0,
            "expiring_days": 30,
        },
        path={"asset_id": WEB_INSTANCE},
    ),
    ("GET", f"{V}/findings/summary"): Example(
        200,
        {
            "vulnerabilities": {
                "total": 41,
                "by_severity": {"CRITICAL": 3, "HIGH": 11, "MEDIUM": 20, "LOW": 7},
                "fix_available": 29,
            },
            "threats": {"total": 4, "by_severity": {"HIGH": 1, "MEDIUM": 2, "LOW": 1}},
            "patching": {
                "managed_instances": 18,
                "non_compliant": 5,
                "never_reported": 1,
                "missing_patches": 62,
                "failed_patches": 3,
                "agents_offline": 2,
            },
            "certificates": {"total": 9, "expired": 1, "expiring": 2},
            "expiring_days": 30,
        },
        query={"account_id": ACCOUNT, "expiring_days": "30"},
    ),
    ("GET", f"{V}/groups"): Example(
        200, {"items": [GROUP], "next_cursor": None}, query={"limit": "100"}
    ),
    ("POST", f"{V}/groups"): Example(
        201,
        GROUP,
        body={
            "name": "prod-data",
            "description": GROUP["description"],
            "criteria": GROUP_CRITERIA,
        },
    ),
    ("GET", f"{V}/groups/{{name}}"): Example(
        200,
        {
            **GROUP,
            "breakdown": {
                "resource_type": {"aws.s3.bucket": 31},
                "account_id": {ACCOUNT: 31},
                "region": {"us-east-1": 24, "eu-west-1": 7},
            },
        },
    ),
    ("GET", f"{V}/groups/{{name}}/assets"): Example(
        200,
        {"items": [ASSET], "total": 31, "next_cursor": "eyJxIjoiN2IwNWRkZmNhNWI3NWU5NiIsInAiOjF9"},
        query={"limit": "1"},
    ),
    ("PUT", f"{V}/groups/{{name}}"): Example(
        200,
        {
            **GROUP,
            "criteria": {**GROUP_CRITERIA, "tags": {"Environment": ["prod", "staging"]}},
            "updated_at": "2026-11-30T11:18:09.640405Z",
            "member_count": 38,
        },
        body={
            "description": GROUP["description"],
            "criteria": {**GROUP_CRITERIA, "tags": {"Environment": ["prod", "staging"]}},
        },
    ),
    ("DELETE", f"{V}/groups/{{name}}"): Example(204),
    # --- policies
    ("GET", f"{V}/policies"): Example(
        200,
        {"items": [POLICY], "total": 1, "next_cursor": None},
        query={"resource": "aws.s3.bucket", "q": "public access", "limit": "500"},
    ),
    ("GET", f"{V}/policies/{{policy_id}}"): Example(
        200, {**POLICY, "params": {}, "revision": 0, "updated_at": "2026-11-02T09:00:12.345597Z"}
    ),
    ("PATCH", f"{V}/policies/{{policy_id}}"): Example(
        200,
        {
            "policy": {
                "id": RETENTION_POLICY,
                "version": 1,
                "name": "CloudWatch log groups must keep logs for at least 365 days",
                "description": "Breaches are often discovered months after they start; logs "
                "deleted after a few days or weeks leave investigators blind. A log group whose "
                "retention is shorter than the configured number of days (365 by default) "
                "fails; a group that never expires passes.",
                "resource": "aws.logs.log_group",
                "severity": "medium",
                "category": "security",
                "enabled": True,
                "autofix": None,
                "frameworks": {},
                "remediation": {
                    "text": "Set the log group's retention to 365 days or more (aws logs "
                    "put-retention-policy --log-group-name NAME --retention-in-days 365), or "
                    "export logs to S3 with a lifecycle policy for long-term keeping.",
                    "links": [
                        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/"
                        "Working-with-log-groups-and-streams.html#SettingLogRetention"
                    ],
                },
                "params": {
                    "min_days": {
                        "default": 365,
                        "value": 400,
                        "overridden": True,
                        "description": "Shortest allowed retention in days",
                    }
                },
                "revision": 1,
                "updated_at": RETENTION_CHANGE["changed_at"],
            },
            "change": RETENTION_CHANGE,
            "replay": {"status": "requested", "replayed": 57, "error": None},
        },
        body={"params": {"min_days": 400}, "reason": RETENTION_CHANGE["reason"]},
        path={"policy_id": RETENTION_POLICY},
    ),
    ("GET", f"{V}/policies/{{policy_id}}/history"): Example(
        200,
        {
            "policy_id": RETENTION_POLICY,
            "revision": 1,
            "items": [RETENTION_CHANGE],
            "next_cursor": None,
        },
        path={"policy_id": RETENTION_POLICY},
        query={"limit": "100"},
    ),
    ("POST", f"{V}/policies/whatif"): Example(
        200,
        {
            "policy_id": PUBLIC_POLICY,
            "resource": "aws.s3.bucket",
            "evaluated": 42,
            "would_fail": [
                {"asset_id": f"arn:aws:s3:::{name}", "name": name, "reason": NO_BLOCK}
                for name in ("acme-logs", "acme-marketing-site", "acme-press-kit")
            ],
            "would_pass": 39,
            "not_applicable": 0,
            "errors": [],
            "would_open": ["arn:aws:s3:::acme-logs"],
            "would_close": [],
            "current": {"exists": True, "enabled": True, "version": 1, "failing": 2},
        },
        body=WHATIF_DRAFT,
        text_bodies=(("application/yaml", WHATIF_YAML), ("text/plain", WHATIF_YAML)),
    ),
    # --- frameworks (the shipped CIS catalogue and pack; the report over account 111122223333)
    ("GET", f"{V}/frameworks"): Example(
        200, {"items": [CIS_FRAMEWORK], "total": 1, "next_cursor": None}, query={"limit": "100"}
    ),
    ("GET", f"{V}/frameworks/{{framework_id}}"): Example(
        200,
        {
            **CIS_FRAMEWORK,
            "items": [{**CIS_PUBLIC_CONTROL, "automated": True, "policies": [CIS_PUBLIC_POLICY]}],
            "total": 62,
            "next_cursor": "eyJxIjoiOTZhMTk0NDZhNDAxNzYzMCIsInAiOjI2fQ",
        },
        path={"framework_id": "cis-aws-3.0"},
        query={"limit": "1", "cursor": "eyJxIjoiOTZhMTk0NDZhNDAxNzYzMCIsInAiOjI1fQ"},
    ),
    ("GET", f"{V}/compliance/frameworks/{{framework_id}}"): Example(
        200,
        {**CIS_REPORT, "resource_limit": 20, "next_cursor": None},
        path={"framework_id": "cis-aws-3.0"},
        query={"account_id": ACCOUNT, "status": "fail", "limit": "500", "resource_limit": "20"},
    ),
    ("GET", f"{V}/compliance/frameworks/{{framework_id}}/export.csv"): Example(
        200,
        CIS_REPORT_CSV,
        media_type="text/csv",
        path={"framework_id": "cis-aws-3.0"},
        query={"account_id": ACCOUNT, "status": "fail"},
    ),
    ("GET", f"{V}/compliance/frameworks/{{framework_id}}/export.ocsf"): Example(
        200,
        [CIS_REPORT_FINDING],
        path={"framework_id": "cis-aws-3.0"},
        query={"account_id": ACCOUNT, "status": "fail"},
    ),
    ("GET", f"{V}/compliance/frameworks/{{framework_id}}/report.html"): Example(
        200,
        CIS_REPORT_HTML,
        media_type="text/html",
        path={"framework_id": "cis-aws-3.0"},
        query={"account_id": ACCOUNT, "status": "fail", "resource_limit": "1000"},
    ),
    # --- violations, results, compliance
    ("GET", f"{V}/violations"): Example(
        200,
        {
            "items": [VIOLATION],
            "total": 2,
            "next_cursor": (
                "eyJxIjoiYzAwZTQxOThiYWQzZjZjOSIsInAiOnsidCI6IjIwMjYtMTEtMzBUMDk6MDA6MDAuMTE4Mj"
                "Y2KzAwOjAwIiwidiI6WyIyMDI2LTExLTI4VDE0OjA1OjEyLjkwMzAyMiswMDowMCIsInYtZDZkMzU4"
                "ZTI4ZDczMTM5YmYxMDIiXX19"
            ),
        },
        query={"status": "open", "limit": "1"},
    ),
    ("GET", f"{V}/violations/export.csv"): Example(200, CSV_EXPORT, media_type="text/csv"),
    ("GET", f"{V}/violations/export.ocsf"): Example(200, [OCSF_FINDING]),
    ("GET", f"{V}/violations/{{violation_id}}"): Example(200, VIOLATION),
    ("GET", f"{V}/results"): Example(
        200,
        {
            "items": [
                {
                    "asset_id": SITE,
                    "policy_id": PUBLIC_POLICY,
                    "status": "fail",
                    "reason": PUBLIC_REASON,
                    "evidence": {"PublicAccessBlock": None, "PublicAclGrants": ["READ"]},
                    "account_id": ACCOUNT,
                    "region": "us-east-1",
                    "resource_type": "aws.s3.bucket",
                    "asset_name": "acme-marketing-site",
                    "policy_name": POLICY["name"],
                    "severity": "critical",
                    "category": "security",
                    "owner": "web@acme.example",
                    "tags": SITE_TAGS,
                    "asset_version": 3,
                    "evaluated_at": "2026-11-28T14:05:12.402405Z",
                }
            ],
            "total": 17,
            "next_cursor": "eyJxIjoiMGVlNDExMGYzMjBmZWFiNCIsInAiOjF9",
        },
        query={"policy_id": PUBLIC_POLICY, "status": "fail", "limit": "1"},
    ),
    ("GET", f"{V}/compliance/summary"): Example(
        200,
        {
            "scope": f"account:{ACCOUNT},resource_type:aws.s3.bucket",
            "overall_pct": 95.50264550264549,
            "evaluated_assets": 42,
            "unknown": 0,
            "unknown_assets": 0,
            "open": 5,
            "exempted": 1,
            "closed": 9,
            "open_by_severity": {"critical": 1, "high": 1, "medium": 0, "low": 3},
            "exempted_as_passing": False,
            "weights": {
                "severity": {"critical": 10.0, "high": 5.0, "medium": 3.0, "low": 1.0},
                "category": {
                    "security": 50.0,
                    "governance": 20.0,
                    "cost": 20.0,
                    "tagging": 10.0,
                    "operations": 10.0,
                },
            },
            "categories": [
                {
                    "category": "security",
                    "weight": 50.0,
                    "policies": 2,
                    "evaluated": 84,
                    "passing": 81,
                    "failing": 3,
                    "compliance_pct": 96.03174603174602,
                },
                {
                    "category": "tagging",
                    "weight": 10.0,
                    "policies": 1,
                    "evaluated": 42,
                    "passing": 39,
                    "failing": 3,
                    "compliance_pct": 92.85714285714286,
                },
            ],
            "policies": [
                {
                    "policy_id": "aws-s3-bucket-default-encryption",
                    "name": "S3 buckets must encrypt objects by default",
                    "severity": "high",
                    "category": "security",
                    "evaluated": 42,
                    "passing": 41,
                    "failing": 1,
                    "exempted": 0,
                    "unknown": 0,
                    "not_applicable": 0,
                    "compliance_pct": 97.61904761904762,
                },
                {
                    "policy_id": PUBLIC_POLICY,
                    "name": POLICY["name"],
                    "severity": "critical",
                    "category": "security",
                    "evaluated": 42,
                    "passing": 40,
                    "failing": 2,
                    "exempted": 1,
                    "unknown": 0,
                    "not_applicable": 0,
                    "compliance_pct": 95.23809523809523,
                },
                {
                    "policy_id": "aws-tagging-s3-bucket-mandatory-tags",
                    "name": "S3 buckets must carry the mandatory tags",
                    "severity": "low",
                    "category": "tagging",
                    "evaluated": 42,
                    "passing": 39,
                    "failing": 3,
                    "exempted": 0,
                    "unknown": 0,
                    "not_applicable": 0,
                    "compliance_pct": 92.85714285714286,
                },
            ],
        },
    ),
    ("GET", f"{V}/compliance/breakdown"): Example(
        200,
        {
            "by": "account_id",
            "scope": "resource_type:aws.s3.bucket",
            "exempted_as_passing": False,
            "items": [
                {
                    "key": ACCOUNT,
                    "overall_pct": 95.50264550264549,
                    "evaluated_assets": 42,
                    "evaluated": 126,
                    "passing": 120,
                    "failing": 6,
                    "open": 5,
                    "exempted": 1,
                    "open_by_severity": {"critical": 1, "high": 1, "medium": 0, "low": 3},
                }
            ],
            "next_cursor": "eyJxIjoiNWQ0YjJkODk3YzE0YTFlMCIsInAiOjF9",
            "truncated": False,
        },
        query={"by": "account_id", "resource_type": "aws.s3.bucket", "limit": "1"},
    ),
    ("GET", f"{V}/compliance/trend"): Example(
        200,
        {
            "scope": f"account:{ACCOUNT}",
            "days": 7,
            "points": [
                {
                    "day": day,
                    "overall_pct": pct,
                    "evaluated_assets": 118,
                    "open": still_open,
                    "exempted": exempted,
                    "taken_at": f"{day}T23:58:30.112460Z",
                }
                for day, pct, still_open, exempted in (
                    ("2026-11-27", 91.84, 14, 2),
                    ("2026-11-28", 90.97, 16, 3),
                    ("2026-11-29", 93.12, 11, 3),
                )
            ],
        },
    ),
    ("GET", f"{V}/compliance/mttr"): Example(
        200,
        {
            "window_days": 90,
            "since": "2026-09-01T09:00:00.118266Z",
            "until": "2026-11-30T09:00:00.118266Z",
            "overall": {"episodes": 9, "mean_hours": 36.083333333333336, "median_hours": 30.0},
            "by_severity": {
                "critical": {"episodes": 2, "mean_hours": 11.875, "median_hours": 11.875},
                "high": {"episodes": 3, "mean_hours": 26.416666666666668, "median_hours": 22.5},
                "medium": {"episodes": 4, "mean_hours": 55.4375, "median_hours": 48.375},
                "low": NO_RESULTS,
            },
        },
    ),
    # --- exceptions
    ("GET", f"{V}/exceptions"): Example(
        200,
        {"items": [ACTIVE], "total": 1, "next_cursor": None},
        query={"status": "active", "limit": "100"},
    ),
    ("POST", f"{V}/exceptions"): Example(201, PENDING, body=EXCEPTION_REQUEST),
    ("POST", f"{V}/exceptions/preview"): Example(
        200,
        {
            "items": [
                _sandbox("acme-sandbox-ml-datasets", "v-15e22b701949e960d099"),
                _sandbox("acme-sandbox-scratch", "v-ae6d5c50414c26eaccc3"),
            ],
            "truncated": False,
        },
        body=STICKY_REQUEST,
    ),
    ("GET", f"{V}/exceptions/{{exception_id}}"): Example(
        200,
        {
            **ACTIVE,
            "history": [
                {
                    "at": PENDING["created_at"],
                    "action": "requested",
                    "actor": "web@acme.example",
                    "detail": None,
                },
                {
                    "at": ACTIVE["decided_at"],
                    "action": "approved",
                    "actor": "security@acme.example",
                    "detail": APPROVAL,
                },
            ],
        },
    ),
    ("POST", f"{V}/exceptions/{{exception_id}}/approve"): Example(
        200, ACTIVE, body={"comment": APPROVAL}, body_required=False
    ),
    ("POST", f"{V}/exceptions/{{exception_id}}/reject"): Example(
        200,
        {
            **PENDING,
            "exception_id": STICKY_ID,
            "kind": "sticky",
            "asset_ids": [],
            "policy_ids": STICKY_REQUEST["policy_ids"],
            "criteria": {
                "accounts": [ACCOUNT],
                "regions": [],
                "resource_types": [],
                "tags": {"Environment": "sandbox"},
                "name_patterns": [],
            },
            "reason": STICKY_REQUEST["reason"],
            "requester": "platform@acme.example",
            "status": "rejected",
            "created_at": "2026-11-29T08:12:30.004112Z",
            "approver": "security@acme.example",
            "decided_at": "2026-11-29T09:40:12.776166Z",
            "decision_reason": REJECTION,
        },
        body={"reason": REJECTION},
        path={"exception_id": STICKY_ID},
    ),
    ("POST", f"{V}/exceptions/{{exception_id}}/revoke"): Example(
        200,
        {
            **ACTIVE,
            "status": "revoked",
            "revoked_at": "2026-12-03T15:27:51.340249Z",
            "revoked_by": "web@acme.example",
            "revoke_reason": REVOCATION,
        },
        body={"reason": REVOCATION},
    ),
    # --- fixes
    ("GET", f"{V}/fixes/catalog"): Example(
        200, {"items": [FIX_CATALOG_ENTRY], "next_cursor": None}
    ),
    ("GET", f"{V}/fixes/pauses"): Example(
        200, {"items": [PAUSE], "next_cursor": None}, query={"active": "true"}
    ),
    ("POST", f"{V}/fixes/pauses/{{policy_id}}/resume"): Example(
        200,
        {
            **PAUSE,
            "resumed_at": "2026-11-28T15:40:12.904377Z",
            "resumed_by": "security@acme.example",
        },
        body={},  # nothing to send; the resumer is the signed caller
        body_required=False,
    ),
    ("GET", f"{V}/fixes"): Example(
        200,
        {"items": [PLAN], "next_cursor": None},
        query={
            "status": "applied",
            "policy_id": PUBLIC_POLICY,
            "account_id": ACCOUNT,
            "kind": "fix",
            "limit": "100",
        },
    ),
    ("POST", f"{V}/fixes"): Example(
        202, FIX_NOW, body={"violation_id": FIX_NOW["violation_id"], "dry_run": False}
    ),
    ("GET", f"{V}/fixes/{{plan_id}}"): Example(
        200, {**PLAN, "history": PLAN_HISTORY, "notifications": [PLAN_NOTICE]}
    ),
    ("POST", f"{V}/fixes/{{plan_id}}/rollback"): Example(
        202, ROLLBACK, body={"reason": ROLLBACK_REASON}
    ),
    ("POST", f"{V}/fixes/{{plan_id}}/cancel"): Example(
        200,
        {
            **PENDING_FIX,
            "status": "cancelled",
            "detail": f"cancelled by security@acme.example: {CANCEL_REASON}",
            "updated_at": "2026-12-02T11:20:44.018532Z",
        },
        body={"reason": CANCEL_REASON},
        path={"plan_id": PENDING_FIX_ID},
    ),
    ("POST", f"{V}/fixes/{{plan_id}}/postpone"): Example(
        200,
        {
            **PENDING_FIX,
            "due_at": "2026-12-05T11:21:09.551230Z",
            "detail": "postponed by security@acme.example to 2026-12-05T11:21:09.551230+00:00: "
            f"{POSTPONE_REASON}",
            "updated_at": "2026-12-02T11:21:09.551230Z",
        },
        body={"seconds": 259200, "reason": POSTPONE_REASON},
        path={"plan_id": PENDING_FIX_ID},
    ),
}
PATH_PARAMETERS = {
    "account_id": ACCOUNT,
    "asset_id": SITE,
    "exception_id": EXCEPTION_ID,
    "key_id": KEY_ID,
    "name": "prod-data",
    "plan_id": PLAN_ID,
    "policy_id": PUBLIC_POLICY,
    "violation_id": VIOLATION_ID,
}


def request_expiry(today: date) -> str:
    """The ``expires_at`` a request example sends: :data:`EXPIRY_DAYS` after ``today``."""
    moment = datetime(today.year, today.month, today.day, tzinfo=UTC)
    return (moment + timedelta(days=EXPIRY_DAYS)).isoformat().replace("+00:00", "Z")


def add_examples(spec: dict[str, Any], today: date | None = None) -> None:
    """Document each route's example: success answer, request body and path parameters."""
    expiry = request_expiry(today or datetime.now(UTC).date())
    for (method, path), example in EXAMPLES.items():
        operation = spec.get("paths", {}).get(path, {}).get(method.lower())
        if operation is None:
            continue  # a route that is gone; the example test names it
        _document_answer(operation, example)
        if example.body is not None:
            _document_body(operation, example, expiry)
        for parameter in operation.get("parameters", []):
            value = example.path.get(parameter["name"], PATH_PARAMETERS.get(parameter["name"]))
            if parameter.get("in") == "path" and value is not None:
                parameter["example"] = value
        _document_query(operation, example.query, paged=_is_page(example.answer))


PAGING: dict[str, tuple[dict[str, Any], str]] = {
    "limit": ({"type": "integer", "minimum": 1}, "page size (each list has its bounds)"),
    "cursor": ({"type": "string"}, "the previous page's next_cursor (opaque)"),
}
"""The paging parameters every list takes (docs/api.md, "Paging")."""


def _is_page(answer: Any) -> bool:
    return isinstance(answer, dict) and "items" in answer and "next_cursor" in answer


def _document_query(operation: dict[str, Any], query: dict[str, str], *, paged: bool) -> None:
    """An example of each query parameter; a forwarded route's are declared from the example,
    and a list's ``limit`` and ``cursor`` always."""
    parameters: list[dict[str, Any]] = operation.setdefault("parameters", [])
    declared = {p["name"]: p for p in parameters if p.get("in") == "query"}

    def declare(name: str, schema: dict[str, Any], description: str | None = None) -> None:
        if name not in declared:
            declared[name] = {"name": name, "in": "query", "required": False, "schema": schema}
            if description:
                declared[name]["description"] = description
            parameters.append(declared[name])

    for name, (schema, description) in PAGING.items() if paged else ():
        declare(name, schema, description)
    for name, value in query.items():
        declare(name, {"type": "integer"} if value.isdigit() else {"type": "string"})
        declared[name]["example"] = value
    if not parameters:
        del operation["parameters"]


def _shape(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        return {"type": "string"}
    return {"type": "array"} if isinstance(value, list) else {"type": "object"}


def _document_answer(operation: dict[str, Any], example: Example) -> None:
    """The success status with its example; replaces FastAPI's untyped 200 of raw answers."""
    responses: dict[str, Any] = operation.setdefault("responses", {})
    status = str(example.status)
    generic = responses.get("200", {}).get("content", {}).get("application/json", {})
    if status != "200" and generic.get("schema") == {}:
        del responses["200"]
    answer = responses.pop(status, None) or {"description": HTTPStatus(example.status).phrase}
    operation["responses"] = {status: answer, **responses}
    if example.answer is None:
        answer.pop("content", None)
        return
    content = answer.setdefault("content", {})
    if example.media_type != "application/json":
        content.pop("application/json", None)
    media = content.setdefault(example.media_type, {})
    if not media.get("schema"):
        media["schema"] = _shape(example.answer)
    media["example"] = copy.deepcopy(example.answer)


def _document_body(operation: dict[str, Any], example: Example, expiry: str) -> None:
    """The request body: raw for forwarded routes (not seen by FastAPI), else the model's."""
    body = operation.setdefault("requestBody", {"required": example.body_required})
    content = body.setdefault("content", {})
    media = content.setdefault("application/json", {"schema": {"type": "object"}})
    sent = copy.deepcopy(example.body)
    if "expires_at" in sent:
        sent["expires_at"] = expiry
    media["example"] = sent
    for media_type, text in example.text_bodies:
        content[media_type] = {"schema": {"type": "string"}, "example": text}
