"""Pricing stacks and changes from the command line (the model itself: optimizers.costing).

Kept free of imports: `aeon.cost.snapshot` runs a base ref's program in a fresh interpreter and
must import nothing of the working tree's `optimizers` or `components` before it.
"""
