"""fcast-desktop: offline editor for Shenzhen budget performance forms (绩效表单助手)."""

__version__ = "0.1.0"
APP_NAME = "绩效表单助手"
