#!/usr/bin/env python3
"""TAP suite: the MachineConfigs in config/machineconfig/ and their Butane sources.

Checks, for the master and the worker pool: required fields, file paths and
modes, that every embedded data: URL decodes to the file it is meant to carry
(config/machineconfig/files/*, config/systemd/*), that the MachineConfig is in
sync with its .bu source, and, when the binaries exist, that wpctl accepts the
embedded files and that butane renders the same MachineConfig.
"""
import base64
import gzip
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config"
MCDIR = CONFIG / "machineconfig"
FILES = MCDIR / "files"
UNIT = CONFIG / "systemd" / "workload-partitioning-merge.service"
RECONCILE_UNIT = CONFIG / "systemd" / "workload-partitioning-reconcile.service"
BUILD = pathlib.Path(os.environ.get("BUILD", "build"))
if not BUILD.is_absolute():
    BUILD = ROOT / BUILD

# What each MachineConfig must write: node path -> the source file in config/.
EXPECTED_FILES = {
    "/etc/workload-partitioning/config.json": FILES / "config.json",
    "/etc/kubernetes/openshift-workload-pinning": FILES / "openshift-workload-pinning",
    "/etc/workload-partitioning/workloadpartitions.d/management-partition.yaml": FILES
    / "management-partition.yaml",
}
UNIT_NAME = "workload-partitioning-merge.service"
RECONCILE_UNIT_NAME = "workload-partitioning-reconcile.service"
ROLES = ("master", "worker")
CPUSET_RE = re.compile(r"^$|^\d+(-\d+)?(,\d+(-\d+)?)*$")

n = 0
failed = 0


def tap(ok, name, diag=""):
    global n, failed
    n += 1
    print(f"{'ok' if ok else 'not ok'} {n} - {name}")
    if not ok:
        failed += 1
        for line in str(diag).splitlines():
            print(f"# {line}")


def skip(name, why):
    global n
    n += 1
    print(f"ok {n} - {name} # SKIP {why}")


def check(name, fn):
    """Runs fn(); it returns None/True for a pass, or a string saying what is wrong."""
    try:
        r = fn()
    except Exception as e:  # a crash in a check is a failure, with its reason
        tap(False, name, f"{type(e).__name__}: {e}")
        return
    tap(r is None or r is True, name, "" if r in (None, True) else r)


def decode_data_url(url, compression=None):
    """RFC 2397 data: URL -> bytes (base64 or percent-encoded), gunzipped if asked."""
    if not url.startswith("data:"):
        raise ValueError(f"not a data: URL: {url[:40]}")
    meta, sep, payload = url[5:].partition(",")
    if not sep:
        raise ValueError("data: URL without a comma")
    if meta.split(";")[-1] == "base64":
        raw = base64.b64decode(payload, validate=True)
    else:
        raw = urllib.parse.unquote_to_bytes(payload)
    if compression == "gzip":
        raw = gzip.decompress(raw)
    elif compression not in (None, ""):
        raise ValueError(f"unknown compression {compression!r}")
    return raw


try:
    import yaml
except ImportError:
    yaml = None


def main():
    if yaml is None:
        skip("MachineConfig suite", "python3-yaml is not installed (scripts/install-deps.sh installs it)")
        print(f"1..{n}")
        return 0

    mcs = {}
    for role in ROLES:
        path = MCDIR / f"99-{role}-workload-partitioning.yaml"

        def load(path=path, role=role):
            mcs[role] = yaml.safe_load(path.read_text())

        check(f"{role}: {path.name} parses as YAML", load)
        mc = mcs.get(role)
        if mc is None:
            continue
        cfg = mc.get("spec", {}).get("config", {})

        def header(mc=mc, role=role):
            errs = []
            if mc.get("apiVersion") != "machineconfiguration.openshift.io/v1":
                errs.append(f"apiVersion {mc.get('apiVersion')!r}")
            if mc.get("kind") != "MachineConfig":
                errs.append(f"kind {mc.get('kind')!r}")
            md = mc.get("metadata", {})
            if md.get("name") != f"99-{role}-workload-partitioning":
                errs.append(f"metadata.name {md.get('name')!r}")
            lbl = md.get("labels", {}).get("machineconfiguration.openshift.io/role")
            if lbl != role:
                errs.append(f"role label {lbl!r}, want {role!r}")
            return "; ".join(errs) or None

        check(f"{role}: apiVersion, kind, name and pool label", header)

        def ign(cfg=cfg):
            v = cfg.get("ignition", {}).get("version", "")
            if not re.fullmatch(r"3\.[0-4]\.0", v):
                return f"spec.config.ignition.version {v!r}: the MCO accepts Ignition 3.0.0-3.4.0"

        check(f"{role}: Ignition spec version is one the MCO accepts", ign)

        files = {f.get("path"): f for f in cfg.get("storage", {}).get("files", [])}

        def paths(files=files):
            if set(files) != set(EXPECTED_FILES):
                return f"paths {sorted(files)}, want {sorted(EXPECTED_FILES)}"

        check(f"{role}: writes exactly the node files it should", paths)

        for p, src in EXPECTED_FILES.items():
            f = files.get(p)
            if f is None:
                tap(False, f"{role}: {p} present")
                continue

            def mode(f=f):
                m = f.get("mode")
                if m != 0o644:
                    return f"mode {m!r} (octal {oct(m) if isinstance(m, int) else '?'}), want 420 = 0644"
                if f.get("overwrite") is not True:
                    return "overwrite must be true (a later render must replace the file)"
                if f.get("user", {}).get("name", "root") != "root" or f.get("group", {}).get("name", "root") != "root":
                    return "owner must be root:root (the hook refuses files not owned by root)"

            check(f"{role}: {p} mode 0644, root-owned, overwrite", mode)

            def content(f=f, src=src):
                c = f.get("contents", {})
                got = decode_data_url(c.get("source", ""), c.get("compression"))
                want = src.read_bytes()
                if got != want:
                    return f"decoded {len(got)} bytes differ from {src.relative_to(ROOT)} ({len(want)} bytes)"

            check(f"{role}: {p} decodes to {src.relative_to(ROOT)}", content)

        units = {u.get("name"): u for u in cfg.get("systemd", {}).get("units", [])}

        def unit(units=units):
            u = units.get(UNIT_NAME)
            if u is None:
                return f"no unit {UNIT_NAME}; units: {sorted(units)}"
            if u.get("enabled") is not True:
                return "the unit must be enabled: true"
            if u.get("contents") != UNIT.read_text():
                return f"contents differ from {UNIT.relative_to(ROOT)}"
            if set(units) != {UNIT_NAME, RECONCILE_UNIT_NAME}:
                return f"unexpected units {sorted(set(units) - {UNIT_NAME, RECONCILE_UNIT_NAME})}"

        check(f"{role}: systemd unit enabled, contents equal to config/systemd/{UNIT_NAME}", unit)

        def reconcile_unit(units=units):
            u = units.get(RECONCILE_UNIT_NAME)
            if u is None:
                return f"no unit {RECONCILE_UNIT_NAME}; units: {sorted(units)}"
            if u.get("enabled") is not True:
                return "the reconciler must be enabled: true"
            if u.get("contents") != RECONCILE_UNIT.read_text():
                return f"contents differ from {RECONCILE_UNIT.relative_to(ROOT)}"

        check(f"{role}: reconciler enabled, contents equal to config/systemd/{RECONCILE_UNIT_NAME}",
              reconcile_unit)

    def master_worker_alike():
        if set(mcs) != set(ROLES):
            return "a MachineConfig did not load"
        a, b = (json.loads(json.dumps(mcs[r])) for r in ROLES)
        for m in (a, b):
            m["metadata"]["name"] = "X"
            m["metadata"]["labels"]["machineconfiguration.openshift.io/role"] = "X"
        if a != b:
            return "master and worker differ in more than name and pool label"

    check("master and worker MachineConfigs differ only in name and pool label", master_worker_alike)

    # The embedded files, checked for what they mean, not only for bytes.
    def node_config():
        mc_cfg = json.loads((FILES / "config.json").read_text())
        shipped = json.loads((CONFIG / "config.json").read_text())
        if mc_cfg.get("enabled") is not True:
            return f'"enabled" is {mc_cfg.get("enabled")!r}, want true'
        if shipped.get("enabled") is not False:
            return 'config/config.json (the RPM default) must say "enabled": false'
        mc_cfg["enabled"] = False
        if mc_cfg != shipped:
            diff = sorted(k for k in set(mc_cfg) | set(shipped) if mc_cfg.get(k) != shipped.get(k))
            return f"differs from config/config.json in more than enabled: {diff}"

    check('embedded config.json = config/config.json with "enabled": true', node_config)

    def pinning():
        pin = json.loads((FILES / "openshift-workload-pinning").read_text())
        if not isinstance(pin, dict) or "management" not in pin:
            return "the pinning file must name the management partition"
        for name, v in pin.items():
            cs = v.get("cpuset") if isinstance(v, dict) else None
            if not isinstance(cs, str) or not CPUSET_RE.match(cs):
                return f"{name}: cpuset {cs!r} is not a cpuset list"

    check('embedded kubelet pinning file has the form {"management": {"cpuset": "..."}}', pinning)

    def manifest():
        obj = yaml.safe_load((FILES / "management-partition.yaml").read_text())
        if obj.get("apiVersion") != "workload.openshift.io/v1" or obj.get("kind") != "WorkloadPartitions":
            return f"apiVersion/kind {obj.get('apiVersion')!r} {obj.get('kind')!r}"
        names = set(obj.get("status", {}).get("clusterPartitionNames", []))
        pinned = set(json.loads((FILES / "openshift-workload-pinning").read_text()))
        if not pinned <= names:
            return f"pinning file names {sorted(pinned - names)} that no WorkloadPartitions object lists"

    check("embedded WorkloadPartitions object lists every pinned partition", manifest)

    def unit_inputs_match():
        text = UNIT.read_text()
        exec_line = next(l for l in text.splitlines() if l.startswith("ExecStart="))
        cond = next(l for l in text.splitlines() if l.startswith("ConditionDirectoryNotEmpty="))
        d = cond.split("=", 1)[1]
        errs = []
        if d not in exec_line.split():
            errs.append(f"ExecStart does not read {d}")
        if not any(p.startswith(d + "/") for p in EXPECTED_FILES):
            errs.append(f"no MachineConfig file lands in {d}")
        out = json.loads((FILES / "config.json").read_text())["partitionsFile"]
        if f"-o {out}" not in exec_line:
            errs.append(f"ExecStart does not write the hook's partitionsFile {out}")
        return "; ".join(errs) or None

    check("the unit reads what the MachineConfig writes and writes what the hook reads", unit_inputs_match)

    # Butane sources.
    for role in ROLES:
        bu = MCDIR / f"99-{role}-workload-partitioning.bu"

        def bu_fields(bu=bu, role=role):
            src = yaml.safe_load(bu.read_text())
            if src.get("variant") != "openshift":
                return f"variant {src.get('variant')!r}"
            mc = mcs.get(role)
            if mc is None or src.get("metadata") != mc.get("metadata"):
                return "metadata (name, labels) differs from the MachineConfig"
            locs = {f["path"]: f.get("contents", {}).get("local") for f in src["storage"]["files"]}
            for p, s in EXPECTED_FILES.items():
                if locs.get(p) is None or (CONFIG / locs[p]).resolve() != s.resolve():
                    return f"{p}: local {locs.get(p)!r}, want {s.relative_to(CONFIG)}"

        check(f"{role}: {bu.name} names the same files and metadata", bu_fields)

    def in_sync():
        r = subprocess.run([sys.executable, str(MCDIR / "render.py"), "--check"], capture_output=True, text=True)
        if r.returncode != 0:
            return r.stderr.strip() or f"render.py --check exited {r.returncode}"

    check("MachineConfigs are what render.py makes of the .bu sources", in_sync)

    butane = shutil.which("butane")
    if butane is None:
        skip("butane renders the same MachineConfigs", "butane is not installed (not packaged in Debian 12)")
    else:
        for role in ROLES:

            def same(role=role):
                bu = MCDIR / f"99-{role}-workload-partitioning.bu"
                r = subprocess.run([butane, "--strict", "--files-dir", str(CONFIG), str(bu)], capture_output=True, text=True)
                if r.returncode != 0:
                    return r.stderr
                theirs = yaml.safe_load(r.stdout)["spec"]["config"]
                ours = mcs[role]["spec"]["config"]
                if theirs["ignition"]["version"] != ours["ignition"]["version"]:
                    return "ignition version differs"
                for t, o in zip(theirs["storage"]["files"], ours["storage"]["files"]):
                    dt = decode_data_url(t["contents"]["source"], t["contents"].get("compression"))
                    do = decode_data_url(o["contents"]["source"], o["contents"].get("compression"))
                    if (t["path"], t["mode"], dt) != (o["path"], o["mode"], do):
                        return f"{t['path']} differs"
                if theirs["systemd"] != ours["systemd"]:
                    return "systemd section differs"

            check(f"{role}: butane renders the same MachineConfig", same)

    # wpctl must accept every embedded file (the same strict parsers as the hook).
    wpctl = BUILD / "wpctl"
    if not os.access(wpctl, os.X_OK):
        skip("wpctl validate accepts the embedded files", f"{wpctl} is not built")
    else:
        for src in EXPECTED_FILES.values():

            def valid(src=src):
                with tempfile.TemporaryDirectory() as d:
                    # wpctl, like the hook, may refuse files not owned by root or
                    # group/world writable: validate a root-style copy.
                    dst = pathlib.Path(d) / src.name
                    shutil.copyfile(src, dst)
                    os.chmod(dst, 0o644)
                    r = subprocess.run([str(wpctl), "validate", str(dst)], capture_output=True, text=True)
                    if r.returncode != 0:
                        return f"wpctl validate exited {r.returncode}: {r.stdout}{r.stderr}"

            check(f"wpctl validate accepts {src.relative_to(ROOT)}", valid)

    print(f"1..{n}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
