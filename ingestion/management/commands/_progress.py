"""Progress bars of the register imports (tqdm on stderr; none at verbosity 0)."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from tqdm import tqdm


class ByteBar:
    """One bar per downloaded file, in bytes."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: tqdm[Any] | None = None
        self.name = ""

    def update(self, name: str, done: int, total: int) -> None:
        if self.quiet:
            return
        if self.bar is None or name != self.name:
            self.close()
            self.name = name
            self.bar = tqdm(total=total if total >= 0 else None, initial=done, unit="B", unit_scale=True, desc=name)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self) -> ByteBar:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()


class RowBar(ByteBar):
    """One bar per data file, in rows."""

    def update(self, name: str, done: int, total: int = -1) -> None:
        if self.quiet:
            return
        if self.bar is None or name != self.name:
            self.close()
            self.name = name
            self.bar = tqdm(unit=" linhas", unit_scale=True, desc=name)
        self.bar.update(done - self.bar.n)

    def __enter__(self) -> RowBar:
        return self
