"""Asset groups: named criteria over assets (accounts, regions, types, tags) and their members."""

from pacbot.common.search import matches

__all__ = ["matches"]
