"""YAML parsing that remembers the line of every path, so errors can point into the file."""

from __future__ import annotations

from typing import Any

import yaml

Path = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """YAML without aliases: ``*name`` re-uses a node, and a few nested aliases make a small
    file a tree of billions of nodes (a "billion laughs"). No policy needs them."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            message = "aliases (*name) are not supported in policies"
            raise yaml.composer.ComposerError(None, None, message, mark)
        node: yaml.Node | None = super().compose_node(parent, index)
        return node


def parse_with_lines(text: str) -> tuple[Any, dict[Path, int]]:
    """The document's data and a map from each path in it to its 1-based line."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    lines: dict[Path, int] = {}
    if node is not None:
        _walk(node, (), node.start_mark.line + 1, lines)
    return data, lines


def _walk(node: yaml.Node, path: Path, line: int, lines: dict[Path, int]) -> None:
    lines[path] = line
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            _walk(value_node, (*path, key), key_node.start_mark.line + 1, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), item.start_mark.line + 1, lines)


def line_of(lines: dict[Path, int], path: Path) -> int:
    """The line of ``path``, or of its nearest ancestor present in the file."""
    for end in range(len(path), -1, -1):
        prefix = path[:end]
        if prefix in lines:
            return lines[prefix]
    return 1
