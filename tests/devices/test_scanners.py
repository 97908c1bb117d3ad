"""Scanners on real images, real video files, loop:// and real socat ptys."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import serial

from devices.backoff import Backoff
from devices.scanners.camera import CameraScanner
from devices.scanners.common import Debouncer
from devices.scanners.decoders import PyzbarDecoder, ZxingDecoder, decode_image_bytes, make_decoder
from devices.scanners.serial_line import LineSplitter, SerialScanner
from devices.synthetic import Scene, make_frame, write_video

NUMERO = "2026004217"
HARD_CASES = {
    "net": dict(),
    "peu_de_lumiere": dict(light=0.35, noise=4),
    "incline": dict(angle=10),
    "flou": dict(blur=1.0),
    "bruit": dict(noise=10),
    "tout_a_la_fois": dict(light=0.5, angle=8, blur=0.8, noise=6),
}


@pytest.mark.parametrize("kind,module_px", [("code128", 3), ("qr", 4)])
@pytest.mark.parametrize("case", HARD_CASES)
def test_default_decoder_reads_convocation_in_hard_conditions(kind, module_px, case):
    frame = make_frame(Scene(kind, NUMERO, module_px, **HARD_CASES[case]), seed=3)
    assert make_decoder().decode(frame) == [NUMERO]


@pytest.mark.parametrize("decoder_class", [ZxingDecoder, PyzbarDecoder])
@pytest.mark.parametrize("kind", ["code128", "qr"])
def test_both_decoders_read_a_tilted_code_at_720p(decoder_class, kind):
    frame = make_frame(Scene(kind, NUMERO, 4, angle=6 if kind == "code128" else 30), size=(1280, 720))
    assert decoder_class().decode(frame) == [NUMERO]


@pytest.mark.parametrize("decoder_class", [ZxingDecoder, PyzbarDecoder])
@pytest.mark.parametrize(
    "garbage",
    [np.zeros((0, 0), np.uint8), np.zeros(100, np.uint8), np.zeros((3, 3), np.uint8), "pas une image", None,
     np.random.default_rng(1).integers(0, 255, (480, 640), dtype=np.uint8), np.full((480, 640, 3), 200.0)],
)
def test_unreadable_frame_gives_no_code(decoder_class, garbage):
    assert decoder_class().decode(garbage) == []


def test_still_image_bytes_decoded_and_garbage_bytes_give_no_code():
    ok, png = cv2.imencode(".png", make_frame(Scene("qr", NUMERO, 4, light=0.5)))
    assert decode_image_bytes(png.tobytes()) == [NUMERO]
    assert decode_image_bytes(png.tobytes()[:200]) == []
    assert decode_image_bytes(b"") == []


def test_same_code_within_one_second_counts_once():
    now = [100.0]
    debouncer = Debouncer(1.0, clock=lambda: now[0])
    seen = []
    for t, code in [(0, "A"), (0.3, "A"), (0.5, "B"), (0.9, "A"), (2.0, "A"), (2.1, "B")]:
        now[0] = 100 + t
        seen.append(debouncer.accept(code))
    assert seen == [True, False, True, False, True, True]


def test_camera_scanner_uses_the_injected_clock_for_repeats():
    now, codes = [0.0], []
    scanner = CameraScanner(0, codes.append, clock=lambda: now[0])
    frame = cv2.cvtColor(make_frame(Scene("qr", NUMERO, 4, light=0.5)), cv2.COLOR_GRAY2BGR)
    for t in (0.0, 0.5, 0.9, 2.0, 2.5):
        now[0] = t
        scanner.process_frame(frame)
    assert codes == [NUMERO, NUMERO]  # held in view until 0.9 s, shown again at 2.0 s


def _video(tmp_path, segments, fps=30):
    frames = []
    for scene, count in segments:
        frames += [make_frame(scene, seed=len(frames) + i) for i in range(count)]
    return write_video(tmp_path / "porte.avi", frames, fps)


def test_camera_scanner_reads_video_file_and_counts_a_code_held_in_view_once(tmp_path):
    code128 = Scene("code128", NUMERO, 3, angle=5, light=0.6, blur=0.6)
    qr = Scene("qr", "2026009999", 4, angle=20, noise=5)
    empty = Scene(None)
    video = _video(tmp_path, [(empty, 5), (code128, 20), (empty, 40), (code128, 8), (empty, 3), (qr, 10)])
    codes, statuses = [], []
    scanner = CameraScanner(video, codes.append, on_status=lambda *s: statuses.append(s))
    scanner.start().join(30)
    assert scanner.frames == 86
    assert codes == [NUMERO, NUMERO, "2026009999"]  # back in view after 1.3 s: a new scan
    assert statuses[0][0] is True


def test_camera_scanner_sink_failure_does_not_stop_the_loop(tmp_path):
    video = _video(tmp_path, [(Scene("qr", "A1", 4), 3), (Scene(None), 35), (Scene("qr", "B2", 4), 3)])
    received = []

    def sink(code):
        received.append(code)
        raise RuntimeError("serveur indisponible")

    CameraScanner(video, sink).start().join(30)
    assert received == ["A1", "B2"]


def test_missing_camera_reports_offline_and_stops_cleanly(poll):
    statuses = []
    scanner = CameraScanner(97, print, on_status=lambda *s: statuses.append(s), backoff=Backoff(0.01, 0.02))
    scanner.start()
    poll(lambda: len(statuses) >= 2)
    scanner.stop()
    assert statuses[0] == (False, "Caméra 97 introuvable ou occupée.")


def test_lines_split_on_cr_lf_crlf_and_garbage_ignored():
    splitter = LineSplitter(max_line=32)
    assert splitter.feed(b"111\r222\n333\r\n44") == ["111", "222", "333"]
    assert splitter.feed(b"4\r\n") == ["444"]
    assert splitter.feed(b"\xff\xfe\x00binaire\n\x00\x01\x02\r\n") == []
    assert splitter.feed(b"x" * 100 + b"\n555\n") == ["555"]
    assert splitter.feed(b"  \r\n\r\n  666 \n") == ["666"]
    assert splitter.feed("Ébène-7\n".encode()) == ["Ébène-7"]


def _capturing_factory(ports):
    def factory(url, **kwargs):
        port = serial.serial_for_url(url, **kwargs)
        ports.append(port)
        return port

    return factory


def test_serial_scanner_on_loop_url_reads_codes_and_skips_garbage(poll):
    codes, ports = [], []
    scanner = SerialScanner("loop://", codes.append, serial_factory=_capturing_factory(ports)).start()
    try:
        poll(lambda: scanner.online)
        ports[0].write(b"2026000001\r\n\xff\xfe\x80\r\n2026000002\r2026000001\n2026000003\n")
        poll(lambda: len(codes) >= 3)
    finally:
        scanner.stop()
    assert codes == ["2026000001", "2026000002", "2026000003"]  # the repeat within a second counts once


def test_serial_scanner_survives_unplug_and_replug_on_a_real_pty(socat, poll):
    codes, statuses = [], []
    scanner = SerialScanner(
        socat.a, codes.append, name="porte A", on_status=lambda *s: statuses.append(s), backoff=Backoff(0.02, 0.1)
    ).start()
    try:
        poll(lambda: scanner.online)
        socat.write_b(b"2026000010\r\n")
        poll(lambda: codes == ["2026000010"])

        socat.kill()  # unplugged
        poll(lambda: scanner.online is False)
        socat.start()  # plugged back
        poll(lambda: scanner.online)
        socat.write_b(b"2026000011\n")
        poll(lambda: codes == ["2026000010", "2026000011"])
    finally:
        scanner.stop()
    assert [online for online, _ in statuses] == [True, False, True]
    assert "porte A" in statuses[1][1] and "débranché" in statuses[1][1]
