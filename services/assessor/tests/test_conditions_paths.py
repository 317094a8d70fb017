"""Compiled JMESPath keys and CIDR spans answer exactly what the libraries they replace answer."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

import jmespath
import pytest
from jmespath.exceptions import JMESPathError

from pacbot.assessor.conditions.networks import covers, span
from pacbot.assessor.conditions.paths import compile_path, field_path
from pacbot.assessor.policies.loader import load_policies
from pacbot.assessor.settings import SHIPPED_PACKS

DOCUMENTS: list[Any] = [
    {
        "A": {"B": {"C": 1}, "List": [{"X": 1}, {"X": 0}, {"Y": 2}], "Str": "s", "Zero": 0},
        "A_b": {"c9": False},
        "Items": [
            {"Name": "a", "Size": 3, "On": True, "Tags": ["x", "y"], "Nested": [[1, 2], [3]]},
            {"Name": "b", "Size": 0, "On": False, "Tags": [], "Nested": []},
            {"Name": "c", "Size": "7", "On": None},
            "scalar",
            None,
        ],
        "Map": {"k1": {"V": 1}, "k2": {"V": None}, "k3": {"W": 2}},
        "Empty": {},
        "Flag": True,
        "Num": 1,
        "Float": 1.0,
        "Policy": {
            "Statement": [
                {"Effect": "Deny", "Principal": "*", "Action": ["s3:*"]},
                {"Effect": "Allow", "Principal": {"AWS": ["*", "arn"]}, "Action": "s3:Get"},
            ]
        },
    },
    {"A": None, "Items": "not a list", "Map": [1, 2], "Policy": {"Statement": {"Effect": "x"}}},
    [],
    "text",
    None,
]

EXPRESSIONS = [
    "A",
    "A.B.C",
    "A.B.C.D",
    "Missing.B",
    "A.List",
    "A.List.X",
    "A.Str.X",
    "A_b.c9",
    "A.List[0]",
    "A.List[-1].Y",
    "A.List[9]",
    "A.List[1:]",
    "A.List[::-1].X",
    "A.List[*].X",
    "A.List[].X",
    "Items[].Tags[]",
    "Items[].Nested[][]",
    "Items[?On].Name",
    "Items[?!On].Name",
    "Items[?On == `true`].Name",
    "Items[?Size > `1`].Name",
    "Items[?Size >= `0`].Size",
    "Items[?Size < '9']",
    "Items[?Size != `0`].Name",
    "Items[?Name == 'a' || Name == 'c'].Size",
    "Items[?Name == 'a' && Size == `3`] | [0].Name",
    "Map.*.V",
    "Map.*",
    "Empty.*",
    "{n: Num, f: Flag, missing: Nope}",
    "[Num, Flag, Nope]",
    "Items[*].{name: Name, size: Size}",
    "Num == `1`",
    "Num == `true`",
    "Float == `1`",
    "Flag == `1`",
    "A.Zero == `false`",
    "!A.Zero",
    "!Empty",
    "!Num",
    "Nope || Num",
    'Empty || `"fallback"`',
    "Num && Flag",
    "Empty && Num",
    "@",
    "length(Items)",
    "length(Nope)",
    "keys(Map)",
    "to_array(Policy.Statement)[?Effect == 'Deny'].Action",
    "Policy.Statement[?contains(to_array(Principal.AWS), '*')].Effect",
    "sort_by(Items[?Name].{n: Name}, &n)[].n",
    "max_by(A.List[?X != null], &X).X",
    "map(&Name, Items[?Name])",
    "Items[0].Tags | [1]",
    "`[1, 2]`",
    "'literal'",
]


def agree(expression: str, document: Any) -> None:
    """The compiled key answers what ``jmespath.search`` answers, or raises what it raises."""
    compiled = compile_path(expression)
    try:
        expected = jmespath.search(expression, document)
    except Exception as exc:  # a function's type error, an unorderable comparison
        with pytest.raises(type(exc), match=f"^{re.escape(str(exc))}$"):
            compiled(document)
        return
    found = compiled(document)
    assert found == expected, (expression, document)
    assert type(found) is type(expected), (expression, document)


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_compiled_expressions_agree_with_jmespath(expression: str) -> None:
    for document in DOCUMENTS:
        agree(expression, document)


def test_every_key_of_the_shipped_pack_agrees_with_jmespath_on_every_example() -> None:
    policies = load_policies([SHIPPED_PACKS]).policies
    keys: set[str] = set()

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            key = node.get("key")
            if isinstance(key, str) and not key.startswith("tag:"):
                keys.add(key)
            for child in node.values():
                collect(child)
        elif isinstance(node, list):
            for child in node:
                collect(child)

    configs = []
    for policy in policies:
        collect(policy.document.condition)
        configs += [*policy.document.examples.passing, *policy.document.examples.failing]
    assert len(keys) > 100
    for key in sorted(keys):
        for config in configs:
            agree(key, config)


def test_plain_keys_take_the_field_walk_and_others_do_not() -> None:
    for key in ("A", "A.B", "A_b.c9"):
        assert field_path(key) is not None
    for key in ("A[0]", "A[].B", "length(A)", '"quoted"', "A.*"):
        assert field_path(key) is None


def test_a_key_that_does_not_parse_raises_jmespath_error() -> None:
    with pytest.raises(JMESPathError):
        compile_path("A[?")


@pytest.mark.parametrize(
    "cidr",
    [
        "0.0.0.0/0",
        "10.0.0.0/8",
        "10.1.2.3/8",
        "192.168.1.7",
        "255.255.255.255/32",
        "172.16.0.0/12",
        "1.2.3.4/0",
        "::/0",
        "2001:db8::/32",
        "10.0.0.0/255.0.0.0",
        "10.0.0.0/08",
    ],
)
def test_spans_read_cidrs_as_ipaddress_does(cidr: str) -> None:
    network = ipaddress.ip_network(cidr, strict=False)
    assert span(cidr) == (
        network.version,
        int(network.network_address),
        int(network.broadcast_address),
    )


@pytest.mark.parametrize(
    "cidr",
    ["010.0.0.0/8", "256.0.0.0/8", "10.0.0.0/33", "10.0.0/8", " 10.0.0.0/8", "x", "\u0661.0.0.0"],
)
def test_malformed_cidrs_raise_what_ipaddress_raises(cidr: str) -> None:
    try:
        ipaddress.ip_network(cidr, strict=False)
    except ValueError as exc:
        message = str(exc)
    else:
        pytest.fail(f"ipaddress accepted {cidr!r}")
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        span(cidr)


@pytest.mark.parametrize(
    ("peer", "target", "covered"),
    [
        ("0.0.0.0/0", "0.0.0.0/0", True),
        ("0.0.0.0/0", "10.0.0.0/8", True),
        ("10.0.0.0/8", "0.0.0.0/0", False),
        ("10.0.0.0/8", "10.2.0.0/16", True),
        ("10.0.0.0/8", "11.0.0.0/16", False),
        ("::/0", "0.0.0.0/0", False),
        ("::/0", "::/0", True),
    ],
)
def test_covers_is_subnet_of(peer: str, target: str, covered: bool) -> None:
    assert covers(span(peer), span(target)) is covered
    ours = ipaddress.ip_network(target, strict=False)
    theirs = ipaddress.ip_network(peer, strict=False)
    assert (ours.version == theirs.version and ours.subnet_of(theirs)) is covered  # type: ignore[arg-type]
