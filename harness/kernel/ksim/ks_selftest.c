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

int ks_selftest(void)
{
	st_memory();
	st_tasks();
	return 0;
}
