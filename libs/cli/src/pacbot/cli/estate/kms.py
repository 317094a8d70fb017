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


def seed(account: Account) -> tuple[str, list[Seeded]]:
    """The estate's main key's ARN, and every key with what it must fail."""
    kms = account.client("kms")
    found: list[Seeded] = []

    def key(
        name: str,
        breaks: set[str],
        *,
        rotate: bool = True,
        public: bool = False,
        spec: str = "SYMMETRIC_DEFAULT",
    ) -> str:
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
        found.append(seeded(KEY, meta["Arn"], breaks))
        return str(meta["Arn"])

    main = key("main", set())
    key("signing", set(), spec="RSA_2048")
    key("unrotated", {"aws-kms-key-rotation-enabled"}, rotate=False)
    key("shared", {"aws-kms-key-policy-public-principal"}, public=True)
    doomed = key("retired", {"aws-kms-key-not-pending-deletion"}, rotate=False)
    kms.schedule_key_deletion(KeyId=doomed.split("/")[-1], PendingWindowInDays=7)
    return main, found
