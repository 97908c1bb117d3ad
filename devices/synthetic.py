"""Synthetic camera frames with convocation codes (sizes, angles, blur, noise, dim light) for tests and benchmarks."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from devices.symbols import render_symbol


@dataclass(frozen=True)
class Scene:
    """What one frame shows: a symbol (or nothing when `kind` is None) and how badly it is filmed."""

    kind: str | None
    payload: str = ""
    module_px: int = 3
    angle: float = 0.0
    blur: float = 0.0
    noise: float = 0.0
    light: float = 1.0


def make_frame(scene: Scene, size: tuple[int, int] = (640, 480), seed: int = 0) -> np.ndarray:
    """A grayscale frame of `size` (width, height) showing `scene`."""
    rng = np.random.default_rng(seed)
    width, height = size
    gradient = np.linspace(90, 150, width, dtype=np.float32)
    frame = np.tile(gradient, (height, 1)) + rng.normal(0, 6, (height, width)).astype(np.float32)
    if scene.kind:
        _paste_paper(frame, render_symbol(scene.kind, scene.payload, scene.module_px), scene.angle, rng)
    frame = frame * scene.light + (1 - scene.light) * 20
    if scene.blur:
        frame = cv2.GaussianBlur(frame, (0, 0), scene.blur)
    if scene.noise:
        frame = frame + rng.normal(0, scene.noise, frame.shape).astype(np.float32)
    return np.clip(frame, 0, 255).astype(np.uint8)


def _paste_paper(frame: np.ndarray, symbol: np.ndarray, angle: float, rng) -> None:
    """Put `symbol` on a sheet of paper, rotate it by `angle` degrees, place it in `frame`."""
    margin = 12
    paper = np.pad(symbol.astype(np.float32) * 0.92 + 8, margin, constant_values=243)
    h, w = paper.shape
    cos, sin = abs(np.cos(np.radians(angle))), abs(np.sin(np.radians(angle)))
    out_w, out_h = int(np.ceil(w * cos + h * sin)), int(np.ceil(w * sin + h * cos))
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    matrix[:, 2] += ((out_w - w) / 2, (out_h - h) / 2)
    rotated = cv2.warpAffine(paper, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR, borderValue=0)
    mask = cv2.warpAffine(np.ones_like(paper), matrix, (out_w, out_h), flags=cv2.INTER_LINEAR)
    fh, fw = frame.shape
    assert out_w <= fw and out_h <= fh, "symbol too large for the frame"
    top = int(rng.integers(0, fh - out_h + 1))
    left = int(rng.integers(0, fw - out_w + 1))
    window = frame[top : top + out_h, left : left + out_w]
    window[:] = window * (1 - mask) + rotated * mask


def varied_scenes(count: int, seed: int = 0, empty_every: int = 5) -> list[Scene]:
    """`count` scenes mixing Code 128 and QR at several sizes, angles, blur, noise and light; some empty."""
    rng = np.random.default_rng(seed)
    scenes = []
    for i in range(count):
        if empty_every and i % empty_every == empty_every - 1:
            scenes.append(Scene(None))
            continue
        kind = "code128" if i % 2 == 0 else "qr"
        scenes.append(
            Scene(
                kind=kind,
                payload=f"{2026000000 + int(rng.integers(0, 999999)):010d}",
                module_px=int(rng.choice([2, 3, 4])) if kind == "code128" else int(rng.choice([3, 4, 6])),
                angle=float(rng.choice([0, 5, 12, 25, -8, -20, 90])),
                blur=float(rng.choice([0, 0.8, 1.3])),
                noise=float(rng.choice([0, 6, 12])),
                light=float(rng.choice([1.0, 0.6, 0.35])),
            )
        )
    return scenes


def write_video(path: str, frames, fps: float = 30.0) -> str:
    """Write grayscale frames to an MJPG .avi file that cv2.VideoCapture reads back."""
    frames = list(frames)
    height, width = frames[0].shape
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (width, height), isColor=True)
    assert writer.isOpened(), f"cannot write video {path}"
    try:
        for frame in frames:
            writer.write(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR))
    finally:
        writer.release()
    return str(path)
