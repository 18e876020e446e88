// SPDX-License-Identifier: MIT
/*
 * vtdsim driver harness: the "shim" scenario, a self-test of the shim's
 * kernel services as the driver relies on them: arena memory and its
 * address translations, slab alignment, vmalloc, deferred work and RCU,
 * and completions.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <linux/completion.h>
#include <linux/rcupdate.h>
#include <linux/mutex.h>
#include <linux/io.h>
#include <linux/delay.h>
#include <linux/timer.h>
#include "ksim.h"

#define SCHECK(cond, ...)                                                      \
	do {                                                                   \
		if (!(cond))                                                   \
			vk_fail(__FILE__, __LINE__, __VA_ARGS__);              \
	} while (0)

static void st_memory(void)
{
	struct page *pg = alloc_pages(GFP_KERNEL | __GFP_ZERO, 9);
	void *p = pg ? page_address(pg) : NULL;
	unsigned int sizes[] = {8, 24, 64, 100, 512, 2048, 5000, 70000};
	unsigned int i;
	void *v;

	SCHECK(pg && IS_ALIGNED(page_to_phys(pg), SZ_2M),
	       "order-9 block not naturally aligned");
	SCHECK(p && ks_in_arena(p) && virt_to_page(p) == pg &&
		       __va(__pa(p)) == p && page_to_phys(pg) == __pa(p),
	       "page/virtual/physical translations disagree");
	__free_pages(pg, 9);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u8 *k = kzalloc(sizes[i], GFP_KERNEL);

		SCHECK(k && ks_in_arena(k), "kzalloc(%u) not in the arena",
		       sizes[i]);
		if (!k)
			continue;
		SCHECK(IS_ALIGNED((unsigned long)k, 8) && !k[0] &&
			       !k[sizes[i] - 1] && ksize(k) >= sizes[i],
		       "kzalloc(%u): alignment, zeroing or size", sizes[i]);
		k = krealloc(k, sizes[i] * 2, GFP_KERNEL);
		SCHECK(k && ksize(k) >= sizes[i] * 2, "krealloc(%u)",
		       sizes[i] * 2);
		kfree(k);
	}
	{
		char b[8];

		SCHECK(strscpy(b, "vtdsim") == 6 && !strcmp(b, "vtdsim") &&
			       strscpy(b, "too long a name") == -E2BIG &&
			       !strcmp(b, "too lon"),
		       "strscpy");
	}
	v = vzalloc(3 * PAGE_SIZE);
	SCHECK(v && ks_in_arena(v) && !((u8 *)v)[3 * PAGE_SIZE - 1], "vzalloc");
	vfree(v);
}

struct st_work {
	struct work_struct w;
	int *log, *n, id;
	struct completion *done;
};

static void st_work_fn(struct work_struct *w)
{
	struct st_work *s = container_of(w, struct st_work, w);

	s->log[(*s->n)++] = s->id;
	if (s->done)
		complete(s->done);
}

struct st_rcu {
	struct rcu_head rcu;
	int *freed;
};

static void st_rcu_fn(struct rcu_head *h)
{
	struct st_rcu *r = container_of(h, struct st_rcu, rcu);

	(*r->freed)++;
	kfree(r);
}

static void st_tasks(void)
{
	struct workqueue_struct *wq = alloc_ordered_workqueue("st", 0);
	struct st_work w[3];
	struct completion done;
	struct st_rcu *r = kzalloc(sizeof(*r), GFP_KERNEL);
	int log[3], n = 0, freed = 0, i;

	init_completion(&done);
	for (i = 0; i < 3; i++) {
		w[i] = (struct st_work){.log = log,
					.n = &n,
					.id = i,
					.done = i == 2 ? &done : NULL};
		INIT_WORK(&w[i].w, st_work_fn);
		queue_work(wq, &w[i].w);
	}
	SCHECK(!queue_work(wq, &w[0].w), "a pending work item queued twice");
	SCHECK(n == 0, "work ran before a scheduling point");
	/* a sleeping wait runs what is pending, in order */
	wait_for_completion(&done);
	SCHECK(n == 3 && log[0] == 0 && log[1] == 1 && log[2] == 2,
	       "ordered work ran %d items out of order", n);
	r->freed = &freed;
	call_rcu(&r->rcu, st_rcu_fn);
	SCHECK(freed == 0, "an RCU callback ran before a grace period");
	synchronize_rcu();
	SCHECK(freed == 1, "synchronize_rcu did not end the grace period");
	destroy_workqueue(wq);
}

/* The gate on error messages: exact expectations match only the whole
 * message, allowances their start, and a message printed before its
 * allowance is forgiven by it. */
static void st_err_gate(void)
{
	ks_expect_err("vtdsim selftest: exact");
	pr_err("vtdsim selftest: exact and more\n");
	SCHECK(ks_err_unexpected() == 1,
	       "an exact expectation matched a longer message");
	pr_err("vtdsim selftest: exact\n");
	SCHECK(ks_err_unexpected() == 1, "the exact message was not expected");
	pr_err("vtdsim selftest: late %d\n", 7);
	SCHECK(ks_err_unexpected() == 2, "an unexpected message went unseen");
	ks_allow_err("vtdsim selftest: late ");
	ks_allow_err("vtdsim selftest: exact and");
	SCHECK(ks_err_unexpected() == 0,
	       "allowances did not forgive earlier messages");
	pr_warn("vtdsim selftest: a warning is not an error\n");
	SCHECK(ks_err_unexpected() == 0, "a warning went to the gate");
}

static bool st_fired;

static void st_timer_fn(struct timer_list *t)
{
	st_fired = true;
}

static void st_dwork_fn(struct work_struct *w)
{
	st_fired = true;
}

/* Timers and delayed work run on the model's clock: not before their
 * expiry, at the first scheduling point after it. */
static void st_time(void)
{
	struct timer_list t;
	struct delayed_work dw;
	unsigned long j0 = jiffies;

	timer_setup(&t, st_timer_fn, 0);
	mod_timer(&t, jiffies + msecs_to_jiffies(5));
	msleep(4);
	SCHECK(!st_fired && timer_pending(&t), "a timer fired early");
	msleep(1);
	SCHECK(st_fired && !timer_pending(&t), "a timer did not fire");
	SCHECK(jiffies - j0 == msecs_to_jiffies(5),
	       "5 ms of sleep moved jiffies by %lu", jiffies - j0);
	st_fired = false;
	mod_timer(&t, jiffies + 1);
	SCHECK(timer_delete_sync(&t) == 1, "a pending timer was not deleted");
	msleep(2);
	SCHECK(!st_fired, "a deleted timer fired");
	INIT_DELAYED_WORK(&dw, st_dwork_fn);
	SCHECK(schedule_delayed_work(&dw, msecs_to_jiffies(3)),
	       "delayed work not queued");
	SCHECK(!schedule_delayed_work(&dw, 1), "delayed work queued twice");
	msleep(2);
	SCHECK(!st_fired, "delayed work ran early");
	msleep(1);
	SCHECK(st_fired, "delayed work did not run");
	st_fired = false;
	schedule_delayed_work(&dw, 1);
	SCHECK(cancel_delayed_work_sync(&dw), "delayed work not cancelled");
	msleep(2);
	SCHECK(!st_fired, "cancelled delayed work ran");
}

/* vmap: a second, contiguous mapping of scattered pages, the same memory */
static void st_vmap(void)
{
	struct page *pg[3] = {alloc_page(GFP_KERNEL),
			      alloc_pages(GFP_KERNEL, 2),
			      alloc_page(GFP_KERNEL)};
	u8 *v;
	int i;

	SCHECK(pg[0] && pg[1] && pg[2], "out of arena memory");
	v = vmap(pg, 3, VM_MAP, PAGE_KERNEL);
	SCHECK(v && is_vmalloc_addr(v) &&
		       is_vmalloc_addr(v + 3 * PAGE_SIZE - 1),
	       "vmap area not recognised");
	if (!v)
		return;
	for (i = 0; i < 3; i++) {
		v[i * PAGE_SIZE + 9] = 0x5a + i;
		SCHECK(*(u8 *)(page_address(pg[i]) + 9) == 0x5a + i &&
			       vmalloc_to_page(v + i * PAGE_SIZE + 9) == pg[i],
		       "vmap page %d is not its page", i);
	}
	SCHECK(!is_vmalloc_addr(page_address(pg[0])),
	       "arena memory taken for a vmap area");
	vunmap(v);
	SCHECK(!is_vmalloc_addr(v), "vunmap left the area");
	__free_page(pg[0]);
	__free_pages(pg[1], 2);
	__free_page(pg[2]);
}

int ks_selftest(void)
{
	st_memory();
	st_tasks();
	st_err_gate();
	st_time();
	st_vmap();
	return 0;
}
