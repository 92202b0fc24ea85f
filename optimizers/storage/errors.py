"""What the storage readers and planner raise for a user's bad input (the CLI exits 2 on it)."""

from optimizers.errors import InputError


class StorageInputError(InputError):
    """A bad or unreadable input file, or inputs that cannot support a recommendation."""
