#include "domxml.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"
#include "util.h"

static bool
named(xmlNodePtr n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, BAD_CAST name) == 0;
}

static bool
attr_is(xmlNodePtr n, const char *attr, const char *value)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST attr);
	bool r = v && xmlStrcmp(v, BAD_CAST value) == 0;

	xmlFree(v);
	return r;
}

static xmlNodePtr
child(xmlNodePtr n, const char *name)
{
	for (n = n ? n->children : NULL; n; n = n->next)
		if (named(n, name))
			return n;
	return NULL;
}

/* libvirt reads these with base 0: "0x1f" hex, "31" decimal. */
static int
attr_num(xmlNodePtr n, const char *attr, unsigned max, unsigned *out, bool required)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST attr);
	unsigned long x;
	char *end;

	if (v == NULL) {
		*out = 0;
		return required ? -1 : 0;
	}
	errno = 0;
	x = strtoul((const char *)v, &end, 0);
	if (*v == '\0' || *end != '\0' || errno || x > max || *v == '-') {
		xmlFree(v);
		return -1;
	}
	xmlFree(v);
	*out = (unsigned)x;
	return 0;
}

static void
push_hostdev(struct domxml *d, const struct hostdev *hd, xmlNodePtr node)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->hostdevs = xreallocarray(d->hostdevs, d->cap, sizeof(*d->hostdevs));
		d->nodes = xreallocarray(d->nodes, d->cap, sizeof(*d->nodes));
	}
	d->hostdevs[d->n] = *hd;
	d->nodes[d->n++] = node;
}

/* "name value" for attr of the first child called name, into the
 * settings list s; value may be left out. */
static void
keeps_add(char *s, size_t size, xmlNodePtr h, const char *name, const char *attr,
    const char *label)
{
	xmlNodePtr c = child(h, name);
	xmlChar *v = c && attr ? xmlGetProp(c, BAD_CAST attr) : NULL;
	size_t len = strlen(s);

	if (c && len < size)
		snprintf(s + len, size - len, "%s%s%s%s", len ? ", " : "", label, v ? " " : "",
		    v ? (const char *)v : "");
	xmlFree(v);
}

/* What an element holds besides its source, for the plan's line of a
 * device rewritten in place: what the rewrite keeps. */
static void
read_keeps(char *s, size_t size, xmlNodePtr h)
{
	xmlNodePtr v, tag;
	size_t len;

	*s = '\0';
	keeps_add(s, size, h, "mac", "address", "MAC");
	for (v = child(h, "vlan"), tag = v ? v->children : NULL; tag; tag = tag->next) {
		xmlChar *id = named(tag, "tag") ? xmlGetProp(tag, BAD_CAST "id") : NULL;

		len = strlen(s);
		if (id && len < size)
			snprintf(s + len, size - len, "%s%s", strstr(s, "VLAN ") ? "," :
			    len ? ", VLAN " : "VLAN ", (const char *)id);
		xmlFree(id);
	}
	keeps_add(s, size, h, "virtualport", "type", "port profile");
	keeps_add(s, size, h, "driver", NULL, "driver settings");
	keeps_add(s, size, h, "teaming", "type", "teaming");
	keeps_add(s, size, h, "rom", "file", "ROM");
	keeps_add(s, size, h, "boot", "order", "boot order");
	keeps_add(s, size, h, "alias", "name", "alias");
	keeps_add(s, size, h, "address", NULL, attr_is(child(h, "address"), "multifunction",
	    "on") ? "guest address (multifunction)" : "guest address");
}

static int
read_hostdev(struct domxml *d, xmlNodePtr h, bool iface)
{
	xmlNodePtr a = child(child(h, "source"), "address");
	struct hostdev hd = { .iface = iface };

	if (a == NULL || attr_num(a, "domain", 0xfffff, &hd.addr.domain, false) ||
	    attr_num(a, "bus", 0xff, &hd.addr.bus, true) ||
	    attr_num(a, "slot", 0x1f, &hd.addr.slot, true) ||
	    attr_num(a, "function", 7, &hd.addr.func, true)) {
		error_set("domain XML: line %ld: PCI %s without a valid <source><address "
		    "domain= bus= slot= function=/>; fix the definition", (long)xmlGetLineNo(h),
		    iface ? "hostdev interface" : "hostdev");
		return -1;
	}
	hd.managed = attr_is(h, "managed", "yes");
	read_keeps(hd.keeps, sizeof(hd.keeps), h);
	push_hostdev(d, &hd, h);
	return 0;
}

static bool
is_hostdev(xmlNodePtr n, const char *type)
{
	return named(n, "hostdev") && attr_is(n, "mode", "subsystem") && attr_is(n, "type", type);
}

/* <interface type='hostdev'> with a PCI source (an SR-IOV VF with its
 * MAC and VLAN); one with a USB source is not PCI passthrough. */
static bool
is_pci_interface(xmlNodePtr n)
{
	xmlNodePtr a;

	if (!named(n, "interface") || !attr_is(n, "type", "hostdev"))
		return false;
	a = child(child(n, "source"), "address");
	return a == NULL || !xmlHasProp(a, BAD_CAST "type") || attr_is(a, "type", "pci");
}

static bool
is_passthrough(xmlNodePtr n)
{
	return is_hostdev(n, "pci") || is_pci_interface(n);
}

/* pthook's own metadata: which device each element was given for, so a
 * device that moved is found again by what it is (SPEC §4). */
#define PTHOOK_NS "urn:x-pthook:passthrough:1"

static xmlNodePtr
our_metadata(xmlNodePtr root)
{
	xmlNodePtr n;

	for (n = child(root, "metadata") ? child(root, "metadata")->children : NULL; n; n = n->next)
		if (named(n, "passthrough") && n->ns && xmlStrcmp(n->ns->href, BAD_CAST PTHOOK_NS) == 0)
			return n;
	return NULL;
}

static bool
attr_ids(xmlNodePtr n, const char *attr, unsigned *a, unsigned *b)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST attr);
	bool r = v && match_id_pair((const char *)v, a, b);

	xmlFree(v);
	return r;
}

static void
read_metadata(struct domxml *d)
{
	xmlNodePtr m = our_metadata(d->root), n;
	size_t i;

	for (n = m ? m->children : NULL; n; n = n->next) {
		struct hostdev e = { 0 };
		xmlChar *addr;
		int r;

		if (!named(n, "device") || (addr = xmlGetProp(n, BAD_CAST "address")) == NULL)
			continue;
		r = pci_addr_parse((const char *)addr, &e.addr, NULL);
		xmlFree(addr);
		if (r < 0 || !attr_ids(n, "id", &e.vendor, &e.device))
			continue;
		if (!attr_ids(n, "subsystem", &e.subvendor, &e.subdevice))
			e.subvendor = e.subdevice = 0;
		for (i = 0; i < d->n; i++)
			if (pci_addr_eq(&d->hostdevs[i].addr, &e.addr)) {
				d->hostdevs[i].known = true;
				d->hostdevs[i].vendor = e.vendor;
				d->hostdevs[i].device = e.device;
				d->hostdevs[i].subvendor = e.subvendor;
				d->hostdevs[i].subdevice = e.subdevice;
			}
	}
}

/* <source><vendor id=/><product id=/><address bus= device=/></source>.
 * USB hostdevs are libvirt's to validate and pthook only adds to them:
 * what cannot be read stands for no device, it is not an error. */
static void
read_usb_hostdev(struct domxml *d, xmlNodePtr h)
{
	xmlNodePtr src = child(h, "source"), a = child(src, "address");
	struct usb_hostdev u = { 0 };

	u.has_ids = attr_num(child(src, "vendor"), "id", 0xffff, &u.vendor, true) == 0 &&
	    attr_num(child(src, "product"), "id", 0xffff, &u.product, true) == 0;
	u.has_addr = attr_num(a, "bus", 999, &u.bus, true) == 0 &&
	    attr_num(a, "device", 999, &u.devnum, true) == 0;
	*PUSH(d->usb, d->nusb, d->usbcap) = u;
}

/* <input type='evdev'><source dev=.../>: what pthook may rewrite in
 * place; one without a source is libvirt's to refuse. */
static void
read_evdev(struct domxml *d, xmlNodePtr n)
{
	xmlChar *dev = xmlGetProp(child(n, "source"), BAD_CAST "dev");

	if (dev)
		*PUSH(d->evdev, d->nevdev, d->evdevcap) =
		    (struct evdev_elem){ xstrdup((const char *)dev), n };
	xmlFree(dev);
}

/* A PCI function the domain takes other than by a passthrough element
 * (libvirt detaches it all the same): a VF from a hostdev network, which
 * the status file of a running domain shows as <interface
 * type='network'><actual type='hostdev'><source><address type='pci'>,
 * and an NVMe controller behind <disk type='nvme'><source type='pci'>.
 * What cannot be read stands for nothing: this only adds refusals. */
static void
read_use(struct domxml *d, xmlNodePtr n)
{
	xmlNodePtr src = NULL, a;
	struct pci_addr addr;

	if (named(n, "interface") && attr_is(child(n, "actual"), "type", "hostdev"))
		src = child(child(n, "actual"), "source");
	else if (named(n, "disk") && attr_is(n, "type", "nvme") &&
	    attr_is(child(n, "source"), "type", "pci"))
		src = child(n, "source");
	if ((a = child(src, "address")) == NULL || (xmlHasProp(a, BAD_CAST "type") &&
	    !attr_is(a, "type", "pci")) ||
	    attr_num(a, "domain", 0xfffff, &addr.domain, false) ||
	    attr_num(a, "bus", 0xff, &addr.bus, true) ||
	    attr_num(a, "slot", 0x1f, &addr.slot, true) ||
	    attr_num(a, "function", 7, &addr.func, true))
		return;
	*PUSH(d->uses, d->nuses, d->usecap) = addr;
}

/* First parse error only: libxml2 reports the rest as follow-ups. */
static void
on_xml_error(void *ctx, xmlErrorPtr e)
{
	bool *seen = ctx;
	char *m;

	if (*seen || e->level < XML_ERR_ERROR)
		return;
	*seen = true;
	m = xstrdup(e->message ? e->message : "malformed");
	m[strcspn(m, "\n")] = '\0';
	error_set("domain XML: line %d: %s; pass the XML libvirt gives (virsh dumpxml)",
	    e->line, m);
	free(m);
}

int
domxml_parse(const char *buf, size_t len, struct domxml *d)
{
	xmlNodePtr root, devs, n;
	bool seen = false;
	xmlChar *name;

	memset(d, 0, sizeof(*d));
	if (len > DOMXML_MAX) {
		error_set("domain XML: larger than %u MiB; not a libvirt domain definition",
		    DOMXML_MAX >> 20);
		return -1;
	}
	/* libvirt never emits a DOCTYPE; one here can only be an entity
	 * attack (XXE, billion laughs).  Refuse before the parser sees it. */
	if (memmem(buf, len, "<!DOCTYPE", 9) || memmem(buf, len, "<!ENTITY", 8)) {
		error_set("domain XML: DOCTYPE/ENTITY declarations are not allowed; pass "
		    "the XML libvirt gives (virsh dumpxml)");
		return -1;
	}
	xmlSetStructuredErrorFunc(&seen, on_xml_error);
	d->doc = xmlReadMemory(buf, (int)len, "domain.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (d->doc == NULL) {
		if (!seen)
			error_set("domain XML: cannot parse it");
		return -1;
	}
	/* and on the document: the byte search above cannot see a DOCTYPE
	 * in UTF-16 */
	if (((xmlDocPtr)d->doc)->intSubset || ((xmlDocPtr)d->doc)->extSubset) {
		error_set("domain XML: DOCTYPE/ENTITY declarations are not allowed; pass "
		    "the XML libvirt gives (virsh dumpxml)");
		goto fail;
	}
	root = xmlDocGetRootElement(d->doc);
	if (named(root, "domstatus"))	/* libvirt's status file of a running domain */
		root = child(root, "domain");
	if (!named(root, "domain")) {
		error_set("domain XML: the root element is not <domain>");
		goto fail;
	}
	name = xmlNodeGetContent(child(root, "name"));
	if (name == NULL || *name == '\0') {
		xmlFree(name);
		error_set("domain XML: no <name>");
		goto fail;
	}
	d->name = xstrdup((const char *)name);
	xmlFree(name);
	d->root = root;
	devs = child(root, "devices");
	for (n = devs ? devs->children : NULL; n; n = n->next)
		if (is_hostdev(n, "usb"))
			read_usb_hostdev(d, n);
		else if (named(n, "input") && attr_is(n, "type", "evdev"))
			read_evdev(d, n);
		else if (is_passthrough(n) && read_hostdev(d, n, named(n, "interface")) < 0)
			goto fail;
		else
			read_use(d, n);
	read_metadata(d);
	return 0;
fail:
	domxml_free(d);
	return -1;
}

char *
domxml_serialize(const struct domxml *d)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlSaveCtxtPtr ctx;
	char *s;

	ctx = xmlSaveToBuffer(buf, "UTF-8", XML_SAVE_NO_DECL);
	xmlSaveDoc(ctx, d->doc);
	xmlSaveClose(ctx);
	s = xstrdup((const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
	return s;
}

static bool
is_blank_text(xmlNodePtr n)
{
	return n && n->type == XML_TEXT_NODE && xmlIsBlankNode(n);
}

/* The indentation of n: the blank text before it, after its last newline. */
static char *
indent_of(xmlNodePtr n, const char *fallback)
{
	xmlChar *t;
	const char *nl;
	char *r;

	if (!is_blank_text(n->prev))
		return xstrdup(fallback);
	t = xmlNodeGetContent(n->prev);
	nl = strrchr((const char *)t, '\n');
	r = xstrdup(nl ? nl + 1 : (const char *)t);
	xmlFree(t);
	return r;
}

static void
remove_node(xmlNodePtr n)
{
	xmlNodePtr ws = n->prev;

	if (is_blank_text(ws)) {
		xmlUnlinkNode(ws);
		xmlFreeNode(ws);
	}
	xmlUnlinkNode(n);
	xmlFreeNode(n);
}

static xmlNodePtr
text(xmlDocPtr doc, const char *a, const char *b)
{
	char *s = xasprintf("\n%s%s", a, b);
	xmlNodePtr t = xmlNewDocText(doc, BAD_CAST s);

	free(s);
	return t;
}

/* Where a new element goes (SPEC §4): after the last element of its
 * kind, else before the first device libvirt lists after hostdevs,
 * else at the end of <devices> (made if missing), indented like its
 * neighbours. */
struct spot {
	xmlNodePtr devs, anchor;	/* insert after anchor, else before next */
	xmlNodePtr next;
	char *ind;
};

enum kind { K_PCI, K_IFACE, K_USB, K_INPUT };

/* libvirt's order of <devices> after <hostdev> (domain_conf.c) */
static const char *const after_hostdevs[] = {
	"redirdev", "redirfilter", "hub", "watchdog", "memballoon", "rng", "panic",
	"shmem", "memory", "iommu", "vsock", "crypto", "pstore",
};

static bool
lists_after_hostdevs(xmlNodePtr n)
{
	size_t i;

	for (i = 0; i < sizeof(after_hostdevs) / sizeof(*after_hostdevs); i++)
		if (named(n, after_hostdevs[i]))
			return true;
	return false;
}

/* libvirt's order of <devices> after <input> up to <hostdev> */
static bool
lists_after_inputs(xmlNodePtr n)
{
	return named(n, "tpm") || named(n, "graphics") || named(n, "sound") ||
	    named(n, "audio") || named(n, "video") || named(n, "hostdev") ||
	    lists_after_hostdevs(n);
}

static xmlNodePtr
first_element(xmlNodePtr parent)
{
	xmlNodePtr n;

	for (n = parent->children; n && n->type != XML_ELEMENT_NODE; n = n->next)
		;
	return n;
}

/* A new child of parent at its end, before the blank text that closes
 * it, indented as ind; the parent keeps a closing line. */
static void
append_child(xmlDocPtr doc, xmlNodePtr parent, xmlNodePtr e, const char *ind)
{
	if (is_blank_text(parent->last)) {
		xmlAddPrevSibling(parent->last, e);
	} else {
		xmlAddChild(parent, e);
		xmlAddNextSibling(e, text(doc, "", ""));
	}
	xmlAddPrevSibling(e, text(doc, ind, ""));
}

static void
find_spot(struct domxml *d, enum kind k, struct spot *s)
{
	xmlDocPtr doc = d->doc;
	xmlNodePtr root = d->root, n, hostdev = NULL, pass = NULL, iface = NULL, input = NULL;
	char *ind;

	memset(s, 0, sizeof(*s));
	if ((s->devs = child(root, "devices")) == NULL) {
		n = first_element(root);
		ind = n ? indent_of(n, "  ") : xstrdup("  ");
		s->devs = xmlNewDocNode(doc, NULL, BAD_CAST "devices", NULL);
		append_child(doc, root, s->devs, ind);
		xmlAddChild(s->devs, text(doc, ind, ""));
		free(ind);
	}
	for (n = s->devs->children; n; n = n->next) {
		if (named(n, "hostdev"))
			hostdev = n;
		if (is_passthrough(n))
			pass = n;
		if (named(n, "interface"))
			iface = n;
		if (named(n, "input"))
			input = n;
		if (s->next == NULL && (k == K_INPUT ? lists_after_inputs(n) : lists_after_hostdevs(n)))
			s->next = n;
	}
	s->anchor = k == K_INPUT ? input : k == K_USB ? hostdev :
	    k == K_IFACE ? (iface ? iface : pass) : (pass ? pass : hostdev);
	if (s->anchor)
		s->ind = indent_of(s->anchor, "    ");
	else if (s->next)
		s->ind = indent_of(s->next, "    ");
	else if ((n = first_element(s->devs)) != NULL)
		s->ind = indent_of(n, "    ");
	else
		s->ind = xasprintf("%s  ", "  ");
}

static void
put(xmlDocPtr doc, struct spot *s, xmlNodePtr h)
{
	if (s->anchor) {
		xmlAddNextSibling(s->anchor, h);
	} else if (s->next) {
		/* before next and the indentation it has */
		xmlAddPrevSibling(is_blank_text(s->next->prev) ? s->next->prev : s->next, h);
	} else if (is_blank_text(s->devs->last)) {
		xmlAddPrevSibling(s->devs->last, h);	/* before "\n  </devices>" */
	} else {
		xmlAddChild(s->devs, h);
	}
	/* The element first, then its indentation: libxml2 merges a text
	 * node into a neighbouring one, and h has none. */
	xmlAddPrevSibling(h, text(doc, s->ind, ""));
	s->anchor = h;
}

/* A child element laid out at depth below ind, with attributes. */
static xmlNodePtr
element(xmlDocPtr doc, xmlNodePtr parent, const char *ind, const char *depth,
    const char *name)
{
	xmlNodePtr e = xmlNewDocNode(doc, NULL, BAD_CAST name, NULL);

	xmlAddChild(parent, text(doc, ind, depth));
	xmlAddChild(parent, e);
	return e;
}

static void
prop(xmlNodePtr e, const char *name, const char *fmt, unsigned v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), fmt, v);
	xmlNewProp(e, BAD_CAST name, BAD_CAST buf);
}

/* <hostdev mode='subsystem' type='TYPE' managed='...'><source> as
 * libvirt lays it out, two spaces per level below ind.  The caller
 * fills the source and closes it with close_hostdev(). */
static xmlNodePtr
new_hostdev(xmlDocPtr doc, const char *type, bool managed, const char *ind,
    xmlNodePtr *src)
{
	xmlNodePtr h = xmlNewDocNode(doc, NULL, BAD_CAST "hostdev", NULL);

	xmlNewProp(h, BAD_CAST "mode", BAD_CAST "subsystem");
	xmlNewProp(h, BAD_CAST "type", BAD_CAST type);
	xmlNewProp(h, BAD_CAST "managed", BAD_CAST(managed ? "yes" : "no"));
	*src = element(doc, h, ind, "  ", "source");
	return h;
}

static void
close_hostdev(xmlDocPtr doc, xmlNodePtr h, xmlNodePtr src, const char *ind)
{
	xmlAddChild(src, text(doc, ind, "  "));
	xmlAddChild(h, text(doc, ind, ""));
}

static void
set_pci_address(xmlNodePtr ad, const struct pci_addr *a)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "0x%04x", a->domain);
	xmlSetProp(ad, BAD_CAST "domain", BAD_CAST buf);
	snprintf(buf, sizeof(buf), "0x%02x", a->bus);
	xmlSetProp(ad, BAD_CAST "bus", BAD_CAST buf);
	snprintf(buf, sizeof(buf), "0x%02x", a->slot);
	xmlSetProp(ad, BAD_CAST "slot", BAD_CAST buf);
	snprintf(buf, sizeof(buf), "0x%x", a->func);
	xmlSetProp(ad, BAD_CAST "function", BAD_CAST buf);
}

static xmlNodePtr
pci_hostdev(xmlDocPtr doc, const struct pci_addr *a, bool managed, const char *ind)
{
	xmlNodePtr src, h = new_hostdev(doc, "pci", managed, ind, &src);

	set_pci_address(element(doc, src, ind, "    ", "address"), a);
	close_hostdev(doc, h, src, ind);
	return h;
}

/* <interface type='hostdev' managed=...><source><address type='pci'
 * .../></source></interface>: libvirt picks the MAC. */
static xmlNodePtr
pci_interface(xmlDocPtr doc, const struct pci_addr *a, bool managed, const char *ind)
{
	xmlNodePtr h = xmlNewDocNode(doc, NULL, BAD_CAST "interface", NULL), src, ad;

	xmlNewProp(h, BAD_CAST "type", BAD_CAST "hostdev");
	xmlNewProp(h, BAD_CAST "managed", BAD_CAST(managed ? "yes" : "no"));
	src = element(doc, h, ind, "  ", "source");
	ad = element(doc, src, ind, "    ", "address");
	xmlNewProp(ad, BAD_CAST "type", BAD_CAST "pci");
	set_pci_address(ad, a);
	close_hostdev(doc, h, src, ind);
	return h;
}

/* By vendor/product, which survives a replug; startupPolicy='optional'
 * so that a device unplugged while the VM is off does not stop it from
 * starting. */
static xmlNodePtr
usb_hostdev(xmlDocPtr doc, const struct usb_add *a, const char *ind)
{
	xmlNodePtr src, h = new_hostdev(doc, "usb", true, ind, &src);

	xmlNewProp(src, BAD_CAST "startupPolicy", BAD_CAST "optional");
	prop(element(doc, src, ind, "    ", "vendor"), "id", "0x%04x", a->dev->vendor);
	prop(element(doc, src, ind, "    ", "product"), "id", "0x%04x", a->dev->product);
	if (a->by_address) {
		xmlNodePtr ad = element(doc, src, ind, "    ", "address");

		prop(ad, "bus", "%u", a->dev->bus);
		prop(ad, "device", "%u", a->dev->devnum);
	}
	close_hostdev(doc, h, src, ind);
	return h;
}

/* A lone hostdev as text, made in and freed with its own document. */
static char *
standalone(xmlDocPtr doc, xmlNodePtr h)
{
	xmlBufferPtr buf = xmlBufferCreate();
	char *s;

	xmlDocSetRootElement(doc, h);
	xmlNodeDump(buf, doc, h, 0, 0);
	s = xstrdup((const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
	xmlFreeDoc(doc);
	return s;
}

char *
domxml_usb_hostdev(const struct usb_add *a)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");

	return standalone(doc, usb_hostdev(doc, a, ""));
}

char *
domxml_pci_hostdev(const struct pci_addr *a)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");

	return standalone(doc, pci_hostdev(doc, a, true, ""));
}

static bool
in_plan(const struct plan *p, const struct pci_addr *a)
{
	size_t i;

	for (i = 0; i < p->assign.n; i++)
		if (pci_addr_eq(&p->assign.v[i].dev->addr, a))
			return true;
	return false;
}

static const struct move *
move_from(const struct plan *p, const struct pci_addr *a)
{
	size_t i;

	for (i = 0; i < p->nmoves; i++)
		if (pci_addr_eq(&p->moves[i].from, a))
			return &p->moves[i];
	return NULL;
}

/* <metadata><pthook:passthrough xmlns:pthook=...><pthook:device
 * address= id= subsystem=/>...: what each element was given for, so a
 * device that moves is found again by what it is.  Rewritten whole. */
static void
write_metadata(struct domxml *d, const struct plan *p)
{
	static const char *const before[] = { "description", "title", "genid", "uuid", "name" };
	xmlDocPtr doc = d->doc;
	xmlNodePtr root = d->root, md, e, n;
	char *ind, *inner;
	xmlNsPtr ns;
	size_t i;

	if ((e = our_metadata(root)) != NULL)
		remove_node(e);
	if (p->assign.n == 0)
		return;
	if ((md = child(root, "metadata")) == NULL) {
		md = xmlNewDocNode(doc, NULL, BAD_CAST "metadata", NULL);
		for (i = 0, n = NULL; i < sizeof(before) / sizeof(*before) && n == NULL; i++)
			n = child(root, before[i]);
		ind = n ? indent_of(n, "  ") : xstrdup("  ");
		if (n) {
			xmlAddNextSibling(n, md);
			xmlAddPrevSibling(md, text(doc, ind, ""));
		} else {
			append_child(doc, root, md, ind);
		}
		xmlAddChild(md, text(doc, ind, ""));
	} else {
		ind = indent_of(md, "  ");
	}
	inner = xasprintf("%s  ", ind);
	e = xmlNewDocNode(doc, NULL, BAD_CAST "passthrough", NULL);
	ns = xmlNewNs(e, BAD_CAST PTHOOK_NS, BAD_CAST "pthook");
	xmlSetNs(e, ns);
	for (i = 0; i < p->assign.n; i++) {
		const struct device *dev = p->assign.v[i].dev;
		xmlNodePtr de = element(doc, e, inner, "  ", "device");
		char buf[16];

		xmlSetNs(de, ns);
		xmlNewProp(de, BAD_CAST "address", BAD_CAST dev->addr_str);
		snprintf(buf, sizeof(buf), "%04x:%04x", dev->vendor, dev->device);
		xmlSetProp(de, BAD_CAST "id", BAD_CAST buf);
		if (dev->has_subsys) {
			snprintf(buf, sizeof(buf), "%04x:%04x", dev->subvendor, dev->subdevice);
			xmlNewProp(de, BAD_CAST "subsystem", BAD_CAST buf);
		}
	}
	xmlAddChild(e, text(doc, inner, ""));
	append_child(doc, md, e, inner);
	free(inner);
	free(ind);
}

void
domxml_rewrite(struct domxml *d, const struct plan *p)
{
	xmlNodePtr *doomed = NULL, after = NULL, h;
	size_t i, j, kept = 0, ndoomed = 0, cap = 0;
	struct hostdev *keep;
	xmlDocPtr doc = d->doc;
	struct spot s;

	if (!p->configured || !p->pci)
		return;
	keep = xcalloc(d->n + 1, sizeof(*keep));
	for (i = 0; i < d->n; i++) {
		const struct move *mv = move_from(p, &d->hostdevs[i].addr);
		xmlNodePtr n = d->nodes[i];

		/* a second element for one address goes (libvirt refuses it) */
		for (j = 0; j < i && !pci_addr_eq(&d->hostdevs[j].addr, &d->hostdevs[i].addr); j++)
			;
		if (in_plan(p, &d->hostdevs[i].addr))
			mv = NULL;
		if (j == i && (in_plan(p, &d->hostdevs[i].addr) || mv)) {
			keep[kept] = d->hostdevs[i];
			if (mv) {
				/* in place: only the source address changes */
				set_pci_address(child(child(n, "source"), "address"), &mv->to);
				keep[kept].addr = mv->to;
				*PUSH(doomed, ndoomed, cap) = NULL;	/* a change */
			}
			d->nodes[kept++] = n;
		} else {
			*PUSH(doomed, ndoomed, cap) = after = n;
		}
	}
	if (kept)
		memcpy(d->hostdevs, keep, kept * sizeof(*keep));
	free(keep);
	d->n = kept;
	/* New elements take the place of the last one that goes, so the
	 * diff shows one replaced by the other; else where find_spot says. */
	for (i = 0; i < p->assign.n; i++) {
		const struct planned *a = &p->assign.v[i];

		for (j = 0; j < d->n && !pci_addr_eq(&d->hostdevs[j].addr, &a->dev->addr); j++)
			;
		if (j < d->n)
			continue;
		find_spot(d, a->iface ? K_IFACE : K_PCI, &s);
		if (after) {
			s.anchor = after;
			free(s.ind);
			s.ind = indent_of(after, "    ");
		}
		h = a->iface ? pci_interface(doc, &a->dev->addr, a->managed, s.ind) :
		    pci_hostdev(doc, &a->dev->addr, a->managed, s.ind);
		put(doc, &s, h);
		free(s.ind);
		after = h;
		push_hostdev(d, &(struct hostdev){ .addr = a->dev->addr, .managed = a->managed,
		    .iface = a->iface }, h);
		*PUSH(doomed, ndoomed, cap) = NULL;
	}
	for (i = 0; i < ndoomed; i++)
		if (doomed[i])
			remove_node(doomed[i]);
	free(doomed);
	/* A definition that is right stays as it is, metadata or not. */
	if (ndoomed || our_metadata(d->root))
		write_metadata(d, p);
}

void
domxml_add_usb(struct domxml *d, const struct usb_plan *up)
{
	struct spot s;
	size_t i;

	if (up->n == 0)
		return;
	find_spot(d, K_USB, &s);
	for (i = 0; i < up->n; i++)
		put(d->doc, &s, usb_hostdev(d->doc, &up->v[i], s.ind));
	free(s.ind);
}

/* <input type='evdev'><source dev= [grab='all'] [repeat='on']/></input> */
static xmlNodePtr
evdev_input(xmlDocPtr doc, const struct input_pick *pick, const char *ind)
{
	xmlNodePtr h = xmlNewDocNode(doc, NULL, BAD_CAST "input", NULL), src;
	char *dev = input_source(pick);

	xmlNewProp(h, BAD_CAST "type", BAD_CAST "evdev");
	src = element(doc, h, ind, "  ", "source");
	xmlNewProp(src, BAD_CAST "dev", BAD_CAST dev);
	if (input_grabs(&pick->rule->m, pick->dev))
		xmlNewProp(src, BAD_CAST "grab", BAD_CAST "all");
	if (input_repeats(&pick->rule->m, pick->dev))
		xmlNewProp(src, BAD_CAST "repeat", BAD_CAST "on");
	xmlAddChild(h, text(doc, ind, ""));
	free(dev);
	return h;
}

char *
domxml_evdev_input(const struct input_pick *pick)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");

	return standalone(doc, evdev_input(doc, pick, ""));
}

void
domxml_input(struct domxml *d, const struct input_plan *ip)
{
	struct spot s;
	size_t i;
	char *dev;

	for (i = 0; i < ip->nrewrite; i++) {
		dev = input_source(ip->rewrite[i].to);
		xmlSetProp(child(d->evdev[ip->rewrite[i].have].node, "source"), BAD_CAST "dev",
		    BAD_CAST dev);
		free(dev);
	}
	if (ip->nadd == 0)
		return;
	find_spot(d, K_INPUT, &s);
	for (i = 0; i < ip->nadd; i++)
		put(d->doc, &s, evdev_input(d->doc, ip->add[i], s.ind));
	free(s.ind);
}

void
domxml_free(struct domxml *d)
{
	size_t i;

	for (i = 0; i < d->nevdev; i++)
		free(d->evdev[i].dev);
	free(d->evdev);
	if (d->doc)
		xmlFreeDoc(d->doc);
	free(d->name);
	free(d->hostdevs);
	free(d->uses);
	free(d->nodes);
	free(d->usb);
	memset(d, 0, sizeof(*d));
}
