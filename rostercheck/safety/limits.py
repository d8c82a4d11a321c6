"""Every limit the safety checks enforce, in one place (documented in docs/security.md).

A limit is set where an honest roster is orders of magnitude below it and the readers' memory is
still bounded: a year of 5,000 residents is about 2 million cells, a tenth of ``MAX_CELLS``.
"""

MAX_PART_BYTES = 512 * 1024 * 1024  # one decompressed zip part
MAX_TOTAL_BYTES = 1024 * 1024 * 1024  # all parts together
MAX_RATIO = 200  # decompressed / compressed, for parts over 1 MB
MAX_MEMBERS = 10_000  # parts in one zip
MAX_CELLS = 20_000_000  # bounding box of one sheet's cells (rows x columns); for .ods/.xls all sheets together
MAX_SHARED_STRINGS = 5_000_000
MAX_STREAM_BYTES = 512 * 1024 * 1024  # a whole .xls file, as MAX_PART_BYTES for one zip part
MAX_COLS = 16_384  # the sheet limits of Excel and LibreOffice; calamine drops cells past them
MAX_ROWS = 1_048_576

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE2 compound file: .xls, or an encrypted .xlsx
