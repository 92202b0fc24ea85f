"""A registry of named classes that register themselves (planners, telemetry sources), as krr's
strategies do: `@REGISTRY.register` on the class, `REGISTRY.create(name)` for a fresh instance."""

from __future__ import annotations

from typing import Generic, TypeVar

from optimizers.errors import InputError

T = TypeVar("T")


class Registry(dict[str, type[T]], Generic[T]):
    """name -> class. An unknown name is the `error` given (a user's mistake), listing the known."""

    def __init__(self, what: str, error: type[InputError] = InputError) -> None:
        super().__init__()
        self.what, self.error = what, error

    def register(self, cls: type[T]) -> type[T]:
        name = cls.name  # type: ignore[attr-defined]  # every registered class declares one
        if name in self and self[name] is not cls:
            raise ValueError(f"{self.what} {name!r} registered twice")
        self[name] = cls
        return cls

    def create(self, name: str) -> T:
        try:
            return self[name]()
        except KeyError:
            known = ", ".join(sorted(self))
            raise self.error(f"unknown {self.what} {name!r}; choose one of: {known}") from None
