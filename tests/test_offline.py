"""The offline guarantee: the app and the CLI never open a network connection, and carry no network code.

Three independent checks: (1) the test session itself refuses every socket operation (tests/conftest.py audit
hook), so any test that touched the network would fail; (2) the desktop app and the CLI run in subprocesses
under an audit hook and, where strace works, under strace, which sees sockets opened by Qt's C++ code too;
(3) no module of the package imports network modules.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import NETWORK_EVENTS, ROOT

PACKAGE = ROOT / "fcast_desktop"
NETWORK_MODULES = ("socket", "ssl", "urllib.request", "http", "ftplib", "smtplib", "requests", "httpx",
                   "asyncio", "xmlrpc", "PySide6.QtNetwork", "PySide6.QtWebSockets")

AUDITED = """
import sys
attempts = []
def hook(event, args):
    if event in {events!r}:
        sys.stderr.write(f"NETWORK {{event}} {{args!r}}\\n")
        sys.stderr.flush()
        raise ConnectionRefusedError(event)
sys.addaudithook(hook)
sys.argv = {argv!r}
{body}
"""


def _run_audited(body: str, argv: list[str], env_extra: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    code = AUDITED.format(events=NETWORK_EVENTS, argv=argv, body=body)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", FCAST_CONFIG_DIR=str(tmp_path / "cfg"), **env_extra)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8",
                          env=env, cwd=ROOT, timeout=120)


def test_the_test_session_refuses_connections():
    """The guard in conftest works: a connection attempt inside a test is refused (and recorded)."""
    import conftest

    before = len(conftest._network_attempts)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", 9), timeout=0.1)
    assert len(conftest._network_attempts) == before + 1
    del conftest._network_attempts[before:]  # this one was on purpose


def test_desktop_app_start_open_and_export_make_no_connection(tmp_path, seed_project_file):
    body = (
        "from fcast_desktop.gui.app import main\n"
        "code = main(sys.argv)\n"
        "from fcast_desktop.cli import main as cli\n"
        f"cli(['export', {str(seed_project_file)!r}, '--pdf', {str(tmp_path / 'a.pdf')!r}])\n"
        f"cli(['export', {str(seed_project_file)!r}, '--xlsx', {str(tmp_path / 'a.xlsx')!r}])\n"
        "import fcast_desktop.gui.printing, fcast_desktop.gui.export\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6.QtNetwork', 'ssl', 'http.client')))\n"
        "print('NETWORK_MODULES', bad)\n"
        "sys.exit(code)\n"
    )
    done = _run_audited(body, ["fcast-desktop", str(seed_project_file)], {"FCAST_SMOKE_QUIT_MS": "50"}, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "FCAST_WINDOW_SHOWN 44" in done.stdout
    assert "NETWORK " not in done.stderr
    assert "NETWORK_MODULES []" in done.stdout
    assert (tmp_path / "a.pdf").stat().st_size > 0 and (tmp_path / "a.xlsx").stat().st_size > 0


def _strace_works() -> bool:
    if not shutil.which("strace"):
        return False
    return subprocess.run(["strace", "-f", "-qq", "-o", os.devnull, "true"], capture_output=True).returncode == 0


INET_SOCKET = re.compile(r"socket\(AF_INET6?\b")


@pytest.mark.skipif(not _strace_works(), reason="strace is not installed or not permitted here")
def test_no_internet_socket_at_the_system_call_level(tmp_path):
    """strace sees every socket the process opens, Qt's C++ code included; none may be AF_INET/AF_INET6."""
    trace = tmp_path / "trace.txt"
    # the control: the parser does see an internet socket when one is made
    subprocess.run(["strace", "-f", "-qq", "-e", "trace=socket", "-o", str(trace), sys.executable, "-c",
                    "import socket; socket.socket().close()"], check=True)
    assert INET_SOCKET.search(trace.read_text())
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", FCAST_SMOKE_QUIT_MS="50",
               FCAST_CONFIG_DIR=str(tmp_path / "cfg"))
    cli = [sys.executable, "-m", "fcast_desktop.cli"]
    sample = str(ROOT / "resources" / "samples" / "sample.fcast")
    runs = {
        "desktop": [sys.executable, "-m", "fcast_desktop.gui.app", sample],
        "check": cli + ["check", sample],
        "export": cli + ["export", sample, "--pdf", str(tmp_path / "s.pdf")],
    }
    for name, command in runs.items():
        out = tmp_path / f"{name}.trace"
        done = subprocess.run(["strace", "-f", "-qq", "-e", "trace=socket,connect", "-o", str(out), *command],
                              capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
        assert done.returncode in (0, 1), (name, done.stderr)
        text = out.read_text()
        assert not INET_SOCKET.search(text), f"{name} opened an internet socket:\n{text}"


def test_no_module_imports_network_code():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                if any(name == m or name.startswith(m + ".") for m in NETWORK_MODULES):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert not offenders, offenders
