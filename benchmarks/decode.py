"""Benchmark the barcode decoders on a generated video: frames/s and decode rate at 640×480 and 1280×720.

Run: .venv/bin/python benchmarks/decode.py [--frames 150]
Each frame holds a Code 128 or QR convocation code (sizes, angles up to 25° and 90°, blur,
noise, poor light) or nothing (one frame in five). Frames go through a real MJPG video file
and cv2.VideoCapture, as from a camera; decoding runs on one thread.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devices.scanners.decoders import ChainDecoder, PyzbarDecoder, ZxingDecoder  # noqa: E402
from devices.synthetic import make_frame, varied_scenes, write_video  # noqa: E402

SIZES = [(640, 480), (1280, 720)]
CAMERA_FPS = 30


def read_video(path: str) -> list:
    capture = cv2.VideoCapture(path)
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
    capture.release()
    return frames


def measure(decoder, frames, scenes) -> dict:
    found = false_reads = 0
    start = time.perf_counter()
    results = [decoder.decode(frame) for frame in frames]
    elapsed = time.perf_counter() - start
    for scene, codes in zip(scenes, results, strict=True):
        found += scene.kind is not None and scene.payload in codes
        false_reads += sum(code != scene.payload for code in codes)
    present = sum(scene.kind is not None for scene in scenes)
    return {"fps": len(frames) / elapsed, "rate": found / present, "found": found, "present": present,
            "false": false_reads}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=150)
    args = parser.parse_args()
    cv2.setNumThreads(1)
    zxing, pyzbar = ZxingDecoder(), PyzbarDecoder()
    decoders = [("zxing-cpp (Code 128 + QR)", zxing), ("pyzbar (CODE128 + QRCODE)", pyzbar),
                ("zxing-cpp puis pyzbar si rien", ChainDecoder([zxing, pyzbar]))]
    scenes = varied_scenes(args.frames, seed=2026)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in SIZES:
            generated = [make_frame(scene, size, seed) for seed, scene in enumerate(scenes)]
            video = write_video(Path(tmp) / f"bench-{size[0]}.avi", generated)
            frames = read_video(video)
            assert len(frames) == len(scenes), "video frames lost"
            for label, decoder in decoders:
                rows.append((f"{size[0]}×{size[1]}", label, measure(decoder, frames, scenes)))
    print(f"{args.frames} images par taille, dont {rows[0][2]['present']} avec un code ; un seul fil d'exécution.\n")
    print("| taille | décodeur | images/s | codes lus | taux | lectures fausses |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for size, label, m in rows:
        print(f"| {size} | {label} | {m['fps']:.0f} | {m['found']}/{m['present']} | {m['rate']:.0%} | {m['false']} |")
    default = next(m for size, label, m in rows if size == "640×480" and label.startswith("zxing-cpp ("))
    verdict = "suit" if default["fps"] >= CAMERA_FPS else "NE SUIT PAS"
    print(f"\nDécodeur par défaut (zxing-cpp) à 640×480 : {default['fps']:.0f} images/s, "
          f"il {verdict} une caméra à {CAMERA_FPS} images/s sur un cœur.")


if __name__ == "__main__":
    main()
