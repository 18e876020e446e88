// SPDX-License-Identifier: MIT
/*
 * vtdsim driver harness: a VMM bringing up guest SVA through iommufd, the
 * user API a VMM speaks. The VMM is a simulated process: its guest RAM is an
 * anonymous mapping in its address space, it opens /dev/iommu and issues the
 * ioctls with the uapi structures, and iommufd pins its pages through its
 * page tables. VFIO is not compiled: where a VMM asks VFIO to bind a device
 * to its iommufd (VFIO_DEVICE_BIND_IOMMUFD) and to attach it to a page table
 * (VFIO_DEVICE_ATTACH_IOMMUFD_PT), the harness calls the iommufd functions
 * VFIO calls for those ioctls, iommufd_device_bind() and
 * iommufd_device_attach()/replace().
 */
#include <linux/iommu.h>
#include <linux/iommufd.h>
#include <linux/pci.h>
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <uapi/linux/iommufd.h>
#include "iommu.h"
#include "pasid.h"
#include "ks_scenario.h"

#define VM_RAM_VA  0x7f8000000000UL /* guest RAM in the VMM's address space */
#define VM_ROM_VA  0x7f9000000000UL /* a read-only mapping (a ROM image) */
#define VM_PAGES   32
#define VM_ROM	   4
#define VM_GPA	   0x80000000UL /* guest RAM's guest-physical base */
#define VM_ROM_GPA 0xfff00000UL
#define VM_GVA	   0x7f0000000000UL /* guest virtual addresses (stage 1) */
#define VM_PTE                                                                 \
	(0x1ULL | 0x2ULL | 0x4ULL | 0x20ULL | 0x40ULL) /* P RW US A D          \
							*/

struct vmm {
	struct mm_struct *mm;
	int fd;			  /* /dev/iommu */
	struct iommufd_ctx *ictx; /* held as VFIO holds it */
	struct iommufd_device *idev;
	u16 bdf;
	u32 dev_id, ioas_id;
	phys_addr_t ram[VM_PAGES]; /* the host page behind each guest page */
};

static long vm_ioctl(struct vmm *vm, unsigned int cmd, void *arg)
{
	return ks_user_ioctl(vm->mm, vm->fd, cmd, arg);
}

static unsigned long vm_gpa(unsigned int i)
{
	return VM_GPA + i * PAGE_SIZE;
}

static u64 *vm_page(struct vmm *vm, unsigned int i)
{
	return __va(vm->ram[i]);
}

/* The VMM process with its guest RAM and ROM faulted in. */
static int vm_start(struct vmm *vm, u16 bdf)
{
	unsigned int i;

	memset(vm, 0, sizeof(*vm));
	vm->bdf = bdf;
	vm->mm = ks_proc_create();
	if (!vm->mm ||
	    ks_proc_add_vma(vm->mm, VM_RAM_VA, VM_RAM_VA + VM_PAGES * PAGE_SIZE,
			    VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE) ||
	    ks_proc_add_vma(vm->mm, VM_ROM_VA, VM_ROM_VA + VM_ROM * PAGE_SIZE,
			    VM_READ | VM_MAYREAD))
		return -ENOMEM;
	for (i = 0; i < VM_PAGES; i++) {
		vm->ram[i] = __pa(get_zeroed_page(GFP_KERNEL));
		ks_proc_map(vm->mm, VM_RAM_VA + i * PAGE_SIZE, vm->ram[i],
			    true);
	}
	for (i = 0; i < VM_ROM; i++)
		ks_proc_map(vm->mm, VM_ROM_VA + i * PAGE_SIZE,
			    __pa(get_zeroed_page(GFP_KERNEL)), false);
	vm->fd = ks_user_open("iommu");
	KCHECK(vm->fd >= 0, "open /dev/iommu: %d", vm->fd);
	if (vm->fd < 0)
		return vm->fd;
	/* VFIO_DEVICE_BIND_IOMMUFD */
	vm->ictx = iommufd_ctx_from_file(ks_user_file(vm->fd));
	vm->idev = iommufd_device_bind(vm->ictx, sc_dev(bdf), &vm->dev_id);
	KCHECK(!IS_ERR(vm->idev), "iommufd_device_bind: %ld",
	       PTR_ERR(vm->idev));
	return IS_ERR(vm->idev) ? PTR_ERR(vm->idev) : 0;
}

static void vm_stop(struct vmm *vm)
{
	struct iommu_domain *d;

	iommufd_device_unbind(vm->idev);
	iommufd_ctx_put(vm->ictx);
	ks_user_close(vm->fd);
	KCHECK(ks_user_pinned() == 0,
	       "%lu pages still pinned after the VMM closed /dev/iommu",
	       ks_user_pinned());
	KCHECK(ks_user_files_open() == 0, "%lu files still open",
	       ks_user_files_open());
	d = iommu_get_domain_for_dev(sc_dev(vm->bdf));
	KCHECK(d && d == iommu_group_default_domain(
				 sc_dev(vm->bdf)->iommu_group),
	       "the device is not back in its default domain after unbind");
}

static u32 vm_alloc_id(struct vmm *vm, unsigned int cmd, void *arg, u32 *id,
		       const char *what)
{
	long r = vm_ioctl(vm, cmd, arg);

	KCHECK(r == 0, "%s: %ld", what, r);
	return r ? 0 : *id;
}

static long vm_destroy(struct vmm *vm, u32 id)
{
	struct iommu_destroy d = {.size = sizeof(d), .id = id};

	return vm_ioctl(vm, IOMMU_DESTROY, &d);
}

/* ---- IOMMU_GET_HW_INFO ------------------------------------------------------
 */

static long vm_hw_info(struct vmm *vm, struct iommu_hw_info *c, void *buf,
		       u32 len)
{
	c->size = sizeof(*c);
	c->dev_id = vm->dev_id;
	c->data_len = len;
	c->data_uptr = (uintptr_t)buf;
	return vm_ioctl(vm, IOMMU_GET_HW_INFO, c);
}

static void vm_check_hw_info(struct vmm *vm)
{
	u8 buf[64] __aligned(8);
	struct iommu_hw_info_vtd *vtd = (void *)buf;
	struct iommu_hw_info c = {};
	long r;
	int i;

	memset(buf, 0xa5, sizeof(buf));
	r = vm_hw_info(vm, &c, buf, sizeof(*vtd));
	KCHECK(r == 0 && c.out_data_type == IOMMU_HW_INFO_TYPE_INTEL_VTD &&
		       c.data_len == sizeof(*vtd),
	       "IOMMU_GET_HW_INFO: %ld type %u len %u", r, c.out_data_type,
	       c.data_len);
	KCHECK(vtd->cap_reg == vh_unit_reg(0, DMAR_CAP_REG) &&
		       vtd->ecap_reg == vh_unit_reg(0, DMAR_ECAP_REG),
	       "hw info CAP %#llx ECAP %#llx differ from the unit's",
	       vtd->cap_reg, vtd->ecap_reg);
	/* 6.12 reports the erratum for every unit */
	KCHECK(vtd->flags == IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17,
	       "hw info flags %#x", vtd->flags);
	KCHECK(c.out_max_pasid_log2 == 20,
	       "max PASID log2 %u for a device with 20-bit PASIDs",
	       c.out_max_pasid_log2);
	/* a shorter buffer gets what fits and learns the full length */
	memset(buf, 0xa5, sizeof(buf));
	memset(&c, 0, sizeof(c));
	r = vm_hw_info(vm, &c, buf, 8);
	KCHECK(r == 0 && c.data_len == sizeof(*vtd) && buf[8] == 0xa5,
	       "hw info into 8 bytes: %ld, len %u, byte 8 %#x", r, c.data_len,
	       buf[8]);
	/* a longer buffer has its tail cleared */
	memset(buf, 0xa5, sizeof(buf));
	memset(&c, 0, sizeof(c));
	r = vm_hw_info(vm, &c, buf, sizeof(buf));
	for (i = sizeof(*vtd); i < (int)sizeof(buf) && !buf[i]; i++)
		;
	KCHECK(r == 0 && c.data_len == sizeof(*vtd) && i == sizeof(buf),
	       "hw info into %zu bytes: %ld, len %u, byte %d not cleared",
	       sizeof(buf), r, c.data_len, i);
	memset(&c, 0, sizeof(c));
	c.flags = 1;
	KCHECK(vm_hw_info(vm, &c, buf, 8) == -EOPNOTSUPP, "hw info flags");
	memset(&c, 0, sizeof(c));
	c.__reserved[2] = 1;
	KCHECK(vm_hw_info(vm, &c, buf, 8) == -EOPNOTSUPP, "hw info reserved");
	memset(&c, 0, sizeof(c));
	c.size = 8;
	c.dev_id = vm->dev_id;
	KCHECK(vm_ioctl(vm, IOMMU_GET_HW_INFO, &c) == -EINVAL,
	       "hw info with a size below the structure's first version");
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.dev_id = vm->dev_id + 100;
	KCHECK(vm_ioctl(vm, IOMMU_GET_HW_INFO, &c) == -ENOENT,
	       "hw info of an unknown device ID");
}

/* ---- the IOAS: guest memory ---------------------------------------------- */

static long vm_map(struct vmm *vm, unsigned long va, unsigned long gpa,
		   unsigned long len, u32 flags)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | flags,
		.ioas_id = vm->ioas_id,
		.user_va = va,
		.length = len,
		.iova = gpa,
	};

	return vm_ioctl(vm, IOMMU_IOAS_MAP, &m);
}

static long vm_unmap(struct vmm *vm, unsigned long gpa, unsigned long len)
{
	struct iommu_ioas_unmap u = {.size = sizeof(u),
				     .ioas_id = vm->ioas_id,
				     .iova = gpa,
				     .length = len};

	return vm_ioctl(vm, IOMMU_IOAS_UNMAP, &u);
}

/* Guest RAM as a VMM maps it: page-table pages as one region, each data page
 * as its own (so the host can later take one away). */
static void vm_map_ram(struct vmm *vm)
{
	const u32 rw = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;
	unsigned int i;
	long r;

	r = vm_map(vm, VM_RAM_VA, vm_gpa(0), 8 * PAGE_SIZE, rw);
	KCHECK(r == 0, "IOMMU_IOAS_MAP of the guest's tables: %ld", r);
	for (i = 8; i < VM_PAGES; i++) {
		r = vm_map(vm, VM_RAM_VA + i * PAGE_SIZE, vm_gpa(i), PAGE_SIZE,
			   rw);
		KCHECK(r == 0, "IOMMU_IOAS_MAP of GPA %#lx: %ld", vm_gpa(i), r);
	}
}

/* The guest RAM, then the maps the kernel must refuse. */
static void vm_map_memory(struct vmm *vm)
{
	const u32 rw = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;
	unsigned long pinned = ks_user_pinned();
	long r;

	vm_map_ram(vm);
	KCHECK(ks_user_pinned() - pinned == VM_PAGES,
	       "%lu guest pages pinned, %u mapped into the nest parent",
	       ks_user_pinned() - pinned, VM_PAGES);
	r = vm_map(vm, VM_ROM_VA, VM_ROM_GPA, VM_ROM * PAGE_SIZE, rw);
	KCHECK(r == -EFAULT, "writable map of a read-only mapping: %ld", r);
	/* 6.12 refuses read-only mappings in a nest parent (erratum
	 * 772415_SPR17, reported by IOMMU_GET_HW_INFO), even when the unit
	 * does not have it: a VMM must map the ROM writable or not at all */
	r = vm_map(vm, VM_ROM_VA, VM_ROM_GPA, VM_ROM * PAGE_SIZE,
		   IOMMU_IOAS_MAP_READABLE);
	KCHECK(r == -EINVAL, "read-only map into a nest parent: %ld", r);
	ks_expect_err(
		"DMAR: Read-only mapping is disallowed on the domain which "
		"serves as the parent in a nested configuration, due to "
		"HW errata (ERRATA_772415_SPR17)");
	r = vm_map(vm, VM_RAM_VA, vm_gpa(4), PAGE_SIZE, rw);
	KCHECK(r == -EEXIST, "map over a mapped IOVA: %ld", r);
	r = vm_map(vm, VM_RAM_VA + (1UL << 30), 0x40000000, PAGE_SIZE, rw);
	KCHECK(r == -EFAULT, "map of an address the VMM has not mapped: %ld",
	       r);
	r = vm_unmap(vm, vm_gpa(1), PAGE_SIZE);
	KCHECK(r == -ENOENT, "unmap of part of a mapping: %ld", r);
	KCHECK(ks_user_pinned() - pinned == VM_PAGES,
	       "failed maps left %ld pages pinned",
	       (long)(ks_user_pinned() - pinned - VM_PAGES));
}

/* ---- nested HWPTs ----------------------------------------------------------
 */

/* A guest process's page table in guest pages t..t+3, mapping GVA page j
 * to guest page d + j for j < 6. */
static void vm_guest_tables(struct vmm *vm, unsigned int t, unsigned int d)
{
	unsigned long va = VM_GVA;
	unsigned int j;

	vm_page(vm, t)[(va >> 39) & 511] = vm_gpa(t + 1) | VM_PTE;
	vm_page(vm, t + 1)[(va >> 30) & 511] = vm_gpa(t + 2) | VM_PTE;
	vm_page(vm, t + 2)[(va >> 21) & 511] = vm_gpa(t + 3) | VM_PTE;
	for (j = 0; j < 6; j++)
		vm_page(vm, t + 3)[((va >> 12) & 511) + j] =
			vm_gpa(d + j) | VM_PTE;
}

static long vm_hwpt_alloc(struct vmm *vm, u32 pt_id, u32 flags, u32 type,
			  const void *data, u32 len, u32 fault_id, u32 *id)
{
	struct iommu_hwpt_alloc a = {
		.size = sizeof(a),
		.flags = flags,
		.dev_id = vm->dev_id,
		.pt_id = pt_id,
		.data_type = type,
		.data_len = len,
		.data_uptr = (uintptr_t)data,
		.fault_id = fault_id,
	};
	long r = vm_ioctl(vm, IOMMU_HWPT_ALLOC, &a);

	*id = r ? 0 : a.out_hwpt_id;
	return r;
}

/* The VMM's IOAS and the stage-2 HWPT over it that guests nest on. */
static u32 vm_nest_parent(struct vmm *vm)
{
	struct iommu_ioas_alloc ia = {.size = sizeof(ia)};
	u32 parent;
	long r;

	vm->ioas_id = vm_alloc_id(vm, IOMMU_IOAS_ALLOC, &ia, &ia.out_ioas_id,
				  "IOMMU_IOAS_ALLOC");
	r = vm_hwpt_alloc(vm, vm->ioas_id, IOMMU_HWPT_ALLOC_NEST_PARENT,
			  IOMMU_HWPT_DATA_NONE, NULL, 0, 0, &parent);
	KCHECK(r == 0, "nest-parent HWPT: %ld", r);
	return parent;
}

static u32 vm_nested(struct vmm *vm, u32 parent, unsigned int t, u32 flags,
		     u32 fault_id)
{
	struct iommu_hwpt_vtd_s1 s1 = {.pgtbl_addr = vm_gpa(t),
				       .addr_width = 48};
	u32 id;
	long r = vm_hwpt_alloc(vm, parent, flags, IOMMU_HWPT_DATA_VTD_S1, &s1,
			       sizeof(s1), fault_id, &id);

	KCHECK(r == 0, "nested HWPT over guest table at GPA %#lx: %ld",
	       vm_gpa(t), r);
	return id;
}

static void vm_bad_hwpts(struct vmm *vm, u32 parent, u32 nested, u32 plain)
{
	struct iommu_hwpt_vtd_s1 s1 = {.pgtbl_addr = vm_gpa(0),
				       .addr_width = 48};
	u32 id;

	KCHECK(vm_hwpt_alloc(vm, nested, 0, IOMMU_HWPT_DATA_VTD_S1, &s1,
			     sizeof(s1), 0, &id) == -EINVAL,
	       "a nested HWPT over a nested HWPT");
	KCHECK(vm_hwpt_alloc(vm, plain, 0, IOMMU_HWPT_DATA_VTD_S1, &s1,
			     sizeof(s1), 0, &id) == -EINVAL,
	       "a nested HWPT over a parent without NEST_PARENT");
	KCHECK(vm_hwpt_alloc(vm, parent, 0, IOMMU_HWPT_DATA_VTD_S1, &s1, 0, 0,
			     &id) == -EINVAL,
	       "stage-1 data without a length");
	KCHECK(vm_hwpt_alloc(vm, parent, IOMMU_HWPT_ALLOC_NEST_PARENT,
			     IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1), 0,
			     &id) == -EOPNOTSUPP,
	       "NEST_PARENT on a nested HWPT");
	KCHECK(vm_hwpt_alloc(vm, vm->ioas_id, 0, IOMMU_HWPT_DATA_VTD_S1, &s1,
			     sizeof(s1), 0, &id) == -EOPNOTSUPP,
	       "stage-1 data for a paging HWPT");
	KCHECK(vm_hwpt_alloc(vm, parent, 0, IOMMU_HWPT_DATA_NONE, &s1,
			     sizeof(s1), 0, &id) == -EINVAL,
	       "data with IOMMU_HWPT_DATA_NONE");
	KCHECK(vm_hwpt_alloc(vm, 999, 0, IOMMU_HWPT_DATA_VTD_S1, &s1,
			     sizeof(s1), 0, &id) == -EINVAL,
	       "a nested HWPT over an unknown ID");
	KCHECK(vm_hwpt_alloc(vm, parent, IOMMU_HWPT_FAULT_ID_VALID,
			     IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1),
			     vm->ioas_id, &id) == -ENOENT,
	       "a fault ID that is not a fault queue");
}

/* ---- IOMMU_HWPT_INVALIDATE -------------------------------------------------
 */

struct vm_inv {
	struct iommu_hwpt_vtd_s1_invalidate e;
	u64 tail; /* for entry_len beyond the structure */
};

static long vm_invalidate(struct vmm *vm, u32 hwpt, const void *entries,
			  u32 entry_len, u32 *entry_num, u32 type, u32 rsvd)
{
	struct iommu_hwpt_invalidate c = {
		.size = sizeof(c),
		.hwpt_id = hwpt,
		.data_uptr = (uintptr_t)entries,
		.data_type = type,
		.entry_len = entry_len,
		.entry_num = *entry_num,
		.__reserved = rsvd,
	};
	long r;

	vh_op_begin(VK_OP_GUEST_INVALIDATE);
	r = vm_ioctl(vm, IOMMU_HWPT_INVALIDATE, &c);
	vh_op_end();
	*entry_num = c.entry_num;
	return r;
}

/* One invalidation request of the kernel's format; want its result and the
 * number of entries the kernel reports handled. */
static void vm_inv_expect(struct vmm *vm, u32 hwpt, const void *entries,
			  u32 entry_len, u32 num, u32 type, u32 rsvd, long want,
			  u32 want_done, const char *what)
{
	u32 done = num;
	long r = vm_invalidate(vm, hwpt, entries, entry_len, &done, type, rsvd);

	KCHECK(r == want && done == want_done,
	       "IOMMU_HWPT_INVALIDATE (%s): %ld with %u of %u entries done, "
	       "want %ld with %u",
	       what, r, done, num, want, want_done);
}

static void vm_check_invalidate(struct vmm *vm, u32 s1, u32 parent)
{
	const u32 vtd = IOMMU_HWPT_INVALIDATE_DATA_VTD_S1;
	const u32 len = sizeof(struct iommu_hwpt_vtd_s1_invalidate);
	const u64 slot = ((VM_GVA >> 12) & 511);
	struct iommu_hwpt_vtd_s1_invalidate a[3] = {};
	struct vm_inv big = {};
	u64 *pt = vm_page(vm, 3);

	/* the guest remaps GVA pages 2 and 4; its array's second entry is
	 * malformed: the first is done, the kernel stops there and says so */
	pt[slot + 2] = vm_gpa(30) | VM_PTE;
	pt[slot + 4] = vm_gpa(31) | VM_PTE;
	a[0] = (struct iommu_hwpt_vtd_s1_invalidate){
		.addr = VM_GVA + 2 * PAGE_SIZE,
		.npages = 1,
		.flags = IOMMU_VTD_INV_FLAGS_LEAF};
	a[1] = (struct iommu_hwpt_vtd_s1_invalidate){
		.addr = VM_GVA + 4 * PAGE_SIZE, .npages = 1, .flags = 0x80};
	a[2] = a[0];
	vm_inv_expect(vm, s1, a, len, 3, vtd, 0, -EOPNOTSUPP, 1,
		      "unknown flag in entry 1");
	sc_expect_ok(vm->bdf, false, 0, false, VM_GVA + 2 * PAGE_SIZE + 8,
		     vm->ram[30] + 8);
	/* the retry from the failed entry */
	a[1].flags = 0;
	vm_inv_expect(vm, s1, &a[1], len, 2, vtd, 0, 0, 2,
		      "the rest of the array");
	sc_expect_ok(vm->bdf, false, 0, true, VM_GVA + 4 * PAGE_SIZE,
		     vm->ram[31]);
	/* the kernel's checks of the request and of each entry */
	vm_inv_expect(vm, s1, a, len, 1, vtd, 1, -EOPNOTSUPP, 0, "reserved");
	vm_inv_expect(vm, s1, a, 0, 1, vtd, 0, -EINVAL, 0, "entry_len 0");
	vm_inv_expect(vm, s1, a, PAGE_SIZE + 8, 1, vtd, 0, -EINVAL, 0,
		      "entry_len above a page");
	vm_inv_expect(vm, s1, NULL, len, 1, vtd, 0, -EINVAL, 0, "no array");
	vm_inv_expect(vm, s1, a, len, (1U << 19) + 1, vtd, 0, -EINVAL, 0,
		      "entry_num above the limit");
	vm_inv_expect(vm, s1, a, len, 0, vtd, 0, 0, 0, "an empty array");
	vm_inv_expect(vm, s1, a, len, 1, vtd + 1, 0, -EINVAL, 0,
		      "an unknown data type");
	vm_inv_expect(vm, s1, a, len - 8, 1, vtd, 0, -EINVAL, 0,
		      "entry_len below the first version");
	/* 6.12 takes no entry longer than its structure, zero tail or not */
	big.e = a[0];
	vm_inv_expect(vm, s1, &big, len + 8, 1, vtd, 0, -EINVAL, 0,
		      "a longer entry with a zero tail");
	big.tail = 1;
	vm_inv_expect(vm, s1, &big, len + 8, 1, vtd, 0, -EINVAL, 0,
		      "a longer entry with a non-zero tail");
	vm_inv_expect(vm, parent, a, len, 1, vtd, 0, -ENOENT, 0,
		      "a paging HWPT");
	a[0].addr = VM_GVA + 0x800;
	vm_inv_expect(vm, s1, a, len, 1, vtd, 0, -EINVAL, 0,
		      "an unaligned address");
	a[0] = (struct iommu_hwpt_vtd_s1_invalidate){.addr = VM_GVA,
						     .npages = U64_MAX};
	vm_inv_expect(vm, s1, a, len, 1, vtd, 0, -EINVAL, 0,
		      "all pages from a non-zero address");
	a[0].__reserved = 1;
	a[0].addr = 0;
	vm_inv_expect(vm, s1, a, len, 1, vtd, 0, -EOPNOTSUPP, 0,
		      "a reserved field in the entry");
	/* the guest unmaps GVA page 3 and flushes everything */
	pt[slot + 3] = 0;
	a[0].__reserved = 0;
	vm_inv_expect(vm, s1, a, len, 1, vtd, 0, 0, 1, "everything");
	sc_expect_fail(vm->bdf, false, 0, false, VM_GVA + 3 * PAGE_SIZE,
		       VK_DMA_FAULT);
}

/* ---- the fault queue ------------------------------------------------------
 */

static void vm_check_fault_queue_api(struct vmm *vm)
{
	struct iommu_fault_alloc fa = {.size = sizeof(fa), .flags = 1};
	struct iommu_hwpt_page_response resp = {.cookie = 42};
	struct iommu_hwpt_pgfault pf[2];
	long r;

	KCHECK(vm_ioctl(vm, IOMMU_FAULT_QUEUE_ALLOC, &fa) == -EOPNOTSUPP,
	       "IOMMU_FAULT_QUEUE_ALLOC with flags");
	fa.flags = 0;
	r = vm_ioctl(vm, IOMMU_FAULT_QUEUE_ALLOC, &fa);
	KCHECK(r == 0 && ks_user_file(fa.out_fault_fd),
	       "IOMMU_FAULT_QUEUE_ALLOC: %ld, fd %u", r, fa.out_fault_fd);
	if (r)
		return;
	r = ks_user_read(vm->mm, fa.out_fault_fd, pf, sizeof(pf[0]) - 1);
	KCHECK(r == -ESPIPE, "read of part of a fault: %ld", r);
	r = ks_user_read(vm->mm, fa.out_fault_fd, pf, sizeof(pf));
	KCHECK(r == 0, "read of an empty fault queue: %ld", r);
	r = ks_user_write(vm->mm, fa.out_fault_fd, &resp, sizeof(resp));
	KCHECK(r == -EINVAL, "response for an unknown group: %ld", r);
	resp.code = 7;
	r = ks_user_write(vm->mm, fa.out_fault_fd, &resp, sizeof(resp));
	KCHECK(r == -EINVAL, "response with an unknown code: %ld", r);
	r = ks_user_write(vm->mm, fa.out_fault_fd, &resp, 3);
	KCHECK(r == -ESPIPE, "write of part of a response: %ld", r);
	ks_user_close(fa.out_fault_fd);
	KCHECK(vm_destroy(vm, fa.out_fault_id) == 0,
	       "destroy of a fault queue whose fd was closed");
}

/* ---- the scenario
 * ------------------------------------------------------------
 */

/* The guest's DMA through each of its stage-1 tables over the IOAS's
 * stage 2, as a VMM sets it up for a device it assigns. */
static void vm_guest(struct vmm *vm)
{
	struct pasid_entry *pe;
	u32 parent, plain, s1a, s1b;
	unsigned int j;
	int r;

	parent = vm_nest_parent(vm);
	r = vm_hwpt_alloc(vm, vm->ioas_id, 0, IOMMU_HWPT_DATA_NONE, NULL, 0, 0,
			  &plain);
	KCHECK(r == 0, "paging HWPT: %d", r);
	vm_map_memory(vm);
	/* stage 2 alone: the device sees guest-physical addresses */
	r = iommufd_device_attach(vm->idev, &parent);
	KCHECK(r == 0, "attach to the nest parent: %d", r);
	for (j = 8; j < VM_PAGES; j += 7)
		sc_expect_ok(vm->bdf, false, 0, j & 1, vm_gpa(j) + 0x40,
			     vm->ram[j] + 0x40);
	sc_expect_fail(vm->bdf, false, 0, true, VM_ROM_GPA, VK_DMA_FAULT);
	/* two guest processes' tables: GVA j -> guest page 8 + j, 16 + j */
	vm_guest_tables(vm, 0, 8);
	vm_guest_tables(vm, 4, 16);
	s1a = vm_nested(vm, parent, 0, 0, 0);
	s1b = vm_nested(vm, parent, 4, 0, 0);
	vm_bad_hwpts(vm, parent, s1a, plain);
	r = iommufd_device_replace(vm->idev, &s1a);
	KCHECK(r == 0, "replace with nested HWPT %u: %d", s1a, r);
	pe = sc_pasid_entry(sc_dev(vm->bdf), IOMMU_NO_PASID);
	KCHECK(pe && pasid_pte_get_pgtt(pe) == PASID_ENTRY_PGTT_NESTED,
	       "RID_PASID entry is not nested");
	/* the unit snoops (ECAP.SC): iommufd enforced cache coherency on
	 * the parent, and the nested entry asks for page snoop */
	KCHECK(pe && (READ_ONCE(pe->val[1]) & BIT_ULL(23)),
	       "nested entry without PGSNP on a unit with snoop control");
	for (j = 0; j < 6; j++)
		sc_expect_ok(vm->bdf, false, 0, j & 1,
			     VM_GVA + j * PAGE_SIZE + 0x18,
			     vm->ram[8 + j] + 0x18);
	r = iommufd_device_replace(vm->idev, &s1b);
	KCHECK(r == 0, "replace with nested HWPT %u: %d", s1b, r);
	for (j = 0; j < 6; j++)
		sc_expect_ok(vm->bdf, false, 0, false, VM_GVA + j * PAGE_SIZE,
			     vm->ram[16 + j]);
	r = iommufd_device_replace(vm->idev, &s1a);
	KCHECK(r == 0, "replace back: %d", r);
	sc_expect_ok(vm->bdf, false, 0, false, VM_GVA, vm->ram[8]);
	vm_check_invalidate(vm, s1a, parent);
	/* the host takes guest page 9 (behind GVA page 1) away */
	r = vm_unmap(vm, vm_gpa(9), PAGE_SIZE);
	KCHECK(r == 0, "IOMMU_IOAS_UNMAP of GPA page 9: %d", r);
	sc_expect_fail(vm->bdf, false, 0, false, VM_GVA + PAGE_SIZE,
		       VK_DMA_FAULT);
	sc_expect_ok(vm->bdf, false, 0, false, VM_GVA, vm->ram[8]);
	vm_check_fault_queue_api(vm);
	KCHECK(vm_destroy(vm, parent) == -EBUSY,
	       "destroy of a parent with nested HWPTs");
	KCHECK(vm_destroy(vm, s1a) == -EBUSY, "destroy of an attached HWPT");
	iommufd_device_detach(vm->idev);
	KCHECK(vm_destroy(vm, s1a) == 0 && vm_destroy(vm, s1b) == 0 &&
		       vm_destroy(vm, plain) == 0 &&
		       vm_destroy(vm, parent) == 0,
	       "destroy of the HWPTs");
	KCHECK(ks_user_pinned() == 0,
	       "%lu pages pinned with no page table left to hold them",
	       ks_user_pinned());
	KCHECK(vm_destroy(vm, parent) == -ENOENT, "a second destroy");
}

int sc_iommufd(void)
{
	struct vmm vm;

	if (sc_up())
		return 0;
	if (vm_start(&vm, BDF_PASID))
		return 0;
	vm_check_hw_info(&vm);
	vm_guest(&vm);
	vm_stop(&vm);
	return 0;
}

/* ---- guest page faults
 * ------------------------------------------------------- A device under the
 * guest's nested domain touches a guest address whose guest PTE is not present:
 * the translation request fails, the device sends a page request (without
 * PASID: 6.12 attaches the nested domain to the RID), the host's PRQ thread
 * reports it, io-pgfault hands it to the nested HWPT's fault queue, the VMM
 * reads it, the guest maps the page and the VMM writes the response the device
 * retries on. */

struct vm_pf {
	struct vmm *vm;
	u32 id;
	int fd;
};

/* The device's access to guest address va goes pending on a page request;
 * the host runs its PRQ handling. */
static bool vm_fault_start(struct vm_pf *f, unsigned long va, bool write)
{
	unsigned int i;
	u64 pa;
	u8 code;
	int st = vh_dma(f->vm->bdf, false, 0, write, va, &pa, &code);

	KCHECK(st == VK_DMA_PENDING, "access to not-present GVA %#lx: %d", va,
	       st);
	if (st != VK_DMA_PENDING)
		return false;
	/* the page request's interrupt, the PRQ thread, io-pgfault */
	for (i = 0; i < 1000 && !(ks_user_poll(f->fd) & EPOLLIN); i++) {
		ks_run_pending();
		vh_delay_ns(1000);
	}
	return true;
}

/* Read one fault group of one fault from the queue. */
static u32 vm_fault_read(struct vm_pf *f, unsigned long va, bool write)
{
	struct iommu_hwpt_pgfault pf[4] = {};
	long r = ks_user_read(f->vm->mm, f->fd, pf, sizeof(pf));
	/* the endpoint asks for exactly the access it made */
	u32 perm = write ? IOMMU_PGFAULT_PERM_WRITE : IOMMU_PGFAULT_PERM_READ;

	KCHECK(r == sizeof(pf[0]), "read of the fault queue: %ld", r);
	if (r != sizeof(pf[0]))
		return 0;
	KCHECK(pf[0].dev_id == f->vm->dev_id &&
		       pf[0].addr == (va & PAGE_MASK) &&
		       pf[0].flags == IOMMU_PGFAULT_FLAGS_LAST_PAGE &&
		       pf[0].perm == perm,
	       "fault: dev %u addr %#llx flags %#x perm %#x; want dev %u addr "
	       "%#lx, last page without PASID, perm %#x",
	       pf[0].dev_id, pf[0].addr, pf[0].flags, pf[0].perm, f->vm->dev_id,
	       va & PAGE_MASK, perm);
	return pf[0].cookie;
}

static long vm_fault_respond(struct vm_pf *f, u32 cookie, u32 code)
{
	struct iommu_hwpt_page_response resp = {.cookie = cookie, .code = code};

	return ks_user_write(f->vm->mm, f->fd, &resp, sizeof(resp));
}

/* What the device got for its pending access. */
static int vm_fault_result(struct vm_pf *f, u64 *pa, u8 *code)
{
	unsigned int i;
	int st = -1;

	for (i = 0; i < 1000; i++) {
		ks_run_pending();
		st = vh_dma_result(f->vm->bdf, pa, code);
		if (st >= 0)
			break;
		vh_delay_ns(1000);
	}
	return st < 0 ? VK_DMA_PENDING : st;
}

static void vm_fault_success(struct vm_pf *f, u64 *pt)
{
	const u64 slot = (VM_GVA >> 12) & 511;
	u64 prq = vh_stat("page_requests"), resp = vh_stat("page_responses");
	unsigned long va = VM_GVA + 2 * PAGE_SIZE + 0x30;
	u64 pa = 0;
	u32 cookie;
	u8 code;
	int st;

	if (!vm_fault_start(f, va, true))
		return;
	cookie = vm_fault_read(f, va, true);
	st = vm_fault_result(f, &pa, &code);
	KCHECK(st == VK_DMA_PENDING,
	       "the device was answered before the VMM responded: %d", st);
	/* the guest's fault handler maps the page */
	pt[slot + 2] = vm_gpa(10) | VM_PTE;
	KCHECK(vm_fault_respond(f, cookie, IOMMUFD_PAGE_RESP_SUCCESS) == 8,
	       "response write");
	st = vm_fault_result(f, &pa, &code);
	KCHECK(st == VK_DMA_OK && pa == f->vm->ram[10] + 0x30,
	       "retry after the guest's Success: status %d pa %#llx, want "
	       "%#llx",
	       st, pa, f->vm->ram[10] + 0x30);
	KCHECK(vh_stat("page_requests") - prq == 1 &&
		       vh_stat("page_responses") - resp == 1,
	       "%llu page requests, %llu page group responses for one fault",
	       vh_stat("page_requests") - prq,
	       vh_stat("page_responses") - resp);
	/* a response for a group already answered is unknown */
	KCHECK(vm_fault_respond(f, cookie, IOMMUFD_PAGE_RESP_SUCCESS) ==
		       -EINVAL,
	       "a second response to one group");
}

/* The device's pending access ended with Invalid Request. */
static void vm_fault_expect_invalid(struct vm_pf *f, const char *what)
{
	u64 pa;
	u8 code = 0;
	int st = vm_fault_result(f, &pa, &code);

	KCHECK(st == VK_DMA_PRQ_FAIL && code == IOMMU_PAGE_RESP_INVALID,
	       "%s: status %d response %u", what, st, code);
}

/* The guest cannot map the address: Invalid Request reaches the device. */
static void vm_fault_invalid(struct vm_pf *f)
{
	unsigned long va = VM_GVA + 3 * PAGE_SIZE;
	u32 cookie;

	if (!vm_fault_start(f, va, false))
		return;
	cookie = vm_fault_read(f, va, false);
	KCHECK(vm_fault_respond(f, cookie, IOMMUFD_PAGE_RESP_INVALID) == 8,
	       "Invalid response write");
	vm_fault_expect_invalid(f, "after the guest's Invalid");
}

/* Two responses in one write, the second for a group nobody asked about:
 * the first is delivered, the write reports one response done. */
static void vm_fault_unknown_group(struct vm_pf *f, u64 *pt)
{
	const u64 slot = (VM_GVA >> 12) & 511;
	unsigned long va = VM_GVA + 4 * PAGE_SIZE;
	struct iommu_hwpt_page_response resp[2] = {};
	u64 pa;
	u8 code;
	long r;
	int st;

	if (!vm_fault_start(f, va, false))
		return;
	resp[0].cookie = vm_fault_read(f, va, false);
	resp[1].cookie = resp[0].cookie + 1000;
	pt[slot + 4] = vm_gpa(12) | VM_PTE;
	r = ks_user_write(f->vm->mm, f->fd, resp, sizeof(resp));
	KCHECK(r == sizeof(resp[0]),
	       "a known and an unknown group's responses: %ld", r);
	st = vm_fault_result(f, &pa, &code);
	KCHECK(st == VK_DMA_OK && pa == f->vm->ram[12],
	       "retry after the first response: %d pa %#llx", st, pa);
}

/* Teardown with faults outstanding: a request still in the unit's queue
 * when the device is detached, and one the VMM never read, in a queue whose
 * file it closed. The kernel answers both, with Invalid Request. */
static void vm_fault_teardown(struct vm_pf *f, u32 hwpt)
{
	unsigned long va = VM_GVA + 5 * PAGE_SIZE;
	struct iommu_hwpt_pgfault pf;
	u64 pa;
	u8 code = 0;
	int st;
	int r;

	if (!vm_fault_start(f, va, false))
		return;
	iommufd_device_detach(f->vm->idev);
	vm_fault_expect_invalid(f, "request in flight at detach");
	KCHECK(ks_user_read(f->vm->mm, f->fd, &pf, sizeof(pf)) == 0,
	       "a fault of a detached device reached the VMM");
	r = iommufd_device_attach(f->vm->idev, &hwpt);
	KCHECK(r == 0, "reattach to the faulting HWPT: %d", r);
	if (!vm_fault_start(f, va, true))
		return;
	ks_user_close(f->fd);
	st = vm_fault_result(f, &pa, &code);
	KCHECK(st == VK_DMA_PENDING, "closing the fault file answered: %d", st);
	iommufd_device_detach(f->vm->idev);
	vm_fault_expect_invalid(f, "unread fault at detach");
}

int sc_guest_fault(void)
{
	struct iommu_fault_alloc fa = {.size = sizeof(fa)};
	struct vm_pf f;
	struct vmm vm;
	u32 parent, s1;
	u64 *pt;
	int r;

	if (sc_up() || vm_start(&vm, BDF_SVA))
		return 0;
	f.vm = &vm;
	parent = vm_nest_parent(&vm);
	vm_map_ram(&vm);
	f.id = vm_alloc_id(&vm, IOMMU_FAULT_QUEUE_ALLOC, &fa, &fa.out_fault_id,
			   "IOMMU_FAULT_QUEUE_ALLOC");
	f.fd = fa.out_fault_fd;
	/* the guest process has GVA pages 0 and 1 mapped, 2..5 not yet */
	vm_guest_tables(&vm, 0, 8);
	pt = vm_page(&vm, 3);
	memset(&pt[((VM_GVA >> 12) & 511) + 2], 0, 4 * sizeof(u64));
	s1 = vm_nested(&vm, parent, 0, IOMMU_HWPT_FAULT_ID_VALID, f.id);
	r = iommufd_device_attach(vm.idev, &s1);
	KCHECK(r == 0, "attach to a nested HWPT with a fault queue: %d", r);
	if (r)
		return 0;
	KCHECK(sc_info(sc_dev(BDF_SVA))->pri_enabled,
	       "PRI is off under a faulting nested domain");
	sc_expect_ok(vm.bdf, false, 0, false, VM_GVA + 8, vm.ram[8] + 8);
	vm_fault_success(&f, pt);
	vm_fault_invalid(&f);
	vm_fault_unknown_group(&f, pt);
	vm_fault_teardown(&f, s1);
	KCHECK(!sc_info(sc_dev(BDF_SVA))->pri_enabled,
	       "PRI still on after the faulting domain was detached");
	KCHECK(vm_destroy(&vm, s1) == 0 && vm_destroy(&vm, f.id) == 0,
	       "destroy of the nested HWPT and its fault queue");
	vm_stop(&vm);
	return 0;
}

/* ---- dirty tracking ---------------------------------------------------------
 * A VMM migrating its guest: a paging HWPT allocated for dirty tracking
 * (second level with A/D), tracking switched on, the device writes some
 * guest pages and reads others, and IOMMU_HWPT_GET_DIRTY_BITMAP reports
 * exactly the written ones, into a bitmap in the VMM's memory. Reading
 * clears (unless NO_CLEAR): a later read reports only what was written
 * since, which needs the driver to flush the IOTLB after clearing the dirty
 * bits (a write hitting a cached dirty translation does not set D again).
 */

#define VM_BITMAP_VA 0x7fa000000000UL

static long vm_dirty_set(struct vmm *vm, u32 hwpt, bool on)
{
	struct iommu_hwpt_set_dirty_tracking s = {
		.size = sizeof(s),
		.flags = on ? IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0,
		.hwpt_id = hwpt,
	};

	return vm_ioctl(vm, IOMMU_HWPT_SET_DIRTY_TRACKING, &s);
}

/* The dirty bits of guest pages 0..63, read (and cleared unless flags
 * says NO_CLEAR) through the VMM's bitmap page. */
static u64 vm_dirty_get(struct vmm *vm, u32 hwpt, u32 flags, long *r)
{
	u64 *bitmap = __va(ks_proc_lookup(vm->mm, VM_BITMAP_VA));
	struct iommu_hwpt_get_dirty_bitmap g = {
		.size = sizeof(g),
		.hwpt_id = hwpt,
		.flags = flags,
		.iova = vm_gpa(0),
		.length = VM_PAGES * PAGE_SIZE,
		.page_size = PAGE_SIZE,
		.data = VM_BITMAP_VA,
	};

	bitmap[0] = 0;
	*r = vm_ioctl(vm, IOMMU_HWPT_GET_DIRTY_BITMAP, &g);
	return bitmap[0];
}

static void vm_dirty_expect(struct vmm *vm, u32 hwpt, u32 flags, u64 want,
			    const char *what)
{
	long r;
	u64 got = vm_dirty_get(vm, hwpt, flags, &r);

	KCHECK(r == 0 && got == want,
	       "%s: dirty bitmap %#llx (%ld), want %#llx", what, got, r, want);
}

static void vm_touch(struct vmm *vm, unsigned int page, bool write)
{
	sc_expect_ok(vm->bdf, false, 0, write, vm_gpa(page) + 0x40,
		     vm->ram[page] + 0x40);
}

int sc_dirty_tracking(void)
{
	struct iommu_ioas_alloc ia = {.size = sizeof(ia)};
	struct vmm vm;
	u32 hwpt = 0, plain = 0;
	long r;

	if (sc_up())
		return 0;
	if (vm_start(&vm, BDF_PLAIN))
		return 0;
	ks_proc_add_vma(vm.mm, VM_BITMAP_VA, VM_BITMAP_VA + PAGE_SIZE,
			VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE);
	ks_proc_map(vm.mm, VM_BITMAP_VA, __pa(get_zeroed_page(GFP_KERNEL)),
		    true);
	vm.ioas_id = vm_alloc_id(&vm, IOMMU_IOAS_ALLOC, &ia, &ia.out_ioas_id,
				 "IOMMU_IOAS_ALLOC");
	r = vm_hwpt_alloc(&vm, vm.ioas_id, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
			  IOMMU_HWPT_DATA_NONE, NULL, 0, 0, &hwpt);
	KCHECK(r == 0, "HWPT with dirty tracking: %ld", r);
	r = vm_hwpt_alloc(&vm, vm.ioas_id, 0, IOMMU_HWPT_DATA_NONE, NULL, 0, 0,
			  &plain);
	KCHECK(r == 0, "HWPT without dirty tracking: %ld", r);
	vm_map_ram(&vm);
	r = iommufd_device_attach(vm.idev, &hwpt);
	KCHECK(r == 0, "attach the dirty-tracking HWPT: %ld", r);
	/* before tracking is on, writes leave no trace */
	vm_touch(&vm, 12, true);
	r = vm_dirty_set(&vm, plain, true);
	KCHECK(r == -EOPNOTSUPP, "tracking on a HWPT without it: %ld", r);
	r = vm_dirty_set(&vm, hwpt, true);
	KCHECK(r == 0, "IOMMU_HWPT_SET_DIRTY_TRACKING on: %ld", r);
	vm_dirty_expect(&vm, hwpt, 0, 0, "nothing written yet");
	vm_touch(&vm, 8, true);
	vm_touch(&vm, 9, false);
	vm_touch(&vm, 10, true);
	vm_touch(&vm, 11, false);
	vm_touch(&vm, 13, true);
	vm_dirty_expect(&vm, hwpt, IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR,
			BIT(8) | BIT(10) | BIT(13), "writes, not cleared");
	vm_dirty_expect(&vm, hwpt, 0, BIT(8) | BIT(10) | BIT(13),
			"writes, read and cleared");
	vm_dirty_expect(&vm, hwpt, 0, 0, "after the clear");
	/* pages written before are written again: D set again */
	vm_touch(&vm, 8, true);
	vm_touch(&vm, 9, true);
	vm_touch(&vm, 13, false);
	vm_dirty_expect(&vm, hwpt, 0, BIT(8) | BIT(9), "second round");
	r = vm_dirty_set(&vm, hwpt, false);
	KCHECK(r == 0, "IOMMU_HWPT_SET_DIRTY_TRACKING off: %ld", r);
	iommufd_device_detach(vm.idev);
	KCHECK(vm_destroy(&vm, hwpt) == 0 && vm_destroy(&vm, plain) == 0,
	       "destroy the HWPTs");
	vm_stop(&vm);
	return 0;
}
