"""Lists that a page shows only the start of: the rows, and how many there are in all."""


class Capped(list):
    """The first rows of a longer list; `total` counts them all (a SQL count)."""

    def __init__(self, rows=(), total: int | None = None):
        super().__init__(rows)
        self.total = len(self) if total is None else total

    @property
    def more(self) -> int:
        """How many rows are not shown."""
        return max(self.total - len(self), 0)
