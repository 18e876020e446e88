/* SPDX-License-Identifier: MIT */
/* vtdsim driver harness, kernel side: what the shim's files share. */
#ifndef VTDSIM_KSIM_H
#define VTDSIM_KSIM_H

#include <linux/types.h>
#include "../vksim.h"

struct pci_dev;
struct mm_struct;

int ks_mem_init(void);
bool ks_in_arena(const void *p);

int ks_pci_init(void);
struct pci_dev *ks_pci_find(u16 bdf);
/* The ACPI handle of the hot-pluggable DMAR unit (dmar_device_add()). */
void *ks_dmar_hotplug_handle(void);
/* A hot-plug event for bdf through the PCI bus's notifier chain. */
int ks_pci_hotplug(u16 bdf, bool add);

/* Run deferred work: interrupts the model raised, IRQ threads, work items,
 * RCU callbacks, until nothing is left. A scheduling point. */
void ks_run_pending(void);
/* A system sleep's syscore suspend (reverse registration order) and
 * resume (ks_misc.c). */
int ks_syscore_suspend(void);
void ks_syscore_resume(void);
/* Model time: jiffies follow the model clock; ks_sleep_ns lets ns pass. */
void ks_clock_sync(void);
void ks_sleep_ns(u64 ns);
int ks_initcalls(int first_level, int last_level);
int ks_iommu_bringup(void);
int ks_selftest(void);

/* simulated processes (ks_mm.c) */
struct mm_struct *ks_proc_create(void);
int ks_proc_add_vma(struct mm_struct *mm, unsigned long start,
		    unsigned long end, unsigned long flags);
int ks_proc_map(struct mm_struct *mm, unsigned long va, phys_addr_t pa,
		bool write);
phys_addr_t ks_proc_lookup(struct mm_struct *mm, unsigned long va);
void ks_proc_unmap(struct mm_struct *mm, unsigned long va);
unsigned long ks_proc_faults(struct mm_struct *mm);
/* a flush of the whole address space through the MMU notifiers */
void ks_proc_flush_all(struct mm_struct *mm);
/* the process exits: its MMU notifiers' release (exit_mmap) */
void ks_proc_exit(struct mm_struct *mm);

/* user space (ks_user.c): a simulated VMM process issuing system calls */
struct task_struct;
void ks_task_init(struct task_struct *t);
int ks_user_open(const char *name);
int ks_user_close(int fd);
struct file *ks_user_file(int fd);
long ks_user_ioctl(struct mm_struct *mm, int fd, unsigned int cmd, void *arg);
long ks_user_read(struct mm_struct *mm, int fd, void *buf, size_t len);
long ks_user_write(struct mm_struct *mm, int fd, const void *buf, size_t len);
unsigned long ks_user_files_open(void);
unsigned long ks_user_pinned(void);
unsigned int ks_user_poll(int fd);

/* The gate on kernel error messages (ks_misc.c): a message printed at
 * KERN_ERR or above fails the scenario unless it is expected (ks_expect_err:
 * exactly this message, which must appear) or allowed (ks_allow_err: any
 * message starting so). ks_err_gate_end fails required ones never printed. */
void ks_expect_err(const char *msg);
void ks_allow_err(const char *start);
void ks_err_gate_end(void);
/* an invalidation queue error the scenario provokes on purpose */
void ks_expect_inv_error(void);
/* messages printed that nothing expects (so far) */
unsigned int ks_err_unexpected(void);

void vk_fail(const char *file, int line, const char *fmt, ...) __printf(3, 4);

#endif
