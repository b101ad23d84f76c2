"""The PDF is written into the file as it is produced (issue 14), byte for byte what reportlab's in-memory save
makes; and the atomic write with a writer callback keeps the safety of ``write_atomically``."""

from __future__ import annotations

import io
import os

import pytest
from reportlab import rl_config
from reportlab.pdfbase import pdfdoc

from fcast_desktop.exchange import pdf_export
from fcast_desktop.store.project_file import write_atomically_with


@pytest.fixture
def invariant(monkeypatch):
    """Fixed creation date and document ID, so that two saves of the same drawing can be compared byte for byte."""
    monkeypatch.setattr(rl_config, "invariant", 1)


def in_memory_save(project, forms) -> bytes:
    """reportlab's own path (``GetPDFData``: every object joined in memory), binary streams as the export sets."""
    canvas = pdf_export._drawn_canvas(project, forms)
    a85 = rl_config.useA85
    rl_config.useA85 = 0
    try:
        return canvas.getpdfdata()
    finally:
        rl_config.useA85 = a85


@pytest.mark.parametrize("copies", [1, 7])  # the 44 seed forms; 308 forms
def test_streamed_pdf_is_byte_identical_to_reportlabs_in_memory_save(seed_project, invariant, tmp_path, copies):
    forms = list(seed_project.forms) * copies
    expected = in_memory_save(seed_project, forms)
    assert expected.startswith(b"%PDF") and b"startxref" in expected[-200:]
    assert pdf_export.render_pdf(seed_project, forms) == expected
    out = tmp_path / "表单.pdf"
    pdf_export.export_pdf(seed_project, forms, out)
    assert out.read_bytes() == expected


def test_the_export_never_joins_the_whole_file_in_memory(seed_project, monkeypatch, tmp_path):
    def joined(*_args, **_kwargs):
        raise AssertionError("the whole PDF was assembled in memory")

    monkeypatch.setattr(pdfdoc.PDFDocument, "GetPDFData", joined)
    monkeypatch.setattr(pdfdoc.PDFFile, "format", joined)
    out = tmp_path / "表单.pdf"
    pdf_export.export_pdf(seed_project, seed_project.forms[:6], out)
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")


def test_a_drawn_document_is_saved_only_once(seed_project):
    canvas = pdf_export._drawn_canvas(seed_project, seed_project.forms[:1])
    pdf_export.save_streamed(canvas, io.BytesIO())
    with pytest.raises(RuntimeError):
        pdf_export.save_streamed(canvas, io.BytesIO())


def debris(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_write_atomically_with_writes_through_the_callback(tmp_path):
    target = tmp_path / "out.pdf"
    target.write_bytes(b"old")

    def write(fh):
        for part in (b"new ", b"content"):
            fh.write(part)

    write_atomically_with(target, write)
    assert target.read_bytes() == b"new content"
    assert debris(tmp_path) == ["out.pdf"]  # no temporary file, no backup


@pytest.mark.parametrize("existing", [True, False])
def test_a_failing_writer_leaves_the_old_file_or_none_and_no_debris(tmp_path, existing):
    target = tmp_path / "out.pdf"
    if existing:
        target.write_bytes(b"old")

    def write(fh):
        fh.write(b"half of a file")
        raise ValueError("stopped")

    with pytest.raises(ValueError, match="stopped"):
        write_atomically_with(target, write)
    assert debris(tmp_path) == (["out.pdf"] if existing else [])
    if existing:
        assert target.read_bytes() == b"old"


@pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")
def test_write_atomically_with_refuses_a_read_only_file(tmp_path):
    target = tmp_path / "out.pdf"
    target.write_bytes(b"old")
    target.chmod(0o444)
    called = []
    with pytest.raises(PermissionError, match="只读"):
        write_atomically_with(target, called.append)
    assert target.read_bytes() == b"old" and not called
    assert debris(tmp_path) == ["out.pdf"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symbolic links")
def test_write_atomically_with_writes_through_a_symbolic_link(tmp_path):
    real = tmp_path / "real.pdf"
    real.write_bytes(b"old")
    link = tmp_path / "link.pdf"
    link.symlink_to(real)
    write_atomically_with(link, lambda fh: fh.write(b"new"))
    assert link.is_symlink() and real.read_bytes() == b"new"
