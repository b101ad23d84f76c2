"""The form model: pydantic, no Qt, no I/O."""

from .forms import *  # noqa: F403
from .forms import __all__ as _forms_all
from .skeleton import LEVEL1, LEVEL1_INFO, LEVEL2_INFO, NOT_APPLICABLE, SKELETON, Level1, Level2

__all__ = list(_forms_all) + ["LEVEL1", "LEVEL1_INFO", "LEVEL2_INFO", "NOT_APPLICABLE", "SKELETON", "Level1", "Level2"]
