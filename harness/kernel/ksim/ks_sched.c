// SPDX-License-Identifier: MIT
/*
 * vtdsim driver harness, kernel side: cooperative tasks. One host thread runs
 * all kernel code. Interrupts the model raised, IRQ threads, work items and
 * RCU callbacks are deferred and run to completion at scheduling points:
 * sleeping waits (completions, flush_workqueue, synchronize_rcu, msleep) and
 * the scenarios' own calls. A sleeping wait that nothing pending can end is a
 * deadlock and fails the scenario instead of hanging.
 */
#include <linux/sched.h>
#include <linux/completion.h>
#include <linux/workqueue.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/delay.h>
#include <linux/dmar.h>
#include <linux/msi.h>
#include <linux/cpuhotplug.h>
#include "ksim.h"

unsigned long vk_eflags = X86_EFLAGS_IF;
volatile unsigned long jiffies = INITIAL_JIFFIES;
unsigned int tsc_khz = 1000000;
struct pcpu_hot pcpu_hot;
/* the read-only view of pcpu_hot that vmlinux.lds provides */
asm(".globl const_pcpu_hot\n.set const_pcpu_hot, pcpu_hot\n");

/* ---- work items ---------------------------------------------------------- */

struct workqueue_struct {
	char name[32];
	unsigned int flags;
};

static LIST_HEAD(ks_work);

struct workqueue_struct *alloc_workqueue(const char *fmt, unsigned int flags,
					 int max_active, ...)
{
	struct workqueue_struct *wq = kzalloc(sizeof(*wq), GFP_KERNEL);
	va_list ap;

	if (!wq)
		return NULL;
	va_start(ap, max_active);
	vsnprintf(wq->name, sizeof(wq->name), fmt, ap);
	va_end(ap);
	wq->flags = flags;
	return wq;
}

void destroy_workqueue(struct workqueue_struct *wq)
{
	ks_run_pending();
	kfree(wq);
}

static struct workqueue_struct ks_system_wq = {.name = "events"};
struct workqueue_struct *system_wq = &ks_system_wq;
struct workqueue_struct *system_percpu_wq = &ks_system_wq;

/* queue a work item whose PENDING bit its caller set */
static void ks_queue_work(struct work_struct *work)
{
	list_add_tail(&work->entry, &ks_work);
}

bool queue_work_on(int cpu, struct workqueue_struct *wq,
		   struct work_struct *work)
{
	if (test_and_set_bit(WORK_STRUCT_PENDING_BIT, work_data_bits(work)))
		return false;
	ks_queue_work(work);
	return true;
}

void __flush_workqueue(struct workqueue_struct *wq)
{
	ks_run_pending();
}

bool flush_work(struct work_struct *work)
{
	ks_run_pending();
	return true;
}

static bool ks_run_one_work(void)
{
	struct work_struct *w;

	if (list_empty(&ks_work))
		return false;
	w = list_first_entry(&ks_work, struct work_struct, entry);
	list_del_init(&w->entry);
	clear_bit(WORK_STRUCT_PENDING_BIT, work_data_bits(w));
	w->func(w);
	return true;
}

/* ---- model time, timers, delayed work --------------------------------------
 * jiffies follow the model's clock (HZ ticks of its nanoseconds); a timer
 * runs at the first scheduling point at or after its expiry.
 */

static HLIST_HEAD(ks_timers);

void ks_clock_sync(void)
{
	unsigned long now = INITIAL_JIFFIES + vh_now_ns() / (NSEC_PER_SEC / HZ);

	if (time_after(now, jiffies))
		jiffies = now;
}

void ks_sleep_ns(u64 ns)
{
	vh_delay_ns(ns);
	ks_clock_sync();
}

void init_timer_key(struct timer_list *timer, void (*func)(struct timer_list *),
		    unsigned int flags, const char *name,
		    struct lock_class_key *key)
{
	timer->entry.pprev = NULL;
	timer->function = func;
	timer->flags = flags;
}

static int ks_timer_detach(struct timer_list *timer)
{
	if (!timer_pending(timer))
		return 0;
	__hlist_del(&timer->entry);
	timer->entry.pprev = NULL;
	return 1;
}

int mod_timer(struct timer_list *timer, unsigned long expires)
{
	int was = ks_timer_detach(timer);

	timer->expires = expires;
	hlist_add_head(&timer->entry, &ks_timers);
	return was;
}

int timer_delete(struct timer_list *timer)
{
	return ks_timer_detach(timer);
}

/* one CPU: a timer's function never runs while another caller waits */
int timer_delete_sync(struct timer_list *timer)
{
	return ks_timer_detach(timer);
}

static bool ks_run_one_timer(void)
{
	struct timer_list *t;

	ks_clock_sync();
	hlist_for_each_entry(t, &ks_timers, entry)
	{
		if (time_before(jiffies, t->expires))
			continue;
		ks_timer_detach(t);
		t->function(t);
		return true;
	}
	return false;
}

void delayed_work_timer_fn(struct timer_list *t)
{
	struct delayed_work *dwork = from_timer(dwork, t, timer);

	ks_queue_work(&dwork->work);
}

bool queue_delayed_work_on(int cpu, struct workqueue_struct *wq,
			   struct delayed_work *dwork, unsigned long delay)
{
	if (test_and_set_bit(WORK_STRUCT_PENDING_BIT,
			     work_data_bits(&dwork->work)))
		return false;
	dwork->wq = wq;
	dwork->cpu = cpu;
	if (!delay)
		ks_queue_work(&dwork->work);
	else
		mod_timer(&dwork->timer, jiffies + delay);
	return true;
}

bool cancel_delayed_work_sync(struct delayed_work *dwork)
{
	struct work_struct *w = &dwork->work;
	bool queued = !list_empty(&w->entry);

	if (!test_bit(WORK_STRUCT_PENDING_BIT, work_data_bits(w)))
		return false;
	ks_timer_detach(&dwork->timer);
	if (queued)
		list_del_init(&w->entry);
	clear_bit(WORK_STRUCT_PENDING_BIT, work_data_bits(w));
	return true;
}

/* ---- RCU ---------------------------------------------------------------- */

struct ks_rcu {
	struct rcu_head *head;
	struct rcu_head **tail;
};

static struct ks_rcu ks_rcu_cb = {.tail = &ks_rcu_cb.head};

void call_rcu(struct rcu_head *head, rcu_callback_t func)
{
	head->func = func;
	head->next = NULL;
	*ks_rcu_cb.tail = head;
	ks_rcu_cb.tail = &head->next;
}

static bool ks_run_rcu(void)
{
	struct rcu_head *h = ks_rcu_cb.head;
	unsigned long off;

	if (!h)
		return false;
	ks_rcu_cb.head = h->next;
	if (!ks_rcu_cb.head)
		ks_rcu_cb.tail = &ks_rcu_cb.head;
	/* tiny RCU's kvfree_rcu: func is the head's offset in the object */
	off = (unsigned long)h->func;
	if (__is_kvfree_rcu_offset(off))
		kvfree((void *)h - off);
	else
		h->func(h);
	return true;
}

void synchronize_rcu(void)
{
	/* a grace period: callbacks queued so far run */
	while (ks_run_rcu())
		;
}

void rcu_barrier(void)
{
	synchronize_rcu();
}

/* ---- interrupts -----------------------------------------------------------
 */

#define KS_IRQ_BASE 32
#define KS_NR_IRQS  64

struct ks_irq {
	bool used;
	irq_handler_t handler;
	irq_handler_t thread_fn;
	void *dev_id;
	struct irq_data data;
	struct irq_common_data common;
	unsigned long count;
};

static struct ks_irq ks_irqs[KS_NR_IRQS];

static struct ks_irq *ks_irq(unsigned int irq)
{
	if (irq < KS_IRQ_BASE || irq >= KS_IRQ_BASE + KS_NR_IRQS)
		return NULL;
	return ks_irqs[irq - KS_IRQ_BASE].used ? &ks_irqs[irq - KS_IRQ_BASE]
					       : NULL;
}

struct irq_data *irq_get_irq_data(unsigned int irq)
{
	struct ks_irq *d = ks_irq(irq);

	return d ? &d->data : NULL;
}

/* The MSI domain's work: a vector for the unit's fault or page request
 * event, its handler data the unit. */
int dmar_alloc_hwirq(int id, int node, void *arg)
{
	int i;

	for (i = 0; i < KS_NR_IRQS; i++) {
		struct ks_irq *d = &ks_irqs[i];

		if (d->used)
			continue;
		memset(d, 0, sizeof(*d));
		d->used = true;
		d->data.irq = KS_IRQ_BASE + i;
		d->data.hwirq = id;
		d->data.common = &d->common;
		d->common.handler_data = arg;
		return d->data.irq;
	}
	return -ENOSPC;
}

void dmar_free_hwirq(int irq)
{
	struct ks_irq *d = ks_irq(irq);

	if (d)
		d->used = false;
}

int request_threaded_irq(unsigned int irq, irq_handler_t handler,
			 irq_handler_t thread_fn, unsigned long flags,
			 const char *name, void *dev_id)
{
	struct ks_irq *d = ks_irq(irq);
	struct msi_msg msg = {.address_lo = 0xfee00000, .data = irq};

	if (!d)
		return -EINVAL;
	d->handler = handler;
	d->thread_fn = thread_fn;
	d->dev_id = dev_id;
	/* what the x86 MSI irqchip does at startup: program the unit's
	 * message registers, then unmask */
	dmar_msi_write(irq, &msg);
	dmar_msi_unmask(&d->data);
	return 0;
}

const void *free_irq(unsigned int irq, void *dev_id)
{
	struct ks_irq *d = ks_irq(irq);

	if (d && d->handler) {
		dmar_msi_mask(&d->data);
		d->handler = NULL;
		d->thread_fn = NULL;
	}
	return NULL;
}

static bool ks_deliver_irq(void)
{
	int irq = vh_next_irq();
	struct ks_irq *d;
	irqreturn_t r = IRQ_WAKE_THREAD;

	if (irq < 0)
		return false;
	d = ks_irq(irq);
	if (!d || (!d->handler && !d->thread_fn)) {
		vk_fail(__FILE__, __LINE__, "interrupt %d has no handler", irq);
		return true;
	}
	d->count++;
	if (d->handler)
		r = d->handler(irq, d->dev_id);
	if (r == IRQ_WAKE_THREAD && d->thread_fn)
		d->thread_fn(irq, d->dev_id);
	return true;
}

void ks_run_pending(void)
{
	static int depth;
	unsigned int rounds = 0;

	if (depth++ > 8) {
		vk_fail(__FILE__, __LINE__,
			"scheduling points nested too deep");
		depth--;
		return;
	}
	while (ks_deliver_irq() || ks_run_one_timer() || ks_run_one_work() ||
	       ks_run_rcu()) {
		if (++rounds > 100000) {
			vk_fail(__FILE__, __LINE__,
				"deferred work does not settle");
			break;
		}
	}
	depth--;
}

/* ---- sleeping waits -------------------------------------------------------
 */

void __init_swait_queue_head(struct swait_queue_head *q, const char *name,
			     struct lock_class_key *key)
{
	INIT_LIST_HEAD(&q->task_list);
}

void complete(struct completion *x)
{
	if (x->done != UINT_MAX)
		x->done++;
}

void complete_all(struct completion *x)
{
	x->done = UINT_MAX;
}

bool completion_done(struct completion *x)
{
	return x->done != 0;
}

void wait_for_completion(struct completion *x)
{
	unsigned int spins = 0;

	while (!x->done) {
		ks_run_pending();
		if (x->done)
			break;
		/* nothing deferred: let the hardware's time pass */
		vh_delay_ns(1000);
		if (++spins > 100000) {
			vk_fail(__FILE__, __LINE__,
				"wait_for_completion never completes");
			return;
		}
	}
	if (x->done != UINT_MAX)
		x->done--;
}

unsigned long wait_for_completion_timeout(struct completion *x,
					  unsigned long timeout)
{
	wait_for_completion(x);
	return 1;
}

void msleep(unsigned int ms)
{
	ks_sleep_ns((u64)ms * NSEC_PER_MSEC);
	ks_run_pending();
}

void __udelay(unsigned long us)
{
	vh_delay_ns((u64)us * 1000);
}

void __const_udelay(unsigned long xloops)
{
	vh_delay_ns(1000);
}

void __mutex_init(struct mutex *lock, const char *name,
		  struct lock_class_key *key)
{
	atomic_long_set(&lock->owner, 0);
}

void mutex_lock(struct mutex *lock)
{
	/* One thread, run-to-completion tasks: a held mutex can never be
	 * released by anyone else. */
	if (atomic_long_read(&lock->owner))
		vk_fail(__FILE__, __LINE__, "mutex %p taken twice: deadlock",
			lock);
	atomic_long_set(&lock->owner, 1);
}

int mutex_lock_interruptible(struct mutex *lock)
{
	mutex_lock(lock);
	return 0;
}

int mutex_trylock(struct mutex *lock)
{
	if (atomic_long_read(&lock->owner))
		return 0;
	atomic_long_set(&lock->owner, 1);
	return 1;
}

void mutex_unlock(struct mutex *lock)
{
	atomic_long_set(&lock->owner, 0);
}

bool mutex_is_locked(struct mutex *lock)
{
	return atomic_long_read(&lock->owner) != 0;
}

void down_read(struct rw_semaphore *sem)
{
	atomic_long_inc(&sem->count);
}

void up_read(struct rw_semaphore *sem)
{
	atomic_long_dec(&sem->count);
}

void down_write(struct rw_semaphore *sem)
{
	if (atomic_long_read(&sem->count))
		vk_fail(__FILE__, __LINE__, "rwsem %p held: deadlock", sem);
	atomic_long_set(&sem->count, -1);
}

void up_write(struct rw_semaphore *sem)
{
	atomic_long_set(&sem->count, 0);
}

void __local_bh_enable_ip(unsigned long ip, unsigned int cnt)
{
}

int __cpuhp_setup_state(enum cpuhp_state state, const char *name, bool invoke,
			int (*startup)(unsigned int cpu),
			int (*teardown)(unsigned int cpu), bool multi_instance)
{
	return 0;
}

void __init_rwsem(struct rw_semaphore *sem, const char *name,
		  struct lock_class_key *key)
{
	atomic_long_set(&sem->count, 0);
}

int __cpuhp_state_add_instance(enum cpuhp_state state, struct hlist_node *node,
			       bool invoke)
{
	return 0;
}

int __cpuhp_state_remove_instance(enum cpuhp_state state,
				  struct hlist_node *node, bool invoke)
{
	return 0;
}

void __cpuhp_remove_state(enum cpuhp_state state, bool invoke)
{
}
