// SPDX-License-Identifier: MIT
/*
 * vtdsim driver harness, kernel side: boot. Memory, the PCI bus, then the
 * kernel's initcalls of the compiled files in level order, as
 * do_initcalls() runs them; the IOMMU itself comes up in the bring-up step
 * (ks_iommu_bringup), where x86's pci_iommu_init() would call it.
 */
#include <linux/init.h>
#include <linux/dmar.h>
#include <linux/radix-tree.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <asm/iommu.h>
#include <asm/x86_init.h>
#include <asm/cpufeature.h>
#include "ksim.h"

#define KS_LEVEL(l)                                                            \
	extern initcall_entry_t __start_ks_ic_##l[] __weak;                    \
	extern initcall_entry_t __stop_ks_ic_##l[] __weak;

KS_LEVEL(0)
KS_LEVEL(1)
KS_LEVEL(1s)
KS_LEVEL(2)
KS_LEVEL(2s) KS_LEVEL(3) KS_LEVEL(3s) KS_LEVEL(4) KS_LEVEL(4s) KS_LEVEL(5)
	KS_LEVEL(5s) KS_LEVEL(rootfs) KS_LEVEL(6) KS_LEVEL(6s) KS_LEVEL(7)
		KS_LEVEL(7s)

#define KS_RANGE(l)                                                            \
	{                                                                      \
		__start_ks_ic_##l, __stop_ks_ic_##l                            \
	}

			static const struct {
	initcall_entry_t *start, *stop;
} ks_levels[] = {
	KS_RANGE(0),  KS_RANGE(1),  KS_RANGE(1s), KS_RANGE(2),
	KS_RANGE(2s), KS_RANGE(3),  KS_RANGE(3s), KS_RANGE(4),
	KS_RANGE(4s), KS_RANGE(5),  KS_RANGE(5s), KS_RANGE(rootfs),
	KS_RANGE(6),  KS_RANGE(6s), KS_RANGE(7),  KS_RANGE(7s),
};

/* Run the initcalls of ks_levels[first..last]. */
int ks_initcalls(int first, int last)
{
	int l;

	for (l = first; l <= last && l < (int)ARRAY_SIZE(ks_levels); l++) {
		initcall_entry_t *e;

		if (!ks_levels[l].start)
			continue;
		for (e = ks_levels[l].start; e < ks_levels[l].stop; e++) {
			initcall_t fn = initcall_from_entry(e);
			int r = fn();

			if (r && r != -ENODEV)
				pr_warn("vtdsim: initcall %ps returned %d\n",
					fn, r);
		}
	}
	return 0;
}

/* Index of rootfs_initcall in ks_levels: pci_iommu_init() runs there. */
#define KS_LEVEL_ROOTFS 11

static bool ks_booted;

/* The kernel command line: its parameters go to the compiled files'
 * early_param() and __setup() handlers, as parse_early_param() and
 * obsolete_checksetup() hand them out. An unknown parameter fails the boot. */
extern const struct obs_kernel_param __start_ks_setup[] __weak;
extern const struct obs_kernel_param __stop_ks_setup[] __weak;

static int ks_param(char *param)
{
	const struct obs_kernel_param *p;
	char *eq = strchr(param, '=');
	size_t n = eq ? (size_t)(eq - param) : strlen(param);

	for (p = __start_ks_setup; p < __stop_ks_setup; p++) {
		size_t len = strlen(p->str);

		if (p->early && len == n && !strncmp(param, p->str, n))
			return p->setup_func(eq ? eq + 1 : NULL) ? -EINVAL : 0;
		if (!p->early && len && p->str[len - 1] == '=' && eq &&
		    len == n + 1 && !strncmp(param, p->str, len))
			return p->setup_func(eq + 1) ? 0 : -EINVAL;
	}
	return -ENOENT;
}

static int ks_cmdline(const char *cmdline)
{
	char buf[256], *s = buf, *tok;

	if (strscpy(buf, cmdline ?: "") < 0)
		return -E2BIG;
	while ((tok = strsep(&s, " "))) {
		int r;

		if (!*tok)
			continue;
		r = ks_param(tok);
		if (r) {
			pr_err("vtdsim: kernel parameter %s: %s\n", tok,
			       r == -ENOENT ? "unknown" : "rejected");
			return r;
		}
	}
	return 0;
}

/* `current`: the one task everything runs as */
static struct task_struct ks_task;

int vk_boot(const char *cmdline)
{
	int r;

	if (ks_booted)
		return 0;
	strscpy(ks_task.comm, "vtdsim");
	/* the CPU: x86-64 with 1 GiB pages and 4-level paging, as the
	 * driver's SVA check looks at it */
	set_bit(X86_FEATURE_GBPAGES,
		(unsigned long *)boot_cpu_data.x86_capability);
	pcpu_hot.current_task = &ks_task;
	ks_task_init(&ks_task);
	r = ks_mem_init();
	if (r)
		return r;
	radix_tree_init();
	r = ks_pci_init();
	if (r)
		return r;
	r = ks_cmdline(cmdline);
	if (r)
		return r;
	ks_initcalls(0, KS_LEVEL_ROOTFS - 1);
	ks_booted = true;
	return 0;
}

/* What x86's pci_iommu_alloc() and pci_iommu_init() do for VT-d. */
int ks_iommu_bringup(void)
{
	int r;

	detect_intel_iommu();
	if (!iommu_detected || !x86_init.iommu.iommu_init)
		return -ENODEV;
	r = x86_init.iommu.iommu_init();
	ks_initcalls(KS_LEVEL_ROOTFS, ARRAY_SIZE(ks_levels) - 1);
	ks_run_pending();
	system_state = SYSTEM_RUNNING;
	return r;
}
