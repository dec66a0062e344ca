#!/usr/bin/env python3
"""xmlcheck.py OLD NEW: the two domain XMLs are canonically equal except
for <hostdev mode='subsystem' type='pci'> elements (SPEC §4)."""
import sys
import xml.etree.ElementTree as ET

def strip(path):
    tree = ET.parse(path)
    devs = tree.getroot().find("devices")
    for h in list(devs) if devs is not None else []:
        if h.tag == "hostdev" and h.get("mode") == "subsystem" and h.get("type") == "pci":
            devs.remove(h)
    for e in tree.iter():       # whitespace around removed elements moves
        e.tail = (e.tail or "").strip()
        if len(e):
            e.text = (e.text or "").strip()
    return ET.canonicalize(ET.tostring(tree.getroot(), encoding="unicode"))

a, b = strip(sys.argv[1]), strip(sys.argv[2])
if a != b:
    print("documents differ beyond PCI hostdevs")
    sys.exit(1)
