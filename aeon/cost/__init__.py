"""Pricing stacks and changes from the command line (the model itself: optimizers.costing).

A base git ref's stack runs in its own interpreter (`aeon.cost.base`, `aeon.cost.snapshot`), and
the engine makes its program import the ref's `components`, not the working tree's
(`aeon.engine.program_imports`).
"""
