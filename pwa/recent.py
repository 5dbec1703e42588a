"""A bounded, thread-safe store of what a process worked out lately, the least recently used dropped first."""

from __future__ import annotations

import threading
from collections import OrderedDict


class Recent:
    """Up to limit values by key; reading one makes it the most recent, storing past the limit
    drops the least recent. Only for what can be worked out again (nothing is lost with it)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.items: OrderedDict = OrderedDict()
        self.guard = threading.Lock()

    def get(self, key):
        with self.guard:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
            return found

    def put(self, key, value) -> None:
        with self.guard:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.limit:
                self.items.popitem(last=False)

    def __contains__(self, key) -> bool:
        with self.guard:
            return key in self.items

    def __len__(self) -> int:
        with self.guard:
            return len(self.items)
