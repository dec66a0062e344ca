#include "domxml.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include <stdlib.h>
#include <string.h>

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

static int
read_hostdev(struct domxml *d, xmlNodePtr h)
{
	xmlNodePtr a = child(child(h, "source"), "address");
	struct hostdev hd = { 0 };

	if (a == NULL || attr_num(a, "domain", 0xfffff, &hd.addr.domain, false) ||
	    attr_num(a, "bus", 0xff, &hd.addr.bus, true) ||
	    attr_num(a, "slot", 0x1f, &hd.addr.slot, true) ||
	    attr_num(a, "function", 7, &hd.addr.func, true)) {
		error_set("domain XML: line %ld: PCI hostdev without a valid <source><address "
		    "domain= bus= slot= function=/>; fix the definition", (long)xmlGetLineNo(h));
		return -1;
	}
	hd.managed = attr_is(h, "managed", "yes");
	push_hostdev(d, &hd, h);
	return 0;
}

static bool
is_hostdev(xmlNodePtr n, const char *type)
{
	return named(n, "hostdev") && attr_is(n, "mode", "subsystem") && attr_is(n, "type", type);
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
	devs = child(root, "devices");
	for (n = devs ? devs->children : NULL; n; n = n->next)
		if (is_hostdev(n, "usb"))
			read_usb_hostdev(d, n);
		else if (is_hostdev(n, "pci") && read_hostdev(d, n) < 0)
			goto fail;
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

/* Where new hostdevs go: after the last <hostdev> of any type, else at
 * the end of <devices> (made if missing), indented like their
 * neighbours. */
struct spot {
	xmlNodePtr devs, anchor;
	char *ind;
};

static void
find_spot(xmlDocPtr doc, struct spot *s)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), n;

	s->devs = child(root, "devices");
	s->anchor = NULL;
	if (s->devs == NULL) {
		s->devs = xmlNewDocNode(doc, NULL, BAD_CAST "devices", NULL);
		xmlAddChild(root, text(doc, "  ", ""));
		xmlAddChild(root, s->devs);
		xmlAddChild(s->devs, text(doc, "", ""));
		xmlAddChild(root, text(doc, "", ""));
	}
	for (n = s->devs->children; n; n = n->next)
		if (named(n, "hostdev"))
			s->anchor = n;
	if (s->anchor) {
		s->ind = indent_of(s->anchor, "    ");
	} else {
		/* first child element of <devices> shows the indentation */
		for (n = s->devs->children; n && n->type != XML_ELEMENT_NODE; n = n->next)
			;
		s->ind = n ? indent_of(n, "    ") : xstrdup("    ");
	}
}

static void
put(xmlDocPtr doc, struct spot *s, xmlNodePtr h)
{
	if (s->anchor)
		xmlAddNextSibling(s->anchor, h);
	else if (is_blank_text(s->devs->last))
		xmlAddPrevSibling(s->devs->last, h);	/* before "\n  </devices>" */
	else
		xmlAddChild(s->devs, h);
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

static xmlNodePtr
pci_hostdev(xmlDocPtr doc, const struct pci_addr *a, bool managed, const char *ind)
{
	xmlNodePtr src, h = new_hostdev(doc, "pci", managed, ind, &src);
	xmlNodePtr ad = element(doc, src, ind, "    ", "address");

	prop(ad, "domain", "0x%04x", a->domain);
	prop(ad, "bus", "0x%02x", a->bus);
	prop(ad, "slot", "0x%02x", a->slot);
	prop(ad, "function", "0x%x", a->func);
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

void
domxml_rewrite(struct domxml *d, const struct plan *p)
{
	xmlDocPtr doc = d->doc;
	struct spot s;
	size_t i, j, kept = 0;

	if (!p->configured)
		return;
	for (i = 0; i < d->n; i++) {
		for (j = 0; j < kept && !pci_addr_eq(&d->hostdevs[j].addr, &d->hostdevs[i].addr); j++)
			;
		if (j == kept && in_plan(p, &d->hostdevs[i].addr)) {
			d->hostdevs[kept] = d->hostdevs[i];
			d->nodes[kept++] = d->nodes[i];
		} else {
			remove_node(d->nodes[i]);
		}
	}
	d->n = kept;
	find_spot(doc, &s);
	for (i = 0; i < p->assign.n; i++) {
		const struct planned *a = &p->assign.v[i];
		xmlNodePtr h;

		for (j = 0; j < d->n && !pci_addr_eq(&d->hostdevs[j].addr, &a->dev->addr); j++)
			;
		if (j < d->n)
			continue;
		h = pci_hostdev(doc, &a->dev->addr, a->managed, s.ind);
		put(doc, &s, h);
		push_hostdev(d, &(struct hostdev){ a->dev->addr, a->managed }, h);
	}
	free(s.ind);
}

void
domxml_add_usb(struct domxml *d, const struct usb_plan *up)
{
	struct spot s;
	size_t i;

	if (up->n == 0)
		return;
	find_spot(d->doc, &s);
	for (i = 0; i < up->n; i++)
		put(d->doc, &s, usb_hostdev(d->doc, &up->v[i], s.ind));
	free(s.ind);
}

void
domxml_free(struct domxml *d)
{
	if (d->doc)
		xmlFreeDoc(d->doc);
	free(d->name);
	free(d->hostdevs);
	free(d->nodes);
	free(d->usb);
	memset(d, 0, sizeof(*d));
}
