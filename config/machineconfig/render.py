#!/usr/bin/env python3
"""Renders the Butane sources in this directory into MachineConfigs.

A stand-in for `butane --files-dir config < X.bu > X.yaml` on machines without
butane: it understands the subset the sources use (storage.files with
contents.local or contents.inline, systemd.units with inline contents) and
writes the files as base64 data: URLs without compression.

Usage: render.py [--check] [OUTDIR]
  OUTDIR   where to write <name>.yaml (default: this directory)
  --check  write nothing; exit 1 when a committed MachineConfig differs
"""
import base64
import pathlib
import sys

import yaml

HERE = pathlib.Path(__file__).resolve().parent
FILES_DIR = HERE.parent  # butane --files-dir config
IGNITION_FOR = {"4.12.0": "3.2.0"}  # Butane openshift variant -> Ignition spec


class Dumper(yaml.SafeDumper):
    pass


def _str(dumper, s):
    style = "|" if "\n" in s else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", s, style=style)


Dumper.add_representer(str, _str)


def fail(msg):
    sys.exit(f"render.py: {msg}")


def data_url(raw: bytes) -> str:
    return "data:text/plain;charset=utf-8;base64," + base64.b64encode(raw).decode()


def render(bu_path: pathlib.Path) -> str:
    src = yaml.safe_load(bu_path.read_text())
    if src.get("variant") != "openshift":
        fail(f"{bu_path.name}: variant must be openshift")
    ign = IGNITION_FOR.get(src.get("version"))
    if ign is None:
        fail(f"{bu_path.name}: unsupported version {src.get('version')!r}")
    files = []
    for f in src.get("storage", {}).get("files", []):
        c = f.get("contents", {})
        if "local" in c:
            p = (FILES_DIR / c["local"]).resolve()
            if FILES_DIR not in p.parents:
                fail(f"{bu_path.name}: {c['local']} is outside {FILES_DIR}")
            raw = p.read_bytes()
        elif "inline" in c:
            raw = c["inline"].encode()
        else:
            fail(f"{bu_path.name}: {f.get('path')}: contents needs local or inline")
        out = {"path": f["path"], "mode": f["mode"]}
        if "overwrite" in f:
            out["overwrite"] = f["overwrite"]
        out["contents"] = {"source": data_url(raw)}
        files.append(out)
    units = []
    for u in src.get("systemd", {}).get("units", []):
        units.append({k: u[k] for k in ("name", "enabled", "contents") if k in u})
        if set(u) - {"name", "enabled", "contents"}:
            fail(f"{bu_path.name}: unit {u.get('name')}: only name, enabled, contents are supported")
    mc = {
        "apiVersion": "machineconfiguration.openshift.io/v1",
        "kind": "MachineConfig",
        "metadata": src["metadata"],
        "spec": {
            "config": {
                "ignition": {"version": ign},
                "storage": {"files": files},
                "systemd": {"units": units},
            }
        },
    }
    head = (
        f"# Generated from {bu_path.name} by render.py (or butane); edit the .bu\n"
        "# source and the files it names, then re-render.\n"
    )
    return head + yaml.dump(mc, Dumper=Dumper, sort_keys=False, default_flow_style=False, width=1 << 20)


def main(argv):
    check = "--check" in argv
    rest = [a for a in argv if a != "--check"]
    outdir = pathlib.Path(rest[0]) if rest else HERE
    bad = 0
    for bu in sorted(HERE.glob("*.bu")):
        text = render(bu)
        target = outdir / (bu.stem + ".yaml")
        if check:
            if not target.exists() or target.read_text() != text:
                print(f"render.py: {target} is out of date; run {__file__}", file=sys.stderr)
                bad = 1
        else:
            target.write_text(text)
    return bad


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
