"""Hardware on site: scanners, ESC/POS printers, the door relay; each behind a small interface, a fake beside it."""
