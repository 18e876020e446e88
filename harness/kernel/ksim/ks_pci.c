// SPDX-License-Identifier: MIT
/*
 * vtdsim driver harness, kernel side: the PCI bus. One root bus, segment 0;
 * a pci_dev for every simulated endpoint, its configuration space served by
 * the endpoint model (PASID, ATS and PRI capabilities included). The PCI core
 * is not compiled; drivers/pci/ats.c is, and finds its capabilities here.
 */
#include <linux/pci.h>
#include <linux/device.h>
#include <linux/property.h>
#include <linux/msi.h>
#include <linux/slab.h>
#include "../../drivers/pci/pci.h"
#include "ksim.h"

const struct bus_type pci_bus_type = {.name = "pci"};
const struct bus_type platform_bus_type = {.name = "platform"};
const struct bus_type acpi_bus_type = {.name = "acpi"};

#define KS_MAX_PCI 16

static struct pci_sysdata ks_sysdata;
static struct pci_bus ks_root_bus;
static struct pci_dev *ks_pci[KS_MAX_PCI];
static unsigned int ks_npci;

/* pci_dev_id() without dropping const */
static u16 ks_bdf(const struct pci_dev *dev)
{
	return PCI_DEVID(dev->bus->number, dev->devfn);
}

static int ks_cfg_read(u16 bdf, int where, int size, u32 *val)
{
	*val = vh_pci_cfg_read(bdf, where, size);
	return PCIBIOS_SUCCESSFUL;
}

int pci_read_config_byte(const struct pci_dev *dev, int where, u8 *val)
{
	u32 v;
	int r = ks_cfg_read(ks_bdf(dev), where, 1, &v);

	*val = v;
	return r;
}

int pci_read_config_word(const struct pci_dev *dev, int where, u16 *val)
{
	u32 v;
	int r = ks_cfg_read(ks_bdf(dev), where, 2, &v);

	*val = v;
	return r;
}

int pci_read_config_dword(const struct pci_dev *dev, int where, u32 *val)
{
	return ks_cfg_read(ks_bdf(dev), where, 4, val);
}

int pci_write_config_byte(const struct pci_dev *dev, int where, u8 val)
{
	vh_pci_cfg_write(ks_bdf(dev), where, 1, val);
	return PCIBIOS_SUCCESSFUL;
}

int pci_write_config_word(const struct pci_dev *dev, int where, u16 val)
{
	vh_pci_cfg_write(ks_bdf(dev), where, 2, val);
	return PCIBIOS_SUCCESSFUL;
}

int pci_write_config_dword(const struct pci_dev *dev, int where, u32 val)
{
	vh_pci_cfg_write(ks_bdf(dev), where, 4, val);
	return PCIBIOS_SUCCESSFUL;
}

int pci_bus_read_config_dword(struct pci_bus *bus, unsigned int devfn,
			      int where, u32 *val)
{
	return ks_cfg_read(PCI_DEVID(bus->number, devfn), where, 4, val);
}

u16 pci_find_ext_capability(struct pci_dev *dev, int cap)
{
	int pos = PCI_CFG_SPACE_SIZE, ttl = 64;
	u32 h;

	while (pos && ttl--) {
		pci_read_config_dword(dev, pos, &h);
		if (!h || h == 0xffffffff)
			return 0;
		if (PCI_EXT_CAP_ID(h) == cap)
			return pos;
		pos = PCI_EXT_CAP_NEXT(h);
		if (pos < PCI_CFG_SPACE_SIZE)
			return 0;
	}
	return 0;
}

u8 pci_find_capability(struct pci_dev *dev, int cap)
{
	u8 pos, id;
	int ttl = 48;

	pci_read_config_byte(dev, PCI_CAPABILITY_LIST, &pos);
	while (pos && ttl--) {
		pci_read_config_byte(dev, pos, &id);
		if (id == cap)
			return pos;
		pci_read_config_byte(dev, pos + 1, &pos);
	}
	return 0;
}

static struct pci_dev *ks_pci_new(u16 bdf)
{
	struct pci_dev *pdev = kzalloc(sizeof(*pdev), GFP_KERNEL);
	u32 id;

	if (!pdev)
		return NULL;
	pdev->bus = &ks_root_bus;
	pdev->devfn = bdf & 0xff;
	pci_read_config_dword(pdev, PCI_VENDOR_ID, &id);
	pdev->vendor = id & 0xffff;
	pdev->device = id >> 16;
	pdev->cfg_size = PCI_CFG_SPACE_EXP_SIZE;
	pdev->pcie_cap = pci_find_capability(pdev, PCI_CAP_ID_EXP);
	if (pdev->pcie_cap) {
		u16 flags;

		pci_read_config_word(pdev, pdev->pcie_cap + PCI_EXP_FLAGS,
				     &flags);
		pdev->pcie_flags_reg = flags;
	}
	pdev->dma_mask = DMA_BIT_MASK(64);
	pdev->dev.bus = &pci_bus_type;
	pdev->dev.dma_mask = &pdev->dma_mask;
	pdev->dev.coherent_dma_mask = DMA_BIT_MASK(64);
	pdev->dev.kobj.name =
		kasprintf(GFP_KERNEL, "0000:%02x:%02x.%d", bdf >> 8,
			  PCI_SLOT(bdf & 0xff), PCI_FUNC(bdf & 0xff));
	INIT_LIST_HEAD(&pdev->dev.dma_pools);
	/* what the PCI core's capability init does for these three */
	pci_ats_init(pdev);
	pci_pri_init(pdev);
	pci_pasid_init(pdev);
	/* a root-complex integrated endpoint passes End-End TLP prefixes */
	pdev->eetlp_prefix_path = !!pdev->pasid_cap;
	return pdev;
}

int ks_pci_init(void)
{
	int bdf;

	ks_root_bus.sysdata = &ks_sysdata;
	ks_root_bus.number = 0;
	INIT_LIST_HEAD(&ks_root_bus.devices);
	for (ks_npci = 0; ks_npci < KS_MAX_PCI; ks_npci++) {
		bdf = vh_pci_device(ks_npci);
		if (bdf < 0)
			break;
		ks_pci[ks_npci] = ks_pci_new(bdf);
		if (!ks_pci[ks_npci])
			return -ENOMEM;
		list_add_tail(&ks_pci[ks_npci]->bus_list, &ks_root_bus.devices);
	}
	return 0;
}

struct pci_dev *ks_pci_find(u16 bdf)
{
	unsigned int i;

	for (i = 0; i < ks_npci; i++)
		if (pci_dev_id(ks_pci[i]) == bdf)
			return ks_pci[i];
	return NULL;
}

struct pci_dev *pci_get_device(unsigned int vendor, unsigned int device,
			       struct pci_dev *from)
{
	unsigned int i = 0;

	if (from) {
		while (i < ks_npci && ks_pci[i] != from)
			i++;
		i++;
	}
	for (; i < ks_npci; i++) {
		struct pci_dev *p = ks_pci[i];

		if ((vendor == PCI_ANY_ID || p->vendor == vendor) &&
		    (device == PCI_ANY_ID || p->device == device))
			return p;
	}
	return NULL;
}

void pci_dev_put(struct pci_dev *dev)
{
}

struct pci_dev *pci_dev_get(struct pci_dev *dev)
{
	return dev;
}

int bus_for_each_dev(const struct bus_type *bus, struct device *start,
		     void *data, int (*fn)(struct device *, void *))
{
	unsigned int i;
	int r;

	if (bus != &pci_bus_type)
		return 0;
	for (i = 0; i < ks_npci; i++) {
		r = fn(&ks_pci[i]->dev, data);
		if (r)
			return r;
	}
	return 0;
}

/* The PCI bus's notifier chain (the IOMMU core's and the DMAR code's), in
 * priority order as the kernel's notifier chains keep it. */
static struct notifier_block *ks_pci_nb;

int bus_register_notifier(const struct bus_type *bus, struct notifier_block *nb)
{
	struct notifier_block **p = &ks_pci_nb;

	if (bus != &pci_bus_type)
		return 0;
	while (*p && (*p)->priority >= nb->priority)
		p = &(*p)->next;
	nb->next = *p;
	*p = nb;
	return 0;
}

int bus_unregister_notifier(const struct bus_type *bus,
			    struct notifier_block *nb)
{
	struct notifier_block **p;

	for (p = &ks_pci_nb; *p; p = &(*p)->next)
		if (*p == nb) {
			*p = nb->next;
			return 0;
		}
	return -ENOENT;
}

/* A hot-plug event for device bdf as the driver core sends it: removal
 * (BUS_NOTIFY_REMOVED_DEVICE, after its driver let go) or addition
 * (BUS_NOTIFY_ADD_DEVICE). */
int ks_pci_hotplug(u16 bdf, bool add)
{
	struct pci_dev *pdev = ks_pci_find(bdf);
	struct notifier_block *nb;

	if (!pdev)
		return -ENODEV;
	for (nb = ks_pci_nb; nb; nb = nb->next)
		nb->notifier_call(nb,
				  add ? BUS_NOTIFY_ADD_DEVICE
				      : BUS_NOTIFY_REMOVED_DEVICE,
				  &pdev->dev);
	return 0;
}

struct device *get_device(struct device *dev)
{
	return dev;
}

void put_device(struct device *dev)
{
}

int pci_for_each_dma_alias(struct pci_dev *pdev,
			   int (*fn)(struct pci_dev *pdev, u16 alias,
				     void *data),
			   void *data)
{
	return fn(pdev, pci_dev_id(pdev), data);
}

bool pci_acs_enabled(struct pci_dev *pdev, u16 acs_flags)
{
	return true;
}

bool pci_acs_path_enabled(struct pci_dev *start, struct pci_dev *end,
			  u16 acs_flags)
{
	return true;
}

void pci_request_acs(void)
{
}

struct pci_dev *pci_real_dma_dev(struct pci_dev *dev)
{
	return dev;
}

bool pci_devs_are_dma_aliases(struct pci_dev *dev1, struct pci_dev *dev2)
{
	return false;
}

bool pci_device_is_present(struct pci_dev *pdev)
{
	u32 v;

	pci_read_config_dword(pdev, PCI_VENDOR_ID, &v);
	return v != 0xffffffff;
}

bool pci_ats_disabled(void)
{
	return false;
}

bool msi_device_has_isolated_msi(struct device *dev)
{
	return true;
}

struct fwnode_handle *__dev_fwnode(struct device *dev)
{
	return NULL;
}

struct fwnode_handle *fwnode_handle_get(struct fwnode_handle *fwnode)
{
	return fwnode;
}

bool is_acpi_device_node(const struct fwnode_handle *fwnode)
{
	return false;
}

int device_property_read_u32_array(const struct device *dev,
				   const char *propname, u32 *val, size_t nval)
{
	return -EINVAL;
}

/* The root bus's host bridge: no memory windows, no DMA ranges (all of
 * memory is reachable), as dma-iommu's IOVA reservations read it. */
static struct pci_host_bridge ks_host_bridge = {
	.windows = LIST_HEAD_INIT(ks_host_bridge.windows),
	.dma_ranges = LIST_HEAD_INIT(ks_host_bridge.dma_ranges),
};

struct pci_host_bridge *pci_find_host_bridge(struct pci_bus *bus)
{
	ks_host_bridge.bus = &ks_root_bus;
	return &ks_host_bridge;
}
