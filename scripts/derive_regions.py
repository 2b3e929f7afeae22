#!/usr/bin/env python3
"""Derives data/regions/nl_hierarchy.csv from the bundled boundary files.

Each municipality (gemeente) is placed in the safety region
(veiligheidsregio) that holds an interior point of it, and each safety
region in the police unit (regionale eenheid) that holds an interior point
of it.  The result is checked: every point must fall in exactly one
polygon, every municipality's own point must land in the police unit its
safety region was given, and the VR -> RE assignment must agree with the
official one quoted in data/README.md.

Run once from the repository root; the output is committed:

    python3 scripts/derive_regions.py
"""

import csv
import json
import os
import sys

DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data",
                   "regions")

# The official assignment of safety regions to police units (CBS,
# "Gebieden in Nederland"); data/README.md quotes VR01-VR03 -> RE01,
# VR09/VR14/VR25 -> RE03 and VR23/VR24 -> RE10 from it.
OFFICIAL_VR_TO_RE = {
    "VR01": "RE01", "VR02": "RE01", "VR03": "RE01",
    "VR04": "RE02", "VR05": "RE02", "VR06": "RE02", "VR07": "RE02",
    "VR08": "RE02",
    "VR09": "RE03", "VR14": "RE03", "VR25": "RE03",
    "VR10": "RE04", "VR11": "RE04", "VR12": "RE04",
    "VR13": "RE05",
    "VR15": "RE06", "VR16": "RE06",
    "VR17": "RE07", "VR18": "RE07",
    "VR19": "RE08", "VR20": "RE08",
    "VR21": "RE09", "VR22": "RE09",
    "VR23": "RE10", "VR24": "RE10",
}


def load(name):
    with open(os.path.join(DIR, name), encoding="utf-8") as f:
        features = json.load(f)["features"]
    out = []
    for feat in features:
        geom = feat["geometry"]
        polys = geom["coordinates"]
        if geom["type"] == "Polygon":
            polys = [polys]
        props = feat["properties"]
        out.append((props["statcode"], props["statnaam"], polys))
    return out


def ring_crossings(ring, y):
    xs = []
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > y) != (y2 > y):
            xs.append(x1 + (y - y1) * (x2 - x1) / (y2 - y1))
    return xs


def contains(polys, x, y):
    """Even-odd rule over every ring: holes and winding order need no care."""
    inside = False
    for poly in polys:
        for ring in poly:
            for cx in ring_crossings(ring, y):
                if cx > x:
                    inside = not inside
    return inside


def interior_point(polys):
    """The middle of the widest inside stretch of a horizontal line through
    the largest polygon; tried at several heights."""
    largest = max(polys, key=lambda p: len(p[0]))
    ys = [pt[1] for pt in largest[0]]
    lo, hi = min(ys), max(ys)
    best = None
    for k in range(1, 20):
        y = lo + (hi - lo) * k / 20 + 1e-7
        xs = sorted(x for ring in largest for x in ring_crossings(ring, y))
        for a, b in zip(xs[0::2], xs[1::2]):
            if best is None or b - a > best[0]:
                best = (b - a, (a + b) / 2, y)
    return best[1], best[2]


def only_one(areas, x, y, what):
    hits = [(code, name) for code, name, polys in areas
            if contains(polys, x, y)]
    if len(hits) != 1:
        sys.exit(f"{what}: point ({x}, {y}) falls in {len(hits)} areas")
    return hits[0]


def main():
    gemeenten = load("gemeente_2025.geojson")
    vrs = load("veiligheidsregio_2024.geojson")
    res = load("regionale_eenheid_2024.geojson")

    vr_to_re = {}
    for code, name, polys in vrs:
        x, y = interior_point(polys)
        vr_to_re[code] = only_one(res, x, y, code)
    if set(vr_to_re) != set(OFFICIAL_VR_TO_RE):
        sys.exit("the safety regions differ from the official list")
    for vr, re in OFFICIAL_VR_TO_RE.items():
        if vr_to_re[vr][0] != re:
            sys.exit(f"{vr} derived in {vr_to_re[vr][0]}, officially {re}")

    vr_names = {code: name for code, name, _ in vrs}
    rows = []
    for code, name, polys in gemeenten:
        x, y = interior_point(polys)
        vr = only_one(vrs, x, y, code)[0]
        re = only_one(res, x, y, code)
        if re != vr_to_re[vr]:
            sys.exit(f"{code} lies in {re[0]}, its safety region {vr} in "
                     f"{vr_to_re[vr][0]}")
        rows.append([code, name, vr, vr_names[vr], re[0], re[1]])
    rows.sort()

    out = os.path.join(DIR, "nl_hierarchy.csv")
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["gm_code", "gm_name", "vr_code", "vr_name", "re_code",
                    "re_name"])
        w.writerows(rows)
    print(f"{out}: {len(rows)} municipalities, {len(vr_to_re)} safety "
          f"regions, {len(set(r[4] for r in rows))} police units")


if __name__ == "__main__":
    main()
