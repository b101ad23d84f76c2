"""Import (published text, our xlsx) and export (PDF, xlsx), driven by layouts."""
