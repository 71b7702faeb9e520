"""HTML to PDF on the server with xhtml2pdf (pure Python: installs from PyPI alone)."""

import io
import logging

# xhtml2pdf logs every CSS rule it does not support; keep the application log readable.
logging.getLogger("xhtml2pdf").setLevel(logging.ERROR)


def html_to_pdf(html: str) -> bytes:
    # Imported on the first PDF only: xhtml2pdf and ReportLab weigh about 30 MB in each
    # worker that never prints.
    from xhtml2pdf import pisa

    output = io.BytesIO()
    result = pisa.CreatePDF(html, dest=output, encoding="utf-8")
    if result.err:
        raise RuntimeError(f"PDF rendering failed with {result.err} errors")
    return output.getvalue()
