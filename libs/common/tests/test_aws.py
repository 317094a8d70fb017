"""The AWS session factory against the real moto server: endpoint override and assume-role."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.loaders import JSONFileLoader

from pacbot.common.aws import AccountAccess, AwsSessionFactory


def test_assumed_role_acts_in_the_other_account(aws_env: str, unique: str) -> None:
    factory = AwsSessionFactory(endpoint_url=aws_env)
    own = factory.caller_account()
    other = AccountAccess("111122223333", role_arn="arn:aws:iam::111122223333:role/pacbot-read")
    sts = factory.client("sts", access=other)
    assert sts.get_caller_identity()["Account"] == "111122223333"
    assert own != "111122223333"

    factory.client("s3", access=other).create_bucket(Bucket=f"other-{unique}")
    theirs = {b["Name"] for b in factory.client("s3", access=other).list_buckets()["Buckets"]}
    mine = {b["Name"] for b in factory.client("s3").list_buckets()["Buckets"]}
    assert f"other-{unique}" in theirs
    assert f"other-{unique}" not in mine


def test_assumed_credentials_are_cached(aws_env: str) -> None:
    factory = AwsSessionFactory(endpoint_url=aws_env)
    access = AccountAccess(
        "444455556666", role_arn="arn:aws:iam::444455556666:role/r", external_id="ext-1234"
    )
    assert factory.session(access) is factory.session(access)


def test_retries_are_adaptive(aws_env: str) -> None:
    config = AwsSessionFactory(endpoint_url=aws_env).config
    assert config.retries == {"mode": "adaptive", "max_attempts": 10}
    with pytest.raises(ValueError, match="Invalid endpoint"):
        AwsSessionFactory(endpoint_url="not a url").client("s3")


def test_clients_are_built_once_per_service_region_and_account(aws_env: str) -> None:
    factory = AwsSessionFactory(endpoint_url=aws_env)
    other = AccountAccess("111122223333", role_arn="arn:aws:iam::111122223333:role/pacbot-read")
    assert factory.client("s3") is factory.client("s3")
    assert factory.client("s3") is not factory.client("s3", region="eu-west-1")
    assert factory.client("s3", access=other) is not factory.client("s3")
    assert factory.client("s3", access=other) is factory.client("s3", access=other)


def test_a_clients_own_budget_never_exceeds_the_factorys(aws_env: str) -> None:
    # botocore's max_attempts counts retries: total_max_attempts is one more
    small = AwsSessionFactory(endpoint_url=aws_env, max_attempts=1)
    assert small.client("ssm", max_attempts=4).meta.config.retries["total_max_attempts"] == 2
    assert small.client("s3").meta.config.retries["total_max_attempts"] == 2
    large = AwsSessionFactory(endpoint_url=aws_env)
    assert large.client("ssm", max_attempts=4).meta.config.retries["total_max_attempts"] == 5


def test_accounts_share_one_parsed_copy_of_each_api_model(
    aws_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Across accounts (and credential refreshes) a service's JSON model is parsed once."""
    parsed: list[str] = []
    original = JSONFileLoader.load_file

    def counting(self: JSONFileLoader, file_path: str) -> Any:
        parsed.append(file_path)
        return original(self, file_path)

    monkeypatch.setattr(JSONFileLoader, "load_file", counting)
    factory = AwsSessionFactory(endpoint_url=aws_env)
    factory.client("ec2")  # the caller's own account: the model is parsed here
    first = len([p for p in parsed if "/ec2/" in p])
    assert first >= 1
    for n in range(3):
        account = f"11112222333{n}"
        access = AccountAccess(account, role_arn=f"arn:aws:iam::{account}:role/pacbot-read")
        ec2 = factory.client("ec2", access=access)
        assert factory.client("sts", access=access).get_caller_identity()["Account"] == account
        assert ec2.describe_vpcs()["Vpcs"] is not None  # acts in that account
    assert len([p for p in parsed if "/ec2/" in p]) == first
