"""The AWS session factory against the real moto server: endpoint override and assume-role."""

from __future__ import annotations

import pytest

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
