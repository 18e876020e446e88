// SPDX-License-Identifier: MIT
/*
 * vtdsim driver harness, kernel side: simulated processes for SVA. A process
 * is an mm_struct whose x86-64 4-level page tables live in the arena (the
 * first-level tables the IOMMU walks), a few VMAs, and the MMU notifiers the
 * driver registers. handle_mm_fault() maps a fresh page, as the kernel's
 * fault handler does for an anonymous VMA.
 */
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/sched/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/maple_tree.h>
#include <linux/slab.h>
#include "ksim.h"

#define KS_MAX_VMAS	 8
#define KS_MAX_NOTIFIERS 8

struct ks_proc {
	struct mm_struct mm;
	struct vm_area_struct vma[KS_MAX_VMAS];
	unsigned int nvma;
	struct mmu_notifier *notifier[KS_MAX_NOTIFIERS];
	unsigned long faults_handled;
};

#define KS_PTE_P    0x001ULL
#define KS_PTE_RW   0x002ULL
#define KS_PTE_US   0x004ULL
#define KS_PTE_A    0x020ULL
#define KS_PTE_D    0x040ULL
#define KS_PTE_ADDR 0x000ffffffffff000ULL

struct mm_struct *ks_proc_create(void)
{
	struct ks_proc *p = kzalloc(sizeof(*p), GFP_KERNEL);

	if (!p)
		return NULL;
	p->mm.pgd = (pgd_t *)get_zeroed_page(GFP_KERNEL);
	if (!p->mm.pgd)
		return NULL;
	atomic_set(&p->mm.mm_users, 1);
	atomic_set(&p->mm.mm_count, 1);
	init_rwsem(&p->mm.mmap_lock);
	return &p->mm;
}

static struct ks_proc *ks_proc(struct mm_struct *mm)
{
	return container_of(mm, struct ks_proc, mm);
}

int ks_proc_add_vma(struct mm_struct *mm, unsigned long start,
		    unsigned long end, unsigned long flags)
{
	struct ks_proc *p = ks_proc(mm);
	struct vm_area_struct *v;

	if (p->nvma == KS_MAX_VMAS)
		return -ENOMEM;
	v = &p->vma[p->nvma++];
	v->vm_start = start;
	v->vm_end = end;
	v->vm_mm = mm;
	ACCESS_PRIVATE(v, __vm_flags) = flags;
	return 0;
}

/* The leaf PTE of va, building the tables on the way when alloc. */
static u64 *ks_pte(struct mm_struct *mm, unsigned long va, bool alloc)
{
	u64 *table = (u64 *)mm->pgd;
	int shift;

	for (shift = 39; shift > 12; shift -= 9) {
		u64 *e = &table[(va >> shift) & 511];

		if (!(*e & KS_PTE_P)) {
			void *next;

			if (!alloc)
				return NULL;
			next = (void *)get_zeroed_page(GFP_KERNEL);
			if (!next)
				return NULL;
			*e = __pa(next) | KS_PTE_P | KS_PTE_RW | KS_PTE_US |
			     KS_PTE_A;
		}
		table = __va(*e & KS_PTE_ADDR);
	}
	return &table[(va >> 12) & 511];
}

int ks_proc_map(struct mm_struct *mm, unsigned long va, phys_addr_t pa,
		bool write)
{
	u64 *pte = ks_pte(mm, va, true);

	if (!pte)
		return -ENOMEM;
	*pte = (pa & KS_PTE_ADDR) | KS_PTE_P | KS_PTE_US | KS_PTE_A |
	       (write ? KS_PTE_RW | KS_PTE_D : 0);
	return 0;
}

phys_addr_t ks_proc_lookup(struct mm_struct *mm, unsigned long va)
{
	u64 *pte = ks_pte(mm, va, false);

	return pte && (*pte & KS_PTE_P) ? (*pte & KS_PTE_ADDR) : 0;
}

/* munmap of one page: clear the PTE, then tell the secondary MMUs, as the
 * kernel's TLB flush path does through mmu_notifier_arch_invalidate_
 * secondary_tlbs(). */
/* The secondary TLBs' invalidation of [start, end) (an x86 TLB flush). */
static void ks_notify_invalidate(struct mm_struct *mm, unsigned long start,
				 unsigned long end)
{
	struct ks_proc *p = ks_proc(mm);
	unsigned int i;

	for (i = 0; i < KS_MAX_NOTIFIERS; i++) {
		struct mmu_notifier *n = p->notifier[i];

		if (n && n->ops->arch_invalidate_secondary_tlbs)
			n->ops->arch_invalidate_secondary_tlbs(n, mm, start,
							       end);
	}
}

void ks_proc_unmap(struct mm_struct *mm, unsigned long va)
{
	u64 *pte = ks_pte(mm, va, false);

	if (pte)
		*pte = 0;
	ks_notify_invalidate(mm, va & PAGE_MASK, (va & PAGE_MASK) + PAGE_SIZE);
}

/* A flush of the whole address space (what x86's flush_tlb_mm() passes the
 * secondary TLBs: 0 to ULONG_MAX). */
void ks_proc_flush_all(struct mm_struct *mm)
{
	ks_notify_invalidate(mm, 0, ULONG_MAX);
}

/* The process exits with its address space still bound (exit_mmap's
 * mmu_notifier_release): each notifier's release runs. */
void ks_proc_exit(struct mm_struct *mm)
{
	struct ks_proc *p = ks_proc(mm);
	unsigned int i;

	for (i = 0; i < KS_MAX_NOTIFIERS; i++) {
		struct mmu_notifier *n = p->notifier[i];

		if (n && n->ops->release)
			n->ops->release(n, mm);
	}
}

unsigned long ks_proc_faults(struct mm_struct *mm)
{
	return ks_proc(mm)->faults_handled;
}

int mmu_notifier_register(struct mmu_notifier *subscription,
			  struct mm_struct *mm)
{
	struct ks_proc *p = ks_proc(mm);
	unsigned int i;

	for (i = 0; i < KS_MAX_NOTIFIERS; i++)
		if (!p->notifier[i]) {
			p->notifier[i] = subscription;
			subscription->mm = mm;
			subscription->users = 1;
			mmgrab(mm);
			return 0;
		}
	return -ENOMEM;
}

void mmu_notifier_put(struct mmu_notifier *subscription)
{
	struct ks_proc *p = ks_proc(subscription->mm);
	unsigned int i;

	for (i = 0; i < KS_MAX_NOTIFIERS; i++)
		if (p->notifier[i] == subscription)
			p->notifier[i] = NULL;
	if (subscription->ops->free_notifier)
		subscription->ops->free_notifier(subscription);
}

void __mmdrop(struct mm_struct *mm)
{
}

void mmput(struct mm_struct *mm)
{
	atomic_dec(&mm->mm_users);
}

void *mtree_load(struct maple_tree *mt, unsigned long index)
{
	struct ks_proc *p = container_of(mt, struct ks_proc, mm.mm_mt);
	unsigned int i;

	for (i = 0; i < p->nvma; i++)
		if (index >= p->vma[i].vm_start && index < p->vma[i].vm_end)
			return &p->vma[i];
	return NULL;
}

vm_fault_t handle_mm_fault(struct vm_area_struct *vma, unsigned long address,
			   unsigned int flags, struct pt_regs *regs)
{
	unsigned long page = get_zeroed_page(GFP_KERNEL);

	if (!page)
		return VM_FAULT_OOM;
	if (ks_proc_map(vma->vm_mm, address & PAGE_MASK, __pa(page),
			vma->vm_flags & VM_WRITE))
		return VM_FAULT_OOM;
	ks_proc(vma->vm_mm)->faults_handled++;
	return 0;
}

unsigned long __msecs_to_jiffies(const unsigned int m)
{
	return (m * HZ + 999) / 1000;
}
