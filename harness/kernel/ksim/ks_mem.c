// SPDX-License-Identifier: MIT
/*
 * vtdsim driver harness, kernel side: memory. Every page, slab object and
 * kmalloc'd buffer lives in the simulated physical arena the model reads, so
 * __pa()/__va()/virt_to_page() are the kernel's own inlines over
 * page_offset_base and vmemmap_base.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/io.h>
#include <linux/vmstat.h>
#include <linux/mmzone.h>
#include <linux/string.h>
#include <linux/memremap.h>
#include <linux/ioport.h>
#include <linux/vmalloc.h>
#include <asm/cacheflush.h>
#include "ksim.h"

unsigned long page_offset_base;
unsigned long vmemmap_base;
unsigned long phys_base;
atomic_long_t vm_node_stat[NR_VM_NODE_STAT_ITEMS];
struct pglist_data contig_page_data;
DEFINE_STATIC_KEY_FALSE(hugetlb_optimize_vmemmap_key);
struct resource iomem_resource = {.name = "PCI mem", .end = -1};

#define KS_MAX_ORDER	  10
#define KS_SLAB_MIN_SHIFT 4
#define KS_SLAB_MAX_SHIFT 11
#define KS_SLAB_CLASSES	  (KS_SLAB_MAX_SHIFT - KS_SLAB_MIN_SHIFT + 1)
#define KS_PRIV_SLAB	  0x100UL
#define KS_PRIV_LARGE	  0x200UL
/* The first MiB of the arena is never handed out: physical address 0 is
 * "not present" in too many tables to be a good page. */
#define KS_RESERVED (1UL << 20)

struct ks_free {
	struct ks_free *next;
};

static struct {
	unsigned long base, size, bump;
	struct ks_free *pages[KS_MAX_ORDER + 1];
	struct ks_free *slab[KS_SLAB_CLASSES];
} ks;

struct kmem_cache {
	const char *name;
	unsigned int size;
	unsigned int align;
	void (*ctor)(void *);
};

static struct kmem_cache ks_kmalloc[KMALLOC_SHIFT_HIGH + 1];
kmem_buckets kmalloc_caches[NR_KMALLOC_TYPES];

int ks_mem_init(void)
{
	u64 size;
	void *base = vh_arena(&size);
	unsigned long npages = size >> PAGE_SHIFT;
	int t, i;

	ks.base = (unsigned long)base;
	ks.size = size;
	max_pfn = size >> PAGE_SHIFT;
	ks.bump = KS_RESERVED;
	page_offset_base = ks.base;
	vmemmap_base = (unsigned long)vh_zalloc(npages * sizeof(struct page));
	if (!vmemmap_base)
		return -ENOMEM;
	for (i = 0; i <= KMALLOC_SHIFT_HIGH; i++) {
		/* handles only: __kmalloc_cache_noprof() sizes by its
		 * argument */
		ks_kmalloc[i].name = "kmalloc";
		for (t = 0; t < NR_KMALLOC_TYPES; t++)
			kmalloc_caches[t][i] = &ks_kmalloc[i];
	}
	return 0;
}

bool ks_in_arena(const void *p)
{
	unsigned long a = (unsigned long)p;

	return a >= ks.base && a < ks.base + ks.size;
}

static struct page *ks_page_alloc(unsigned int order, gfp_t gfp)
{
	unsigned long bytes = PAGE_SIZE << order;
	struct ks_free *f = ks.pages[order];
	unsigned long pa;
	struct page *page;

	if (order > KS_MAX_ORDER)
		return NULL;
	if (f) {
		ks.pages[order] = f->next;
		pa = (unsigned long)f - ks.base;
	} else {
		/* naturally aligned, as the buddy allocator's blocks are
		 * (huge-page mappings need it) */
		pa = ALIGN(ks.bump, bytes);
		if (pa + bytes > ks.size) {
			pr_err("vtdsim: simulated physical arena exhausted\n");
			return NULL;
		}
		ks.bump = pa + bytes;
	}
	page = pfn_to_page(pa >> PAGE_SHIFT);
	memset(page, 0, sizeof(*page) << order);
	set_page_count(page, 1);
	if (gfp & __GFP_ZERO)
		memset((void *)(ks.base + pa), 0, bytes);
	return page;
}

static void ks_page_free(struct page *page, unsigned int order)
{
	struct ks_free *f = page_address(page);

	page->private = 0;
	f->next = ks.pages[order];
	ks.pages[order] = f;
}

struct page *__alloc_pages_noprof(gfp_t gfp, unsigned int order,
				  int preferred_nid, nodemask_t *nodemask)
{
	return ks_page_alloc(order, gfp);
}

void __free_pages(struct page *page, unsigned int order)
{
	if (page && put_page_testzero(page))
		ks_page_free(page, order);
}

void free_pages(unsigned long addr, unsigned int order)
{
	if (addr)
		__free_pages(virt_to_page((void *)addr), order);
}

unsigned long get_zeroed_page_noprof(gfp_t gfp)
{
	struct page *p = ks_page_alloc(0, gfp | __GFP_ZERO);

	return p ? (unsigned long)page_address(p) : 0;
}

unsigned long get_free_pages_noprof(gfp_t gfp, unsigned int order)
{
	struct page *p = ks_page_alloc(order, gfp);

	return p ? (unsigned long)page_address(p) : 0;
}

void __folio_put(struct folio *folio)
{
	ks_page_free(&folio->page, folio_order(folio));
}

/* ---- slab --------------------------------------------------------------- */

static void *ks_alloc(size_t size, size_t align, gfp_t gfp)
{
	unsigned int shift = KS_SLAB_MIN_SHIFT;
	struct ks_free *f;
	struct page *page;
	void *p;

	if (!size)
		return ZERO_SIZE_PTR;
	if (align > size)
		size = align;
	while ((1UL << shift) < size && shift <= KS_SLAB_MAX_SHIFT)
		shift++;
	if (shift > KS_SLAB_MAX_SHIFT) {
		unsigned int order = get_order(size);

		page = ks_page_alloc(order, gfp);
		if (!page)
			return NULL;
		page->private = KS_PRIV_LARGE | order;
		return page_address(page);
	}
	f = ks.slab[shift - KS_SLAB_MIN_SHIFT];
	if (!f) {
		unsigned long off;

		page = ks_page_alloc(0, 0);
		if (!page)
			return NULL;
		page->private = KS_PRIV_SLAB | shift;
		p = page_address(page);
		for (off = PAGE_SIZE; off; off -= 1UL << shift) {
			struct ks_free *o = p + off - (1UL << shift);

			o->next = f;
			f = o;
		}
	}
	ks.slab[shift - KS_SLAB_MIN_SHIFT] = f->next;
	if (gfp & __GFP_ZERO)
		memset(f, 0, 1UL << shift);
	return f;
}

static size_t ks_size(const void *p)
{
	struct page *page = virt_to_page(p);

	if (page->private & KS_PRIV_LARGE)
		return PAGE_SIZE << (page->private & 0xff);
	return 1UL << (page->private & 0xff);
}

void kfree(const void *p)
{
	struct page *page;

	if (ZERO_OR_NULL_PTR(p))
		return;
	if (!ks_in_arena(p)) {
		vk_fail(__FILE__, __LINE__,
			"kfree of memory not from the arena");
		return;
	}
	page = virt_to_page(p);
	if (page->private & KS_PRIV_LARGE) {
		ks_page_free(page, page->private & 0xff);
	} else if (page->private & KS_PRIV_SLAB) {
		unsigned int shift = page->private & 0xff;
		struct ks_free *f = (struct ks_free *)p;

		f->next = ks.slab[shift - KS_SLAB_MIN_SHIFT];
		ks.slab[shift - KS_SLAB_MIN_SHIFT] = f;
	} else {
		vk_fail(__FILE__, __LINE__,
			"kfree of a pointer kmalloc never returned");
	}
}

void kvfree(const void *p)
{
	kfree(p);
}

size_t ksize(const void *p)
{
	return ZERO_OR_NULL_PTR(p) ? 0 : ks_size(p);
}

void *__kmalloc_noprof(size_t size, gfp_t gfp)
{
	return ks_alloc(size, 8, gfp);
}

void *__kmalloc_node_noprof(DECL_BUCKET_PARAMS(size, b), gfp_t gfp, int node)
{
	return ks_alloc(size, 8, gfp);
}

void *__kmalloc_cache_noprof(struct kmem_cache *s, gfp_t gfp, size_t size)
{
	return ks_alloc(size, 8, gfp);
}

void *__kmalloc_cache_node_noprof(struct kmem_cache *s, gfp_t gfp, int node,
				  size_t size)
{
	return ks_alloc(size, 8, gfp);
}

void *__kvmalloc_node_noprof(DECL_BUCKET_PARAMS(size, b), gfp_t gfp, int node)
{
	return ks_alloc(size, 8, gfp);
}

void *krealloc_noprof(const void *p, size_t new_size, gfp_t gfp)
{
	size_t old = ZERO_OR_NULL_PTR(p) ? 0 : ks_size(p);
	void *n;

	if (new_size && new_size <= old)
		return (void *)p;
	n = ks_alloc(new_size, 8, gfp);
	if (n && !ZERO_OR_NULL_PTR(n) && old)
		memcpy(n, p, min(old, new_size));
	if (n)
		kfree(p);
	return n;
}

/* vmalloc: physically contiguous arena pages here; is_vmalloc_addr() is
 * false for them, so kvfree() and vfree() both end in kfree(). */
void *vmalloc_noprof(unsigned long size)
{
	return ks_alloc(size, PAGE_SIZE, GFP_KERNEL);
}

void *vzalloc_noprof(unsigned long size)
{
	return ks_alloc(size, PAGE_SIZE, GFP_KERNEL | __GFP_ZERO);
}

void *__vmalloc_noprof(unsigned long size, gfp_t gfp)
{
	return ks_alloc(size, PAGE_SIZE, gfp);
}

void vfree(const void *addr)
{
	kfree(addr);
}

struct kmem_cache *__kmem_cache_create_args(const char *name,
					    unsigned int object_size,
					    struct kmem_cache_args *args,
					    slab_flags_t flags)
{
	struct kmem_cache *s = ks_alloc(sizeof(*s), 8, __GFP_ZERO);

	if (!s)
		return NULL;
	s->name = name;
	s->size = object_size;
	s->align = args && args->align ? args->align : 8;
	s->ctor = args ? args->ctor : NULL;
	return s;
}

void kmem_cache_destroy(struct kmem_cache *s)
{
	kfree(s);
}

void *kmem_cache_alloc_noprof(struct kmem_cache *s, gfp_t gfp)
{
	void *p = ks_alloc(s->size, s->align, gfp);

	if (p && s->ctor)
		s->ctor(p);
	return p;
}

void *kmem_cache_alloc_lru_noprof(struct kmem_cache *s, struct list_lru *lru,
				  gfp_t gfp)
{
	return kmem_cache_alloc_noprof(s, gfp);
}

void kmem_cache_free(struct kmem_cache *s, void *p)
{
	kfree(p);
}

char *kstrdup(const char *s, gfp_t gfp)
{
	size_t n;
	char *d;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	d = ks_alloc(n, 8, gfp);
	if (d)
		memcpy(d, s, n);
	return d;
}

char *kvasprintf(gfp_t gfp, const char *fmt, va_list ap)
{
	char buf[256];
	va_list aq;

	va_copy(aq, ap);
	vsnprintf(buf, sizeof(buf), fmt, aq);
	va_end(aq);
	return kstrdup(buf, gfp);
}

char *kasprintf(gfp_t gfp, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = kvasprintf(gfp, fmt, ap);
	va_end(ap);
	return s;
}

/* ---- MMIO ---------------------------------------------------------------- */

/* ioremap() cookies: non-canonical addresses, so a stray dereference traps
 * instead of reading host memory. */
#define KS_MMIO_COOKIE 0xdead000000000000UL

void __iomem *ioremap(resource_size_t pa, unsigned long size)
{
	return (void __iomem *)(KS_MMIO_COOKIE + pa);
}

void __iomem *ioremap_cache(resource_size_t pa, unsigned long size)
{
	return ioremap(pa, size);
}

void __iomem *early_ioremap(resource_size_t pa, unsigned long size)
{
	return ioremap(pa, size);
}

void iounmap(volatile void __iomem *addr)
{
}

void early_iounmap(void __iomem *addr, unsigned long size)
{
}

void *memremap(resource_size_t pa, size_t size, unsigned long flags)
{
	if (pa + size > ks.size)
		return NULL;
	return (void *)(ks.base + pa);
}

void memunmap(void *addr)
{
}

static u64 ks_mmio_pa(const volatile void __iomem *addr, bool *mmio)
{
	unsigned long a = (unsigned long)addr;

	*mmio = (a & 0xffff000000000000UL) == KS_MMIO_COOKIE;
	return a - KS_MMIO_COOKIE;
}

#define KS_MMIO_RW(rd, wr, type, bytes)                                        \
	type rd(const volatile void __iomem *addr)                             \
	{                                                                      \
		bool mmio;                                                     \
		u64 pa = ks_mmio_pa(addr, &mmio);                              \
		if (!mmio)                                                     \
			return *(const volatile type __force *)addr;           \
		return (type)vh_mmio_read(pa, bytes);                          \
	}                                                                      \
	void wr(type val, volatile void __iomem *addr)                         \
	{                                                                      \
		bool mmio;                                                     \
		u64 pa = ks_mmio_pa(addr, &mmio);                              \
		if (!mmio)                                                     \
			*(volatile type __force *)addr = val;                  \
		else                                                           \
			vh_mmio_write(pa, bytes, val);                         \
	}

KS_MMIO_RW(readb, writeb, unsigned char, 1)
KS_MMIO_RW(readw, writew, unsigned short, 2)
KS_MMIO_RW(readl, writel, unsigned int, 4)
KS_MMIO_RW(readq, writeq, u64, 8)
KS_MMIO_RW(__readb, __writeb, unsigned char, 1)
KS_MMIO_RW(__readw, __writew, unsigned short, 2)
KS_MMIO_RW(__readl, __writel, unsigned int, 4)
KS_MMIO_RW(__readq, __writeq, u64, 8)

void clflush_cache_range(void *addr, unsigned int size)
{
}

struct resource *__request_region(struct resource *parent,
				  resource_size_t start, resource_size_t n,
				  const char *name, int flags)
{
	static struct resource r;

	return &r;
}

void __release_region(struct resource *parent, resource_size_t start,
		      resource_size_t n)
{
}

/* ---- per-CPU memory: one CPU, so one copy ---------------------------------
 */

void __percpu *pcpu_alloc_noprof(size_t size, size_t align, bool reserved,
				 gfp_t gfp)
{
	return (void __percpu __force *)ks_alloc(size, align ?: 1,
						 gfp | __GFP_ZERO);
}

void free_percpu(void __percpu *p)
{
	kfree((void __force *)p);
}

/* the blocks of the arena's allocator never merge: a split block's pages are
 * order-0 pages of their own */
void split_page(struct page *page, unsigned int order)
{
	unsigned long i;

	for (i = 1; i < (1UL << order); i++)
		set_page_count(page + i, 1);
}

/* ---- vmap: arena pages mapped a second time, contiguously -----------------
 */

struct ks_vm {
	struct vm_struct vm;
	u64 pa[]; /* each page's physical address */
};

static struct vm_struct *ks_vm_areas;

void *vmap(struct page **pages, unsigned int count, unsigned long flags,
	   pgprot_t prot)
{
	struct ks_vm *a = kzalloc(struct_size(a, pa, count), GFP_KERNEL);
	unsigned int i;

	if (!a)
		return NULL;
	for (i = 0; i < count; i++)
		a->pa[i] = page_to_phys(pages[i]);
	a->vm.addr = vh_alias(a->pa, count);
	if (!a->vm.addr) {
		kfree(a);
		return NULL;
	}
	a->vm.size = (unsigned long)count << PAGE_SHIFT;
	a->vm.nr_pages = count;
	a->vm.flags = flags;
	a->vm.next = ks_vm_areas;
	ks_vm_areas = &a->vm;
	return a->vm.addr;
}

struct vm_struct *find_vm_area(const void *addr)
{
	struct vm_struct *a;

	for (a = ks_vm_areas; a; a = a->next)
		if (addr >= a->addr && addr < a->addr + a->size)
			return a;
	return NULL;
}

void vunmap(const void *addr)
{
	struct vm_struct **p, *a;

	for (p = &ks_vm_areas; (a = *p); p = &a->next) {
		if (a->addr != addr)
			continue;
		*p = a->next;
		vh_unalias(a->addr, a->nr_pages);
		kfree(container_of(a, struct ks_vm, vm));
		return;
	}
	WARN(1, "vunmap of %p: not a vmap area\n", addr);
}

/* vmalloc() hands out arena memory (above): only vmap areas are here */
bool is_vmalloc_addr(const void *x)
{
	return find_vm_area(x) != NULL;
}

int is_vmalloc_or_module_addr(const void *x)
{
	return is_vmalloc_addr(x);
}

unsigned long vmalloc_to_pfn(const void *addr)
{
	struct vm_struct *a = find_vm_area(addr);

	if (WARN_ON(!a))
		return 0;
	return container_of(a, struct ks_vm, vm)
		       ->pa[(addr - a->addr) >> PAGE_SHIFT] >>
	       PAGE_SHIFT;
}

struct page *vmalloc_to_page(const void *addr)
{
	return pfn_to_page(vmalloc_to_pfn(addr));
}

/* ---- what the DMA code asks of the memory map ------------------------------
 */

unsigned long max_pfn;
pteval_t __default_kernel_pte_mask __read_mostly = ~0;

/* all of the arena is RAM */
int walk_system_ram_range(unsigned long start_pfn, unsigned long nr_pages,
			  void *arg,
			  int (*func)(unsigned long, unsigned long, void *))
{
	unsigned long end = min(start_pfn + nr_pages, max_pfn);

	if (start_pfn >= end)
		return -EINVAL;
	return func(start_pfn, end - start_pfn, arg);
}

/* mmap() of DMA buffers into a process is not offered */
int remap_pfn_range(struct vm_area_struct *vma, unsigned long addr,
		    unsigned long pfn, unsigned long size, pgprot_t prot)
{
	return -ENXIO;
}

int vm_map_pages(struct vm_area_struct *vma, struct page **pages,
		 unsigned long num)
{
	return -ENXIO;
}
