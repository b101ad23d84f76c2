"""What goes into the PyInstaller bundle (packaging/bundle_filter.py), without building it.

Building and running the bundle is ``make package-test`` (packaging/smoke_test.py).
"""

from __future__ import annotations

import ast
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "packaging"))
import bundle_filter as bf


@pytest.mark.parametrize("dest, kept", [
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ("PySide6/Qt/plugins/platforms/qwindows.dll", True),
    ("PySide6\\Qt\\plugins\\platforms\\qwindows.dll", True),
    ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
    ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
    ("PySide6/Qt/plugins/platforminputcontexts/libcomposeplatforminputcontextplugin.so", True),
    ("PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so", True),
    ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", False),
    ("PySide6/Qt/plugins/styles/qmodernwindowsstyle.dll", True),
    ("PySide6/Qt/plugins/printsupport/libcupsprintersupport.so", True),
    ("PySide6/Qt/plugins/imageformats/qico.dll", True),
    ("PySide6/Qt/plugins/imageformats/libqwebp.so", False),
    ("PySide6/Qt/plugins/networkinformation/libqnetworkmanager.so", False),
    ("PySide6/Qt/plugins/tls/libqopensslbackend.so", False),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
    ("PySide6/Qt/lib/libQt6Widgets.so.6", True),
    ("icuuc.dll", False),  # Windows' own ICU, never a copy from the build PC
    ("ICUIN.DLL", False),
])
def test_plugins_kept_are_the_ones_the_app_loads(dest, kept):
    assert bf.keep_binary(dest) is kept


def test_only_the_chinese_qt_translation_is_kept():
    assert bf.keep_data("PySide6/Qt/translations/qtbase_zh_CN.qm")
    assert not bf.keep_data("PySide6/Qt/translations/qtbase_de.qm")
    assert not bf.keep_data("PySide6/Qt/translations/assistant_zh_CN.qm")
    assert bf.keep_data("resources/fonts/OFL.txt") and bf.keep_data("ui/main_window.ui")


def test_unreachable_libraries_and_their_links_are_dropped():
    binaries = [
        ("PySide6/QtWidgets.abi3.so", "/x/QtWidgets.abi3.so", "EXTENSION"),
        ("PySide6/Qt/lib/libQt6Widgets.so.6", "/x/libQt6Widgets.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Network.so.6", "/x/libQt6Network.so.6", "BINARY"),  # only a dropped plugin's
        ("libQt6Widgets.so.6", "PySide6/Qt/lib/libQt6Widgets.so.6", "SYMLINK"),
        ("PySide6/Qt/plugins/printsupport/libcupsprintersupport.so", "/x/libcupsprintersupport.so", "BINARY"),
        ("PySide6/Qt/lib/libQt6PrintSupport.so.6", "/x/libQt6PrintSupport.so.6", "BINARY"),
        ("libcups.so.2", "/lib/libcups.so.2", "BINARY"),  # the host's, for the CUPS plugin
        ("libstdc++.so.6", "/lib/libstdc++.so.6", "BINARY"),
    ]
    links = {
        "/x/QtWidgets.abi3.so": ["libQt6Widgets.so.6"],
        "/x/libQt6Widgets.so.6": ["libstdc++.so.6"],
        "/x/libcupsprintersupport.so": ["libQt6PrintSupport.so.6", "libcups.so.2"],
    }
    kept = {d for d, _s, _k in bf.reachable_binaries(binaries, lambda src: links.get(src, []))}
    assert kept == {"PySide6/QtWidgets.abi3.so", "PySide6/Qt/lib/libQt6Widgets.so.6", "libQt6Widgets.so.6",
                    "libstdc++.so.6", "PySide6/Qt/plugins/printsupport/libcupsprintersupport.so",
                    "PySide6/Qt/lib/libQt6PrintSupport.so.6"}
    datas = [("libQt6Network.so.6", "PySide6/Qt/lib/libQt6Network.so.6", "SYMLINK"),
             ("libQt6Widgets.so.6", "PySide6/Qt/lib/libQt6Widgets.so.6", "SYMLINK"),
             ("ui/main_window.ui", "/src/ui/main_window.ui", "DATA")]
    remaining = bf.without_dangling_links(datas, [b for b in binaries if b[0] in kept])
    assert [d for d, _s, _k in remaining] == ["libQt6Widgets.so.6", "ui/main_window.ui"]


def test_version_resource_is_valid_and_names_the_app():
    import importlib.util

    spec = importlib.util.spec_from_file_location("build", ROOT / "packaging" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    text = build.version_resource()
    ast.parse(text)  # PyInstaller evaluates it as a Python expression over its versioninfo classes (Windows only)

    def record(kind):
        return lambda *args, **kwargs: (kind, args, kwargs)

    names = ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct", "VarFileInfo",
             "VarStruct")
    info = eval(text, {"__builtins__": {}}, {n: record(n) for n in names})
    from fcast_desktop import APP_NAME, __version__

    fixed = info[2]["ffi"][2]
    assert len(fixed["filevers"]) == 4 and all(isinstance(n, int) for n in fixed["filevers"])
    string_file, var_file = info[2]["kids"]
    (table,) = string_file[1][0]
    assert table[1][0] == "080404b0"  # Chinese (PRC), Unicode
    strings = {entry[1][0]: entry[1][1] for entry in table[1][1]}
    assert strings["ProductName"] == APP_NAME and strings["ProductVersion"] == __version__
    assert var_file[1][0][0][1] == ("Translation", [2052, 1200])


def test_spec_bundles_every_resource_folder_the_app_reads():
    spec = (ROOT / "packaging" / "fcast-desktop.spec").read_text(encoding="utf-8")
    for folder in ("ui", "fonts", "icons", "profiles", "samples"):
        assert f'"{folder}"' in spec or f'/ "{folder}"' in spec, folder
    for resource in sorted(p.name for p in (ROOT / "resources").iterdir() if p.is_dir()):
        assert f'"resources" / "{resource}"' in spec, f"resources/{resource} is not bundled"
