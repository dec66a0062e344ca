#!/usr/bin/env python3
"""corpus.py PTHOOK FAKESYS XMLDIR WORK [LIMIT]: pthook over libvirt's
own domain XML test files (SPEC §4, issue #14).

Every file with PCI passthrough (<hostdev mode='subsystem' type='pci'>,
<interface type='hostdev'> with a PCI source) is run against one fake
host on which each device those files name sits at another address (bus
+ 0x40): every element is a device that moved.  A [vm] section per file
names its devices by identity.  Asserted for each file:

- `--simulate --op migrate` exits 0 or 1, and its XML is canonically
  equal to the input outside PCI passthrough and pthook's metadata;
- libvirt's own parser (the test:///default driver) accepts the output
  whenever it accepts the input;
- a second pass (`--simulate --json`, prepare) has nothing to add,
  remove or move: the rewrite is complete and stable;
- where the file's elements were rewritten, each kept its children
  (rom, boot, guest address, alias, mac, vlan): only the source moved.

Prints "ok - NAME" / "not ok - NAME" lines and a summary line."""
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from xmlcheck import canonical, domain_of, passthrough  # noqa: E402

PTHOOK, FAKESYS, XMLDIR, WORK = sys.argv[1:5]
LIMIT = int(sys.argv[5]) if len(sys.argv) > 5 else 0
os.makedirs(WORK, exist_ok=True)


def num(v, default=None):
    if v is None:
        return default
    return int(v, 0)


def elements(root):
    dom = domain_of(root)
    devs = dom.find("devices") if dom is not None else None
    return [e for e in devs if passthrough(e)] if devs is not None else []


def address(e):
    a = e.find("source/address")
    if a is None:
        return None
    try:
        return (num(a.get("domain"), 0), num(a.get("bus")), num(a.get("slot")),
                num(a.get("function")))
    except (TypeError, ValueError):
        return None


def children(e):
    """An element's children but its source, as text."""
    return [ET.tostring(c, encoding="unicode").strip() for c in e if c.tag != "source"]


def fmt(a):
    return "%04x:%02x:%02x.%x" % a


files = []
for name in sorted(os.listdir(XMLDIR)):
    path = os.path.join(XMLDIR, name)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError:
        continue
    els = elements(root)
    if not els or domain_of(root) is None or domain_of(root).findtext("name") is None:
        continue
    files.append((name, path, root))
if LIMIT:
    files = files[::max(1, len(files) // LIMIT)][:LIMIT]

# one host for all: each address the corpus names, moved to bus + 0x40
ids, inv = {}, []
for _, _, root in files:
    for e in elements(root):
        a = address(e)
        if a is not None and a not in ids:
            ids[a] = 0x1000 + len(ids)
for a, dev in ids.items():
    moved = (a[0], (a[1] + 0x40) % 256, a[2], a[3])
    inv.append("%s\t020000\t1b36:%04x\t1b36:0001\t01\t-\t%d\t-\tcorpus device %s\t-"
               % (fmt(moved), dev, len(inv) + 1, fmt(a)))
with open(os.path.join(WORK, "host.inv"), "w") as f:
    f.write("\n".join(inv) + "\n")
sysfs = os.path.join(WORK, "sys")
subprocess.run(["rm", "-rf", sysfs], check=True)
subprocess.run([FAKESYS, os.path.join(WORK, "host.inv"), sysfs], check=True)


def run(args, stdin=None):
    return subprocess.run([PTHOOK, "--sysfs", sysfs] + args, capture_output=True, text=True)


def libvirt_accepts(path):
    return subprocess.run(["virsh", "-q", "-c", "test:///default", "define", path],
                          capture_output=True).returncode == 0


passed = failed = defined = 0
for name, path, root in files:
    problems = []
    vm = domain_of(root).findtext("name")
    cfg = os.path.join(WORK, "pthook.ini")
    rules = sorted({ids[a] for a in map(address, elements(root)) if a is not None})
    with open(cfg, "w") as f:
        f.write('[vm "%s"]\n' % vm.replace('"', ""))
        for dev in rules:
            f.write("pci = 1b36:%04x\n" % dev)
    os.chmod(cfg, 0o600)
    r = run(["-c", cfg, "--simulate", path, "--op", "migrate"])
    out = os.path.join(WORK, "out.xml")
    with open(out, "w") as f:
        f.write(r.stdout)
    if r.returncode not in (0, 1):
        problems.append("exit %d: %s" % (r.returncode, r.stderr.strip()[:300]))
    elif r.returncode == 0:
        try:
            new = ET.parse(out).getroot()
        except ET.ParseError as e:
            problems.append("output does not parse: %s" % e)
            new = None
        if new is not None:
            if canonical(ET.parse(path).getroot()) != canonical(ET.parse(out).getroot()):
                problems.append("changed outside PCI passthrough")
            # in place: the n-th element keeps its children
            old_els, new_els = elements(root), elements(new)
            for o, n in zip(old_els, new_els):
                if address(o) is not None and children(o) != children(n):
                    problems.append("element of %s lost its settings" % fmt(address(o)))
                    break
            if root.tag == "domain" and libvirt_accepts(path):
                defined += 1
                if not libvirt_accepts(out):
                    problems.append("libvirt accepts the input, not pthook's output")
            j = run(["-c", cfg, "--json", "--simulate", out])
            try:
                doc = json.loads(j.stdout)
                if doc["add"] or doc["remove"] or doc["move"]:
                    problems.append("second pass not clean: %s" % j.stdout[:300])
            except (ValueError, KeyError):
                problems.append("second pass: exit %d %s" % (j.returncode, j.stderr[:300]))
    if problems:
        failed += 1
        print("not ok - %s" % name)
        for p in problems:
            print("    " + p)
    else:
        passed += 1
        print("ok - %s" % name)
print("corpus: %d files (%d that libvirt defines), %d passed, %d failed"
      % (len(files), defined, passed, failed))
sys.exit(1 if failed or not files else 0)
