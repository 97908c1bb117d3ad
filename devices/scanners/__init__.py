"""Barcode scanners: decoders for frames, the camera loop, the serial line, and the sink that posts scans."""
