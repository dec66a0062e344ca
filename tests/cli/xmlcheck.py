#!/usr/bin/env python3
"""xmlcheck.py OLD NEW: the two domain XMLs are canonically equal except
for PCI passthrough elements (<hostdev mode='subsystem' type='pci'>,
<interface type='hostdev'>) and pthook's own <metadata> entry (SPEC §4).
The root may be <domstatus>, whose <domain> is then compared."""
import sys
import xml.etree.ElementTree as ET

NS = "{urn:x-pthook:passthrough:1}passthrough"

def passthrough(e):
    return (e.tag == "hostdev" and e.get("mode") == "subsystem" and e.get("type") == "pci") or \
        (e.tag == "interface" and e.get("type") == "hostdev")

def strip(path):
    tree = ET.parse(path)
    root = tree.getroot()
    dom = root.find("domain") if root.tag == "domstatus" else root
    devs = dom.find("devices")
    for h in list(devs) if devs is not None else []:
        if passthrough(h):
            devs.remove(h)
    md = dom.find("metadata")
    if md is not None:
        for e in list(md):
            if e.tag == NS:
                md.remove(e)
        if len(md) == 0 and not (md.text or "").strip():
            dom.remove(md)
    for e in root.iter():       # whitespace around removed elements moves
        e.tail = (e.tail or "").strip()
        if len(e):
            e.text = (e.text or "").strip()
    return ET.canonicalize(ET.tostring(root, encoding="unicode"))

a, b = strip(sys.argv[1]), strip(sys.argv[2])
if a != b:
    print("documents differ beyond PCI passthrough")
    sys.exit(1)
