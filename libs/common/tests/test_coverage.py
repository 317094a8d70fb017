"""The exception coverage rule shared by the exceptions and violations services."""

from __future__ import annotations

from pacbot.common.coverage import covers, criteria_match
from pacbot.common.events import AssetSummary, ExceptionCriteria


def _asset(**overrides: object) -> AssetSummary:
    fields: dict[str, object] = {
        "asset_id": "arn:aws:s3:::prod-logs",
        "account_id": "111122223333",
        "region": "us-east-1",
        "resource_type": "aws.s3.bucket",
        "name": "prod-logs",
        "tags": {"Environment": "prod", "Application": "billing"},
    }
    fields.update(overrides)
    return AssetSummary.model_validate(fields)


def test_every_given_criterion_must_admit_the_asset() -> None:
    criteria = ExceptionCriteria(
        accounts=["111122223333"],
        regions=["us-east-1", "eu-west-1"],
        resource_types=["aws.s3.bucket"],
        tags={"Environment": ["prod", "staging"]},
        name_patterns=["prod-*"],
    )
    assert criteria_match(criteria, _asset())
    assert not criteria_match(criteria, _asset(account_id="999999999999"))
    assert not criteria_match(criteria, _asset(region="ap-south-1"))
    assert not criteria_match(criteria, _asset(resource_type="aws.ec2.instance"))
    assert not criteria_match(criteria, _asset(tags={"Environment": "dev"}))
    assert not criteria_match(criteria, _asset(tags={}))
    assert not criteria_match(criteria, _asset(name="dev-logs", asset_id="arn:aws:s3:::dev-logs"))


def test_empty_criteria_fields_admit_anything() -> None:
    assert criteria_match(ExceptionCriteria(tags={"Application": "billing"}), _asset())
    assert criteria_match(ExceptionCriteria(), _asset(name="anything"))


def test_name_patterns_match_the_name_or_the_asset_id() -> None:
    criteria = ExceptionCriteria(name_patterns=["arn:aws:s3:::prod-*"])
    assert criteria_match(criteria, _asset())
    assert not criteria_match(ExceptionCriteria(name_patterns=["PROD-*"]), _asset())


def test_resource_exceptions_cover_listed_assets_and_policies_only() -> None:
    shape = {"kind": "resource", "asset_ids": ["arn:aws:s3:::prod-logs"], "criteria": None}
    assert covers(**shape, policy_ids=["p1"], asset=_asset(), policy_id="p1")  # type: ignore[arg-type]
    assert not covers(**shape, policy_ids=["p1"], asset=_asset(), policy_id="p2")  # type: ignore[arg-type]
    assert not covers(  # type: ignore[arg-type]
        **shape, policy_ids=["p1"], asset=_asset(asset_id="arn:aws:s3:::other"), policy_id="p1"
    )


def test_sticky_exceptions_cover_matching_assets_and_star_means_every_policy() -> None:
    criteria = ExceptionCriteria(tags={"Environment": "prod"})
    assert covers(
        kind="sticky",
        asset_ids=[],
        policy_ids=["*"],
        criteria=criteria,
        asset=_asset(),
        policy_id="x",
    )
    assert not covers(
        kind="sticky",
        asset_ids=[],
        policy_ids=["*"],
        criteria=criteria,
        asset=_asset(tags={"Environment": "dev"}),
        policy_id="x",
    )
    assert not covers(
        kind="sticky", asset_ids=[], policy_ids=["*"], criteria=None, asset=_asset(), policy_id="x"
    )
