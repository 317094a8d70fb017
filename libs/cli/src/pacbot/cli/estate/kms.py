"""KMS keys: the estate's customer-managed key (hardened) and four broken ones."""

from __future__ import annotations

import json

from pacbot.cli.estate._model import Account, Seeded, anyone_may, seeded

KEY = "aws.kms.key"


def _policy(account: Account, public: bool) -> str:
    if public:
        return anyone_may("kms:*", "*")
    owner = {"AWS": f"arn:aws:iam::{account.account_id}:root"}
    statement = {"Sid": "Owner", "Effect": "Allow", "Principal": owner, "Action": "kms:*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [{**statement, "Resource": "*"}]})


def key(
    account: Account,
    name: str,
    *,
    rotate: bool = True,
    public: bool = False,
    spec: str = "SYMMETRIC_DEFAULT",
) -> str:
    """A customer-managed key aliased ``alias/<name>`` (rotated unless told not to); its ARN."""
    kms = account.client("kms")
    usage = "ENCRYPT_DECRYPT" if spec == "SYMMETRIC_DEFAULT" else "SIGN_VERIFY"
    meta = kms.create_key(
        Description=account.name_of(name),
        KeySpec=spec,
        KeyUsage=usage,
        Policy=_policy(account, public),
    )["KeyMetadata"]
    if rotate and spec == "SYMMETRIC_DEFAULT":
        kms.enable_key_rotation(KeyId=meta["KeyId"])
    kms.create_alias(AliasName=f"alias/{account.name_of(name)}", TargetKeyId=meta["KeyId"])
    return str(meta["Arn"])


def seed(account: Account) -> tuple[str, list[Seeded]]:
    """The estate's main key's ARN, and every key with what it must fail."""
    main = key(account, "main")
    doomed = key(account, "retired", rotate=False)
    account.client("kms").schedule_key_deletion(KeyId=doomed.split("/")[-1], PendingWindowInDays=7)
    return main, [
        seeded(KEY, main),
        seeded(KEY, key(account, "signing", spec="RSA_2048")),
        seeded(KEY, key(account, "unrotated", rotate=False), {"aws-kms-key-rotation-enabled"}),
        seeded(KEY, key(account, "shared", public=True), {"aws-kms-key-policy-public-principal"}),
        seeded(KEY, doomed, {"aws-kms-key-not-pending-deletion"}),
    ]
