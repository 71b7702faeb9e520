"""Lists that a page shows only part of: the rows, and how many there are in all."""

from dataclasses import dataclass

PAGE_SIZE = 50  # rows a list shows per page


class Capped(list):
    """The first rows of a longer list; `total` counts them all (a SQL count)."""

    def __init__(self, rows=(), total: int | None = None):
        super().__init__(rows)
        self.total = len(self) if total is None else total

    @property
    def more(self) -> int:
        """How many rows are not shown."""
        return max(self.total - len(self), 0)


def page_bounds(requested: int, total: int, page_size: int = PAGE_SIZE) -> tuple[int, int]:
    """The page to show, the one asked for kept within the list, and its first row's offset."""
    pages = max(1, -(-total // page_size))
    page = min(max(requested, 1), pages)
    return page, (page - 1) * page_size


@dataclass
class Page:
    """One page of a list: its rows, how many rows the whole list has (a SQL count), and
    which page it is (templates/_macros/pager.html links the others)."""

    rows: list
    total: int
    page: int
    page_size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.page * self.page_size, self.total)
