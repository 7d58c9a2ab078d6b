#!/usr/bin/python3
"""Compares two Coldspot workspaces layer by layer, row by row, with GDAL's Python bindings (an
independent reader: not Coldspot's own code). Attributes must be equal exactly (same type, same
value, NULL for NULL); geometries of the same type with every vertex within TOLERANCE metres.

usage: compare_workspaces.py A B [--ignore LAYER.FIELD ...]
A and B are GDAL dataset names: a GeoPackage path, or "PG:... active_schema=S schemas=S".
Exits 1 listing the first differences, 0 printing how much was compared."""
import sys

from osgeo import gdal, ogr

gdal.UseExceptions()
TOLERANCE = 0.001  # 1 mm in EPSG:27700
INTERNAL = ("gpkg_", "rtree_", "sqlite_")


def layers(name):
    ds = gdal.OpenEx(name, gdal.OF_VECTOR, open_options=["LIST_ALL_TABLES=YES"] if name.startswith("PG:") else [])
    out = {}
    for i in range(ds.GetLayerCount()):
        lyr = ds.GetLayer(i)
        if lyr.GetName().startswith(INTERNAL):
            continue
        out[lyr.GetName()] = lyr
    return ds, out


def points(g, out):
    n = g.GetGeometryCount()
    if n:
        for i in range(n):
            points(g.GetGeometryRef(i), out)
    else:
        out.extend(g.GetPoints() or [])
    return out


def flat_type(g):
    return ogr.GT_Flatten(g.GetGeometryType())


def compare(a_name, b_name, ignore):
    a_ds, a = layers(a_name)
    b_ds, b = layers(b_name)
    problems = []
    if sorted(a) != sorted(b):
        problems.append(f"layer sets differ: only in A {sorted(set(a) - set(b))}, only in B {sorted(set(b) - set(a))}")
    rows = 0
    for name in sorted(set(a) & set(b)):
        la, lb = a[name], b[name]
        da, db = la.GetLayerDefn(), lb.GetLayerDefn()
        fa = [da.GetFieldDefn(i).GetName() for i in range(da.GetFieldCount())]
        fb = [db.GetFieldDefn(i).GetName() for i in range(db.GetFieldCount())]
        if fa != fb:
            problems.append(f"{name}: fields differ: {fa} vs {fb}")
            continue
        fa_rows = {f.GetFID(): f for f in la}
        fb_rows = {f.GetFID(): f for f in lb}
        if sorted(fa_rows) != sorted(fb_rows):
            problems.append(f"{name}: fids differ ({len(fa_rows)} rows vs {len(fb_rows)})")
            continue
        for fid, x in fa_rows.items():
            y = fb_rows[fid]
            rows += 1
            for i, field in enumerate(fa):
                if f"{name}.{field}" in ignore:
                    continue
                vx = x.GetField(i) if x.IsFieldSetAndNotNull(i) else None
                vy = y.GetField(i) if y.IsFieldSetAndNotNull(i) else None
                if vx != vy or type(vx) is not type(vy):
                    problems.append(f"{name} fid {fid} field {field}: {vx!r} vs {vy!r}")
            gx, gy = x.GetGeometryRef(), y.GetGeometryRef()
            if (gx is None or gx.IsEmpty()) != (gy is None or gy.IsEmpty()):
                problems.append(f"{name} fid {fid}: geometry in one only")
                continue
            if gx is None or gx.IsEmpty():
                continue
            if flat_type(gx) != flat_type(gy):
                problems.append(f"{name} fid {fid}: geometry type {gx.GetGeometryName()} vs {gy.GetGeometryName()}")
                continue
            px, py = points(gx, []), points(gy, [])
            if len(px) != len(py):
                problems.append(f"{name} fid {fid}: {len(px)} vertices vs {len(py)}")
                continue
            worst = max((max(abs(p[0] - q[0]), abs(p[1] - q[1])) for p, q in zip(px, py)), default=0.0)
            if worst > TOLERANCE:
                problems.append(f"{name} fid {fid}: a vertex moved {worst:.6f} m")
    if problems:
        print(f"{len(problems)} differences between\n  A {a_name}\n  B {b_name.split(' password=')[0]}", file=sys.stderr)
        for p in problems[:40]:
            print("  " + p, file=sys.stderr)
        return 1
    print(f"{len(a)} layers, {rows} rows equal (attributes exactly, geometries within {TOLERANCE} m)")
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    ignore = set()
    while "--ignore" in args:
        i = args.index("--ignore")
        ignore.add(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(compare(args[0], args[1], ignore))
