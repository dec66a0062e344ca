#!/usr/bin/env python3
"""inv_vs_json.py INV JSON: pthook list --json must report every function
of the inventory, and nothing else, with its group, driver, class, ids,
subsystem, slot, bridge flag and SR-IOV links (pf/vf, sriov counts).  Prints one line per mismatch."""
import json
import sys

inv, doc = sys.argv[1], json.load(open(sys.argv[2]))
seen = {}
for g in doc["groups"]:
    for d in g["devices"]:
        seen[d["address"]] = (g["group"], d)
for d in doc["ungrouped"]:
    seen[d["address"]] = (None, d)

bad = 0
def mismatch(addr, what, got, want):
    global bad
    bad += 1
    print(f"{addr}: {what} is {got!r}, inventory says {want!r}")

want_addrs = set()
for line in open(inv):
    if line.startswith("#") or not line.strip():
        continue
    f = line.rstrip("\n").split("\t")
    addr, cls, ids, sub, rev, drv, grp, slot = f[:8]
    want_addrs.add(addr)
    if addr not in seen:
        mismatch(addr, "presence", "missing", "present")
        continue
    group, d = seen[addr]
    want_group = None if grp == "-" else int(grp)
    if group != want_group or d["group"] != want_group:
        mismatch(addr, "group", group, want_group)
    if d["driver"] != (None if drv == "-" else drv):
        mismatch(addr, "driver", d["driver"], drv)
    if d["class"] != cls:
        mismatch(addr, "class", d["class"], cls)
    if f"{d['vendor']}:{d['device']}" != ids:
        mismatch(addr, "ids", f"{d['vendor']}:{d['device']}", ids)
    if d["subsystem"] != (None if sub == "-" else sub):
        mismatch(addr, "subsystem", d["subsystem"], sub)
    if d["slot"] != (None if slot == "-" else slot):
        mismatch(addr, "slot", d["slot"], slot)
    bridge = cls.startswith("0604") or drv == "pcieport"
    if d["bridge"] != bridge:
        mismatch(addr, "bridge", d["bridge"], bridge)
    sriov = dict(kv.split("=", 1) for kv in f[10].split(",")) if len(f) > 10 and f[10] != "-" else {}
    if (d["pf"], d["vf"]) != (sriov.get("pf"), int(sriov["vf"]) if "vf" in sriov else None):
        mismatch(addr, "pf/vf", (d["pf"], d["vf"]), (sriov.get("pf"), sriov.get("vf")))
    if "totalvfs" in sriov:
        nvfs = sum(1 for l in open(inv) if f"pf={addr}," in l)
        want = {"totalvfs": int(sriov["totalvfs"]), "numvfs": nvfs}
        if d["sriov"] != want:
            mismatch(addr, "sriov", d["sriov"], want)
    elif d["sriov"] is not None:
        mismatch(addr, "sriov", d["sriov"], None)
for extra in set(seen) - want_addrs:
    mismatch(extra, "presence", "present", "absent")
# groups ascending, devices in address order within a group, as SPEC §4 shows
groups = [g["group"] for g in doc["groups"]]
if groups != sorted(groups):
    print("groups not in ascending order"); bad += 1
sys.exit(1 if bad else 0)
