"""The offline engine: stack config by the CLI's rules, the program under Pulumi's mock runtime."""

from aeon.engine.model import ProgramRun, Resource
from aeon.engine.runner import ProgramError, run_program

__all__ = ["ProgramError", "ProgramRun", "Resource", "run_program"]
