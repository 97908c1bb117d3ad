"""Helpers shared by the tests, imported one way: `from tests.helpers.<module> import ...`.

day       the demo day: staff codes, times (`at`), lookups and counts in its file, candidats added by import
server    the real app on a real port (LiveServer), `salle serve` as a child process, the kiosk's printer config
api       what a tablet or a responsable sends: client ids, a drawn signature, admit, start, emarge, refused
images    camera frames made on the spot: a QR code, a Code 128, a blank frame
browser   headless Chromium: sign in, a signed-in tablet, a keyboard-wedge scanner, an element in view
devices   the hardware boundary: socat pty pairs, a convocation ticket, the print spooler's hooks
waiting   wait_for: poll until something is true, or fail naming what was awaited

Fixtures are in the conftest.py files, not here.
"""
