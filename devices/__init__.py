"""Hardware on site: scanners, ESC/POS printers and the door relay, each behind a small interface with a fake beside it."""
