"""Regenerate docs/pdf-*.png and docs/xlsx-*.png: one page of each form kind, as exported (PDF via pdftoppm) and
as LibreOffice prints our Excel (soffice --headless). Needs poppler-utils and libreoffice-calc; LibreOffice must
see a Chinese font, so the bundled one is installed for the user for the duration of the run.
Usage: python tools/doc_images.py [out_dir]"""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from PIL import Image  # noqa: E402 (comes with reportlab)

from fcast_desktop.exchange.pdf_export import export_pdf  # noqa: E402
from fcast_desktop.exchange.xlsx_export import export_xlsx  # noqa: E402
from fcast_desktop.store.project_file import load_project  # noqa: E402

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs"
OUT.mkdir(parents=True, exist_ok=True)
project = load_project(ROOT / "resources/samples/sample.fcast")

def find(kind, name=None, code=None):
    return next(f for f in project.forms if f.kind == kind and (name is None or getattr(f, "project_name", "") == name)
                and (code is None or getattr(f, "project_code", "") == code))

forms = {
    "declaration": find("declaration", "离退休干部节日慰问金（科级及以下）", "440304221061500000046"),
    "self-evaluation": (find("self_evaluation", code="440304221061500600008"),
                        find("self_evaluation", code="440304221061500000007")),
    "department": find("department_overall"),
}
tmp = Path(tempfile.mkdtemp())

def pages(pdf, dpi, first, last):
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(first), "-l", str(last), str(pdf),
                    str(tmp / pdf.stem)], check=True)
    return sorted(tmp.glob(pdf.stem + "-*.png"))

def side_by_side(files, out):
    ims = [Image.open(f).convert("RGB") for f in files]
    w = sum(i.width for i in ims) + 10 * (len(ims) - 1)
    m = Image.new("RGB", (w, max(i.height for i in ims)), (128, 128, 128))
    x = 0
    for i in ims:
        m.paste(i, (x, 0))
        x += i.width + 10
    m.save(out)

fonts = Path.home() / ".local" / "share" / "fonts"
fonts.mkdir(parents=True, exist_ok=True)
font = fonts / "FCastSansSC-Regular.ttf"
added = not font.exists()
if added:
    shutil.copy(ROOT / "resources" / "fonts" / font.name, font)
for name, form in forms.items():
    pdf_form = form[0] if isinstance(form, tuple) else form
    xlsx_form = form[1] if isinstance(form, tuple) else form
    pdf = tmp / f"pdf-{name}.pdf"
    export_pdf(project, [pdf_form], pdf)
    Image.open(pages(pdf, 80, 1, 1)[0]).convert("RGB").save(OUT / f"pdf-{name}.png")
    xlsx = tmp / f"xlsx-{name}.xlsx"
    export_xlsx(project, [xlsx_form], xlsx)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp), str(xlsx)], check=True,
                   capture_output=True)
    converted = tmp / f"xlsx-{name}.pdf"
    if name == "department":
        side_by_side([pages(converted, 70, 1, 1)[0], pages(converted, 70, 3, 3)[-1]], OUT / f"xlsx-{name}.png")
    else:
        Image.open(pages(converted, 70, 1, 1)[0]).convert("RGB").save(OUT / f"xlsx-{name}.png")
    print("made", name)
if added:
    font.unlink()
