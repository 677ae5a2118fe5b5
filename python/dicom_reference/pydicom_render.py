#!/usr/bin/env python3
"""pydicom's decoding of DICOM files, the reference Ossify's DICOM reader is compared with.

Usage: /usr/bin/python3 pydicom_render.py --out DIR FILE...

For the i-th FILE it writes, under DIR:
  i.stored.i32   int32 little endian: pydicom's stored values (`pixel_array(ds, raw=True)`: no
                 colour conversion), every frame, row, column and sample in that order
  i.first.f32    float32: gray display values in [0, 1] with the first VOI (the VOI LUT, else
                 the first Window Center/Width, else none), MONOCHROME1 inverted after VOI
  i.none.f32     float32: no VOI; the full range the modality values can take onto [0, 1]
  i.auto.f32     float32: the frame's own modality minimum..maximum onto [0, 1]
and prints one JSON line per file: {"index", "file", "frames", "rows", "columns", "samples",
"photometric", "transfer_syntax"} or {"index", "file", "error"}.

Modality LUT / rescale: pydicom's apply_modality_lut. VOI: apply_voi (LUT, divided by
2**bits - 1) or apply_windowing, whose output range [y_min, y_max] is found by windowing -1e12
and +1e12 and mapped onto [0, 1]. Colour images: pydicom's RGB (YBR converted by pydicom, palette
through apply_color_lut), each channel divided by its maximum (2**BitsStored - 1, or the palette
table's 2**bits - 1), then Rec. 601 luma 0.299 R + 0.587 G + 0.114 B; YBR_FULL(_422) images give
their Y sample (the luma itself, unclipped), divided by 2**BitsStored - 1.
"""
import argparse
import json
import os
import sys

import numpy as np
import pydicom
from pydicom.pixels import apply_color_lut, apply_modality_lut, apply_voi, apply_windowing, pixel_array

LUMA = np.array([0.299, 0.587, 0.114])


def modality_range(ds):
    if "ModalityLUTSequence" in ds:
        return 0.0, float(2 ** int(ds.ModalityLUTSequence[0].LUTDescriptor[2]) - 1)
    bits = int(ds.BitsStored)
    if int(ds.PixelRepresentation) == 1:
        low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    else:
        low, high = 0, 2 ** bits - 1
    slope = float(ds.get("RescaleSlope", 1) or 1)
    intercept = float(ds.get("RescaleIntercept", 0) or 0)
    a, b = slope * low + intercept, slope * high + intercept
    return min(a, b), max(a, b)


def stretch(values, low, high):
    if high <= low:
        return np.zeros_like(values, dtype=np.float64)
    return np.clip((values - low) / (high - low), 0, 1)


def first_voi(modality, ds):
    if "VOILUTSequence" in ds:
        item = ds.VOILUTSequence[0]
        return apply_voi(modality, ds, 0).astype(np.float64) / (2 ** int(item.LUTDescriptor[2]) - 1)
    if "WindowCenter" in ds and "WindowWidth" in ds:
        width = ds.WindowWidth[0] if isinstance(ds.WindowWidth, pydicom.multival.MultiValue) else ds.WindowWidth
        function = str(ds.get("VOILUTFunction", "LINEAR")).strip().upper()
        if float(width) > 0 and (function != "LINEAR" or float(width) >= 1):
            if function not in ("LINEAR", "LINEAR_EXACT", "SIGMOID"):
                ds.VOILUTFunction = "LINEAR"
            y = apply_windowing(modality.astype(np.float64), ds, 0)
            y_min, y_max = apply_windowing(np.array([-1e12, 1e12]), ds, 0)
            return (y - y_min) / (y_max - y_min)
    return stretch(modality, *modality_range(ds))


def render(ds, frame_stored, frame_rgb):
    photometric = ds.PhotometricInterpretation
    if photometric in ("MONOCHROME1", "MONOCHROME2"):
        modality = apply_modality_lut(frame_stored, ds).astype(np.float64)
        out = {
            "first": first_voi(modality, ds),
            "none": stretch(modality, *modality_range(ds)),
            "auto": stretch(modality, modality.min(), modality.max()),
        }
        if photometric == "MONOCHROME1":
            out = {key: 1 - value for key, value in out.items()}
        return out
    if photometric == "PALETTE COLOR":
        rgb = apply_color_lut(frame_stored, ds).astype(np.float64)
        bits = [int(ds[f"{c}PaletteColorLookupTableDescriptor"].value[2]) for c in ("Red", "Green", "Blue")]
        rgb = rgb / np.array([2 ** b - 1 for b in bits])
    elif photometric.startswith("YBR_FULL") and frame_stored.shape[-1] == 3:
        # YBR's Y is the luma itself (converting to RGB first would clip saturated colours).
        return {key: frame_stored[..., 0].astype(np.float64) / (2 ** int(ds.BitsStored) - 1) for key in ("first", "none", "auto")}
    else:
        rgb = frame_rgb.astype(np.float64) / (2 ** int(ds.BitsStored) - 1)
    gray = rgb @ LUMA
    return {"first": gray, "none": gray, "auto": gray}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for index, path in enumerate(args.files):
        try:
            ds = pydicom.dcmread(path, force=True)
            if "TransferSyntaxUID" not in ds.file_meta:
                ds.file_meta.TransferSyntaxUID = pydicom.uid.ImplicitVRLittleEndian if ds.is_implicit_VR \
                    else pydicom.uid.ExplicitVRLittleEndian
            frames = int(ds.get("NumberOfFrames", 1) or 1)
            samples = int(ds.SamplesPerPixel)
            shape = (frames, int(ds.Rows), int(ds.Columns)) + ((samples,) if samples > 1 else ())
            stored = pixel_array(ds, raw=True).reshape(shape)
            rgb = pixel_array(ds).reshape(shape) if samples > 1 else stored
            stored.astype("<i4").tofile(os.path.join(args.out, f"{index}.stored.i32"))
            rendered = [render(ds, stored[f], rgb[f]) for f in range(frames)]
            for key in ("first", "none", "auto"):
                np.stack([r[key] for r in rendered]).astype("<f4").tofile(os.path.join(args.out, f"{index}.{key}.f32"))
            print(json.dumps({"index": index, "file": path, "frames": frames, "rows": int(ds.Rows),
                              "columns": int(ds.Columns), "samples": samples,
                              "photometric": ds.PhotometricInterpretation,
                              "transfer_syntax": str(ds.file_meta.TransferSyntaxUID)}), flush=True)
        except Exception as error:  # one bad file must not stop the rest
            print(json.dumps({"index": index, "file": path, "error": f"{type(error).__name__}: {error}"}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
