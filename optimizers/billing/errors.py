"""The billing readers' own error: bad input that the CLI reports as a user error (exit 2)."""

from __future__ import annotations

from optimizers.errors import InputError


class BillingInputError(InputError):
    """A billing file or table the readers cannot use: names the file, column or line and the fix.

    Optimizers raise their own exceptions (no import of the CLI); `aeon` maps this one to exit 2.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        column: str | None = None,
        line: int | None = None,
    ):
        self.path, self.column, self.line = path, column, line
        where = ", ".join(
            part
            for part in (
                path,
                f"line {line}" if line is not None else None,
                f"column {column}" if column is not None else None,
            )
            if part
        )
        super().__init__(f"{where}: {message}" if where else message)
