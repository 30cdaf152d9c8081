"""A small Mapbox Vector Tile decoder for the tests (protobuf wire format, spec 2.1): layers, and each
feature's properties and first point in tile coordinates."""

from __future__ import annotations

import struct
from typing import Any


def _varint(data: bytes, i: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        byte = data[i]
        i += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, i
        shift += 7


def _fields(data: bytes) -> list[tuple[int, Any]]:
    out, i = [], 0
    while i < len(data):
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(data, i)
        elif wire == 1:
            value, i = data[i : i + 8], i + 8
        elif wire == 2:
            size, i = _varint(data, i)
            value, i = data[i : i + size], i + size
        elif wire == 5:
            value, i = data[i : i + 4], i + 4
        else:
            raise ValueError(f"wire type {wire}")
        out.append((number, value))
    return out


def _packed(data: bytes) -> list[int]:
    values, i = [], 0
    while i < len(data):
        value, i = _varint(data, i)
        values.append(value)
    return values


def _value(data: bytes) -> Any:
    number, raw = _fields(data)[0]
    if number == 1:
        return raw.decode()
    if number == 2:
        return struct.unpack("<f", raw)[0]
    if number == 3:
        return struct.unpack("<d", raw)[0]
    if number in (4, 5):
        return raw
    if number == 6:
        return (raw >> 1) ^ -(raw & 1)
    return bool(raw)


def decode(tile: bytes) -> dict[str, list[dict[str, Any]]]:
    """{layer name: [{"properties": {...}, "point": (x, y)}, ...]}."""
    layers: dict[str, list[dict[str, Any]]] = {}
    for number, layer in _fields(tile):
        if number != 3:
            continue
        fields = _fields(layer)
        name = next(v.decode() for n, v in fields if n == 1)
        keys = [v.decode() for n, v in fields if n == 3]
        values = [_value(v) for n, v in fields if n == 4]
        features = []
        for raw in (v for n, v in fields if n == 2):
            feature = dict(_fields(raw))
            tags = _packed(feature.get(2, b""))
            geometry = _packed(feature.get(4, b""))
            zig = [(v >> 1) ^ -(v & 1) for v in geometry[1:3]]
            features.append(
                {
                    "properties": {keys[tags[k]]: values[tags[k + 1]] for k in range(0, len(tags), 2)},
                    "point": tuple(zig),
                }
            )
        layers[name] = features
    return layers
