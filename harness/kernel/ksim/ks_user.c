// SPDX-License-Identifier: MIT
/*
 * vtdsim driver harness, kernel side: user space, as far as iommufd needs it.
 * A simulated VMM is a process (an mm from ks_mm.c) that opens /dev/iommu,
 * issues ioctls with uapi structures in its memory, reads and writes the
 * fault queue's file, and whose pages iommufd pins. While it runs a system
 * call, current->mm is its mm, as in the kernel.
 *
 * Files are reference counted as the VFS counts them (the last fput()
 * releases); the file table is the one process's descriptors. Pinning walks
 * the process's page tables, faulting pages in as get_user_pages() does, and
 * counts every pin so a scenario can check that each was released.
 */
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/anon_inodes.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/sched/task.h>
#include <linux/cred.h>
#include <linux/kthread.h>
#include <linux/wait.h>
#include <linux/moduleparam.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include <linux/slab.h>
#include "ksim.h"

#define KS_MAX_FDS  64
#define KS_MAX_MISC 4

static struct file *ks_fds[KS_MAX_FDS];
static DECLARE_BITMAP(ks_fd_used, KS_MAX_FDS);
static struct miscdevice *ks_misc[KS_MAX_MISC];
static struct inode ks_anon_inode;
static unsigned long ks_files_open;

/* pins per page frame, and in all */
static DEFINE_XARRAY(ks_pins);
static unsigned long ks_pinned;

/* ---- the task ------------------------------------------------------------ */

static struct user_struct ks_user_struct;
static struct cred ks_cred;
static struct signal_struct ks_signal;

/* What the one task needs to look like a process's thread group leader with
 * root's credentials and no memory-lock limit. */
void ks_task_init(struct task_struct *t)
{
	unsigned int i;

	refcount_set(&t->usage, 1);
	t->group_leader = t;
	refcount_set(&ks_user_struct.__count, 1);
	ks_cred.user = &ks_user_struct;
	atomic_long_set(&ks_cred.usage, 1);
	rcu_assign_pointer(t->cred, &ks_cred);
	rcu_assign_pointer(t->real_cred, &ks_cred);
	for (i = 0; i < RLIM_NLIMITS; i++)
		ks_signal.rlim[i].rlim_cur = ks_signal.rlim[i].rlim_max =
			RLIM_INFINITY;
	t->signal = &ks_signal;
}

void __put_task_struct(struct task_struct *t)
{
	vk_fail(__FILE__, __LINE__, "task %s freed: unbalanced reference",
		t->comm);
}

void free_uid(struct user_struct *up)
{
	if (up && refcount_dec_and_test(&up->__count))
		vk_fail(__FILE__, __LINE__, "user_struct freed: unbalanced");
}

void kthread_use_mm(struct mm_struct *mm)
{
	current->mm = current->active_mm = mm;
}

void kthread_unuse_mm(struct mm_struct *mm)
{
	current->mm = NULL;
}

int __account_locked_vm(struct mm_struct *mm, unsigned long pages, bool inc,
			struct task_struct *task, bool bypass_rlim)
{
	if (inc)
		mm->locked_vm += pages;
	else if (!WARN_ON_ONCE(pages > mm->locked_vm))
		mm->locked_vm -= pages;
	return 0;
}

const struct kernel_param_ops param_ops_bool;

/* ---- files ----------------------------------------------------------------
 */

int misc_register(struct miscdevice *misc)
{
	unsigned int i;

	for (i = 0; i < KS_MAX_MISC; i++)
		if (!ks_misc[i]) {
			ks_misc[i] = misc;
			return 0;
		}
	return -EBUSY;
}

void misc_deregister(struct miscdevice *misc)
{
	unsigned int i;

	for (i = 0; i < KS_MAX_MISC; i++)
		if (ks_misc[i] == misc)
			ks_misc[i] = NULL;
}

static struct file *ks_file_alloc(const struct file_operations *fops,
				  void *priv, unsigned int flags)
{
	struct file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return ERR_PTR(-ENOMEM);
	atomic_long_set(&f->f_count, 1);
	f->f_op = fops;
	f->private_data = priv;
	f->f_flags = flags;
	f->f_mode = FMODE_READ | FMODE_WRITE;
	f->f_inode = &ks_anon_inode;
	ks_files_open++;
	return f;
}

struct file *anon_inode_getfile(const char *name,
				const struct file_operations *fops, void *priv,
				int flags)
{
	return ks_file_alloc(fops, priv, flags & (O_ACCMODE | O_NONBLOCK));
}

int nonseekable_open(struct inode *inode, struct file *filp)
{
	filp->f_mode &= ~(FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE);
	return 0;
}

static void ks_file_free(struct file *f)
{
	ks_files_open--;
	kfree(f);
}

static void ks_file_release(struct file *f)
{
	if (f->f_op->release)
		f->f_op->release(f->f_inode, f);
	ks_file_free(f);
}

void fput(struct file *f)
{
	if (atomic_long_dec_and_test(&f->f_count))
		ks_file_release(f);
}

void __fput_sync(struct file *f)
{
	fput(f);
}

struct file *fget(unsigned int fd)
{
	struct file *f = fd < KS_MAX_FDS ? ks_fds[fd] : NULL;

	if (f)
		atomic_long_inc(&f->f_count);
	return f;
}

int get_unused_fd_flags(unsigned int flags)
{
	unsigned int fd = find_first_zero_bit(ks_fd_used, KS_MAX_FDS);

	if (fd == KS_MAX_FDS)
		return -EMFILE;
	__set_bit(fd, ks_fd_used);
	return fd;
}

void put_unused_fd(unsigned int fd)
{
	WARN_ON(ks_fds[fd]);
	__clear_bit(fd, ks_fd_used);
}

void fd_install(unsigned int fd, struct file *file)
{
	WARN_ON(!test_bit(fd, ks_fd_used) || ks_fds[fd]);
	ks_fds[fd] = file;
}

/* ---- the VMM's system calls ---------------------------------------------- */

/* open(2) of /dev/<name>: misc_open() hands the device to the driver's
 * open through private_data. */
int ks_user_open(const char *name)
{
	struct miscdevice *misc = NULL;
	struct file *f;
	unsigned int i;
	int fd, r;

	for (i = 0; i < KS_MAX_MISC; i++)
		if (ks_misc[i] && !strcmp(ks_misc[i]->name, name))
			misc = ks_misc[i];
	if (!misc)
		return -ENOENT;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	f = ks_file_alloc(misc->fops, misc, O_RDWR);
	if (IS_ERR(f)) {
		put_unused_fd(fd);
		return PTR_ERR(f);
	}
	r = misc->fops->open ? misc->fops->open(f->f_inode, f) : 0;
	if (r) {
		ks_file_free(f);
		put_unused_fd(fd);
		return r;
	}
	fd_install(fd, f);
	return fd;
}

int ks_user_close(int fd)
{
	struct file *f = fd >= 0 && fd < KS_MAX_FDS ? ks_fds[fd] : NULL;

	if (!f)
		return -EBADF;
	ks_fds[fd] = NULL;
	put_unused_fd(fd);
	fput(f);
	ks_run_pending();
	return 0;
}

struct file *ks_user_file(int fd)
{
	return fd >= 0 && fd < KS_MAX_FDS ? ks_fds[fd] : NULL;
}

/* A system call of the process mm on fd: the file is held across it as
 * fdget() holds it. */
#define KS_SYSCALL(mm, fd, call)                                               \
	({                                                                     \
		struct file *f = fget(fd);                                     \
		long r_ = -EBADF;                                              \
		if (f) {                                                       \
			current->mm = mm;                                      \
			r_ = (call);                                           \
			current->mm = NULL;                                    \
			fput(f);                                               \
		}                                                              \
		ks_run_pending();                                              \
		r_;                                                            \
	})

long ks_user_ioctl(struct mm_struct *mm, int fd, unsigned int cmd, void *arg)
{
	return KS_SYSCALL(
		mm, fd,
		f->f_op->unlocked_ioctl
			? f->f_op->unlocked_ioctl(f, cmd, (unsigned long)arg)
			: -ENOTTY);
}

long ks_user_read(struct mm_struct *mm, int fd, void *buf, size_t len)
{
	loff_t pos = 0;

	return KS_SYSCALL(mm, fd,
			  f->f_op->read ? f->f_op->read(f, buf, len, &pos)
					: -EINVAL);
}

long ks_user_write(struct mm_struct *mm, int fd, const void *buf, size_t len)
{
	loff_t pos = 0;

	return KS_SYSCALL(mm, fd,
			  f->f_op->write ? f->f_op->write(f, buf, len, &pos)
					 : -EINVAL);
}

unsigned long ks_user_files_open(void)
{
	return ks_files_open;
}

/* ---- pinning user pages ---------------------------------------------------
 */

static void ks_pin(struct page *page, long n)
{
	unsigned long pfn = page_to_pfn(page);
	long pins = xa_to_value(xa_load(&ks_pins, pfn)) + n;

	if (pins < 0) {
		vk_fail(__FILE__, __LINE__, "unpin of pfn %#lx, not pinned",
			pfn);
		return;
	}
	if (pins)
		xa_store(&ks_pins, pfn, xa_mk_value(pins), GFP_KERNEL);
	else
		xa_erase(&ks_pins, pfn);
	ks_pinned += n;
}

unsigned long ks_user_pinned(void)
{
	return ks_pinned;
}

/* get_user_pages() of one page: the VMA must allow the access; a page not
 * yet present is faulted in. */
static struct page *ks_gup_one(struct mm_struct *mm, unsigned long va,
			       unsigned int gup_flags)
{
	struct vm_area_struct *vma = vma_lookup(mm, va);
	phys_addr_t pa;

	if (!vma || ((gup_flags & FOLL_WRITE) && !(vma->vm_flags & VM_WRITE)))
		return NULL;
	pa = ks_proc_lookup(mm, va);
	if (!pa) {
		if (handle_mm_fault(vma, va,
				    gup_flags & FOLL_WRITE ? FAULT_FLAG_WRITE
							   : 0,
				    NULL))
			return NULL;
		pa = ks_proc_lookup(mm, va);
	}
	return pa ? pfn_to_page(PHYS_PFN(pa)) : NULL;
}

long pin_user_pages_remote(struct mm_struct *mm, unsigned long start,
			   unsigned long nr_pages, unsigned int gup_flags,
			   struct page **pages, int *locked)
{
	unsigned long i;

	if (!mm)
		return -EFAULT;
	for (i = 0; i < nr_pages; i++) {
		struct page *p =
			ks_gup_one(mm, start + i * PAGE_SIZE, gup_flags);

		if (!p)
			break;
		ks_pin(p, 1);
		pages[i] = p;
	}
	return i ? (long)i : -EFAULT;
}

int pin_user_pages_fast(unsigned long start, int nr_pages,
			unsigned int gup_flags, struct page **pages)
{
	return pin_user_pages_remote(current->mm, start, nr_pages, gup_flags,
				     pages, NULL);
}

void unpin_user_page(struct page *page)
{
	ks_pin(page, -1);
}

void unpin_user_pages(struct page **pages, unsigned long npages)
{
	unsigned long i;

	for (i = 0; i < npages; i++)
		ks_pin(pages[i], -1);
}

void unpin_user_page_range_dirty_lock(struct page *page, unsigned long npages,
				      bool make_dirty)
{
	unsigned long i;

	for (i = 0; i < npages; i++)
		ks_pin(page + i, -1);
}

int set_page_dirty_lock(struct page *page)
{
	return 1;
}

/* ---- user memory ------------------------------------------------------------
 * The uapi structures a simulated VMM passes live in host memory that the
 * harness owns, so user accesses are plain accesses. get_user/put_user call
 * out of line with the register conventions of arch/x86/lib/getuser.S and
 * putuser.S; clear_user's fallback is rep_stos_alternative (rcx bytes at
 * rdi). */
asm(".text\n"
    ".globl __get_user_4\n"
    "__get_user_4:\n\tmovl (%rax), %edx\n\txorl %eax, %eax\n\tret\n"
    ".globl __put_user_4\n"
    "__put_user_4:\n\tmovl %eax, (%rcx)\n\txorl %ecx, %ecx\n\tret\n"
    ".globl rep_stos_alternative\n"
    "rep_stos_alternative:\n\trep stosb\n\tret\n");

int check_zeroed_user(const void __user *from, size_t size)
{
	const u8 *p = (const u8 __force *)from;
	size_t i;

	for (i = 0; i < size; i++)
		if (p[i])
			return 0;
	return 1;
}

/* ---- waiting ---------------------------------------------------------------
 * One CPU: nothing sleeps on a wait queue while another thread runs. A
 * waiter re-checks its condition after each scheduling point, which runs
 * the pending work that could make it true. */
void __init_waitqueue_head(struct wait_queue_head *wq, const char *name,
			   struct lock_class_key *key)
{
	spin_lock_init(&wq->lock);
	INIT_LIST_HEAD(&wq->head);
}

int __wake_up(struct wait_queue_head *wq, unsigned int mode, int nr, void *key)
{
	return 0;
}

void init_wait_entry(struct wait_queue_entry *wq_entry, int flags)
{
	wq_entry->flags = flags;
	wq_entry->private = current;
	wq_entry->func = NULL;
	INIT_LIST_HEAD(&wq_entry->entry);
}

long prepare_to_wait_event(struct wait_queue_head *wq,
			   struct wait_queue_entry *wq_entry, int state)
{
	return 0;
}

void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *wq_entry)
{
}

/* A sleep of up to timeout jiffies: run what is pending, let one jiffy of
 * model time pass. */
signed long schedule_timeout(signed long timeout)
{
	ks_run_pending();
	ks_sleep_ns(NSEC_PER_SEC / HZ);
	return timeout > 1 ? timeout - 1 : 0;
}

/* poll(2) of fd without waiting: the events the file reports now. */
unsigned int ks_user_poll(int fd)
{
	struct file *f = fget(fd);
	unsigned int ev = 0;

	if (!f)
		return 0;
	if (f->f_op->poll)
		ev = f->f_op->poll(f, NULL);
	fput(f);
	return ev;
}
