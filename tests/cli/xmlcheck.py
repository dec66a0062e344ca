#!/usr/bin/env python3
"""xmlcheck.py OLD NEW: the two domain XMLs are canonically equal except
for PCI passthrough elements (<hostdev mode='subsystem' type='pci'>,
<interface type='hostdev'> with a PCI source) and pthook's own
<metadata> entry (SPEC §4).  The root may be <domstatus>, whose
<domain> is then compared.  tests/libvirt/corpus.py imports it."""
import sys
import xml.etree.ElementTree as ET

NS = "{urn:x-pthook:passthrough:1}passthrough"


def passthrough(e):
    if e.tag == "hostdev" and e.get("mode") == "subsystem" and e.get("type") == "pci":
        return True
    if e.tag == "interface" and e.get("type") == "hostdev":
        a = e.find("source/address")
        return a is None or a.get("type") in (None, "pci")
    return False


def domain_of(root):
    return root.find("domain") if root.tag == "domstatus" else root


def canonical(root):
    """The document without passthrough and pthook's metadata."""
    dom = domain_of(root)
    devs = dom.find("devices")
    for e in list(devs) if devs is not None else []:
        if passthrough(e):
            devs.remove(e)
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


if __name__ == "__main__":
    a, b = (canonical(ET.parse(p).getroot()) for p in sys.argv[1:3])
    if a != b:
        print("documents differ beyond PCI passthrough")
        sys.exit(1)
