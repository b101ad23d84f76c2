"""One declarative description per official form: drives the Qt grid, the PDF and the Excel export."""

from .forms import *  # noqa: F403
from .forms import __all__  # noqa: F401
