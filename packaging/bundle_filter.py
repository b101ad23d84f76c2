"""What the frozen app leaves out: Python modules it never imports, Qt plugins and translations it never loads.

Pure functions over the destination names PyInstaller gives each file (``PySide6/Qt/plugins/platforms/...``), so
the choice is tested without building (tests/test_packaging.py). Kept on purpose:
- ``platforms``: offscreen (smoke tests), xcb (Linux desktops), windows, minimal;
- ``platforminputcontexts``: without them Chinese input methods (fcitx/ibus) do not reach the app on Linux;
- ``styles`` (Windows' native look), ``printsupport`` (printing), ``imageformats/qico`` (the icon);
- not ``xcbglintegrations``: a widgets app draws without OpenGL, and they pull in EGL/GLX and Qt6OpenGL;
- not ``ssl``/``_hashlib`` (OpenSSL, 5 MB): the app never opens a connection, and hashlib falls back to its
  built-in digests;
- of Qt's translations only ``qtbase_zh_CN.qm``: 确定/取消 and the standard dialogs in Chinese.
"""

from __future__ import annotations

import posixpath

# modules some library may import that the app never uses; each one costs size (and start-up when frozen)
EXCLUDED_MODULES = (
    "tkinter", "_tkinter", "unittest", "pydoc", "doctest", "lib2to3", "xmlrpc", "ftplib", "http.server",
    "ssl", "_ssl", "_hashlib", "asyncio", "multiprocessing", "charset_normalizer", "numpy", "hypothesis", "pytest",
    "_pytest", "pytestqt", "fontTools", "setuptools", "pip",
    # reportlab imports PIL.Image at start; its codecs for images we never embed bring 13 MB of libraries
    "PIL._avif", "PIL._webp", "PIL._imagingcms", "PIL._imagingft", "PIL._imagingtk", "PIL._imagingmath",
    "PIL._imagingmorph", "PIL.ImageQt", "PIL.ImageTk", "PIL.ImageCms", "PIL.AvifImagePlugin",
    "PIL.WebPImagePlugin",
    "PySide6.QtNetwork", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets", "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets", "PySide6.QtSql", "PySide6.QtTest", "PySide6.QtDBus", "PySide6.QtXml",
    "PySide6.QtConcurrent", "PySide6.QtHelp", "PySide6.QtDesigner", "PySide6.QtSvg", "PySide6.QtSvgWidgets",
    "PySide6.QtPdf", "PySide6.QtPdfWidgets", "PySide6.QtNetworkAuth", "PySide6.QtStateMachine",
)

KEPT_PLUGIN_DIRS = {"platforms", "platforminputcontexts", "styles", "printsupport", "imageformats"}
KEPT_PLATFORMS = ("qoffscreen", "qxcb", "qwindows", "qminimal", "qcocoa")
KEPT_IMAGE_FORMATS = ("qico",)
KEPT_TRANSLATIONS = ("qtbase_zh_CN.qm",)
# plugins whose system libraries come from the host: on Linux the CUPS print plugin uses the system's libcups
# (there wherever printing is set up; 9 MB with gnutls and kerberos). Without it Qt lists no printers and the
# app still prints to PDF; on Windows printing is built into Qt and this changes nothing.
HOST_LIBRARIES_FOR = ("cupsprintersupport",)
# Qt 6.10+ on Windows links the ICU that Windows 10 (1903+) and 11 carry in System32. A copy from the build PC
# must never travel: it breaks start-up on other Windows builds (QTBUG-142131).
WINDOWS_SYSTEM_DLLS = ("icuuc.dll", "icuin.dll", "icu.dll")

def _parts(dest: str) -> list[str]:
    return dest.replace("\\", "/").split("/")


def _plugin(dest: str) -> tuple[str, str] | None:
    """(plugin directory, file name) for a Qt plugin, else None."""
    parts = _parts(dest)
    if "plugins" in parts:
        i = parts.index("plugins")
        if len(parts) > i + 2:
            return parts[i + 1], parts[-1]
    return None


def _stem(file_name: str) -> str:
    name = file_name.split(".")[0]
    return name[3:] if name.startswith("lib") else name


def keep_binary(dest: str) -> bool:
    """Whether a shared library or plugin goes into the bundle."""
    if _parts(dest)[-1].lower() in WINDOWS_SYSTEM_DLLS:
        return False
    plugin = _plugin(dest)
    if plugin is not None:
        directory, file_name = plugin
        if directory not in KEPT_PLUGIN_DIRS:
            return False
        if directory == "platforms":
            return _stem(file_name) in KEPT_PLATFORMS
        if directory == "imageformats":
            return _stem(file_name) in KEPT_IMAGE_FORMATS
        if directory == "platforminputcontexts":
            return "virtualkeyboard" not in file_name  # the on-screen keyboard needs QtQuick
        return True
    return True  # libraries: what no kept binary links is dropped by reachable_binaries()


def keep_data(dest: str) -> bool:
    """Whether a data file goes into the bundle: of Qt's own files only the Chinese base translation."""
    parts = _parts(dest)
    if "translations" in parts and parts[0] == "PySide6":
        return parts[-1] in KEPT_TRANSLATIONS
    if _plugin(dest) is not None:
        return keep_binary(dest)
    return True


def reachable_binaries(binaries, imports_of):
    """The binaries a kept root actually links, directly or not; the rest came in only with a dropped plugin.

    ``binaries`` are PyInstaller TOC entries (dest, source, typecode); roots are Python extension modules, Qt
    plugins and libpython; ``imports_of(source)`` gives the library names a binary links (bindepend.get_imports).
    From the plugins of ``HOST_LIBRARIES_FOR`` only Qt's own libraries are followed.
    """
    by_name = {}
    for dest, _source, _kind in binaries:
        by_name.setdefault(_parts(dest)[-1], []).append(dest)
    entries = {dest: (source, kind) for dest, source, kind in binaries}

    def closure(roots, follow=lambda dest: True):
        kept, todo = set(), list(roots)
        while todo:
            dest = todo.pop()
            if dest in kept or dest not in entries or not (dest in roots or follow(dest)):
                continue
            kept.add(dest)
            source, kind = entries[dest]
            if kind == "SYMLINK":  # PyInstaller's TOC: (dest, target relative to dest's folder, "SYMLINK")
                todo.append(_link_target(dest, source))
                continue
            for name in imports_of(source):
                todo.extend(by_name.get(name, ()))
        return kept

    roots = [dest for dest, _source, kind in binaries
             if kind == "EXTENSION" or _plugin(dest) is not None
             or _parts(dest)[-1].startswith(("libpython", "python3"))]
    host = [r for r in roots if _stem(_parts(r)[-1]) in HOST_LIBRARIES_FOR]
    kept = closure([r for r in roots if r not in host])
    kept |= closure(host, follow=lambda dest: dest.replace("\\", "/").startswith("PySide6/"))
    return [entry for entry in binaries if entry[0] in kept]


def without_dangling_links(entries, kept_binaries):
    """Drop the symbolic links (PyInstaller lists some among the data files) whose target was left out."""
    present = ({dest for dest, _source, _kind in kept_binaries}
               | {dest for dest, _s, kind in entries if kind != "SYMLINK"})
    return [(dest, source, kind) for dest, source, kind in entries
            if kind != "SYMLINK" or _link_target(dest, source) in present]


def _link_target(dest: str, source: str) -> str:
    folder = posixpath.dirname(dest.replace("\\", "/"))
    return posixpath.normpath(posixpath.join(folder, source.replace("\\", "/")))
