"""Read back an ESC/POS byte stream: the barcodes (GS k) and QR codes (GS ( k) a ticket asks the printer to draw."""

from __future__ import annotations

GS = 0x1D
CODE128 = 73  # GS k m=73
QR_CN, QR_STORE = 49, 80  # GS ( k cn=49 fn=80: store the QR data


def escpos_symbols(data: bytes) -> list[tuple[str, str]]:
    """(kind, payload) for every native barcode in the stream, in order; kind is "code128", "qr" or "barcode"."""
    found, i = [], 0
    while i < len(data) - 2:
        if data[i] == GS and data[i + 1] == 0x6B:  # GS k
            symbol, i = _barcode(data, i + 2)
        elif data[i] == GS and data[i + 1] == 0x28 and data[i + 2] == 0x6B:  # GS ( k
            symbol, i = _two_d(data, i + 3)
        else:
            i += 1
            continue
        if symbol:
            found.append(symbol)
    return found


def barcode_payloads_from_escpos(data: bytes) -> list[str]:
    """The payloads a scanner would read from the ticket's native barcodes (Code 128 code-set prefixes removed)."""
    return [payload for _, payload in escpos_symbols(data)]


def _barcode(data: bytes, i: int) -> tuple[tuple[str, str] | None, int]:
    m = data[i]
    if m <= 6:  # function A: NUL-terminated
        end = data.find(b"\x00", i + 1)
        end = len(data) if end < 0 else end
        return ("barcode", data[i + 1 : end].decode("latin-1")), end + 1
    length = data[i + 1] if i + 1 < len(data) else 0
    body = data[i + 2 : i + 2 + length]
    if m == CODE128:
        return ("code128", decode_code128_data(body)), i + 2 + length
    return ("barcode", body.decode("latin-1")), i + 2 + length


def _two_d(data: bytes, i: int) -> tuple[tuple[str, str] | None, int]:
    if i + 4 > len(data):
        return None, len(data)
    length = data[i] + 256 * data[i + 1]
    cn, fn = data[i + 2], data[i + 3]
    body = data[i + 2 : i + 2 + length]
    if cn == QR_CN and fn == QR_STORE:
        return ("qr", body[3:].decode("utf-8", errors="replace")), i + 2 + length
    return None, i + 2 + length


def decode_code128_data(body: bytes) -> str:
    """Human-readable data of a GS k Code 128 body: `{A`/`{B` text, `{C` digit pairs, `{{` for a brace."""
    out, charset, i = [], "B", 0
    while i < len(body):
        byte = body[i]
        if byte == ord("{") and i + 1 < len(body):
            marker = chr(body[i + 1])
            i += 2
            if marker in "ABC":
                charset = marker
            elif marker == "{":
                out.append("{")
            continue  # FNC1-4 and shift carry no data
        out.append(f"{byte:02d}" if charset == "C" else chr(byte))
        i += 1
    return "".join(out)
