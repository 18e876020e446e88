// SPDX-License-Identifier: MIT
/*
 * vtdsim driver harness, kernel side: printing, WARN/BUG, ACPI and firmware
 * tables, and the services that do nothing in a simulation (sysfs, kobjects,
 * DMI, CPU hotplug, syscore). Each stub says what the kernel would do.
 */
#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/device.h>
#include <linux/acpi.h>
#include <linux/dmi.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <linux/iommu.h>
#include <linux/dma-map-ops.h>
#include <linux/iova_bitmap.h>
#include <linux/syscore_ops.h>
#include <linux/crash_dump.h>
#include <linux/dmar.h>
#include <linux/uaccess.h>
#include <linux/scatterlist.h>
#include <linux/sched/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/capability.h>
#include <asm/e820/api.h>
#include <asm/x86_init.h>
#include <asm/processor.h>
#include "ksim.h"

struct cpuinfo_x86 boot_cpu_data;
struct x86_init_ops x86_init;
struct x86_platform_ops x86_platform;
/* boot and the IOMMU's bring-up run as the kernel's init does (some DMAR
 * parsing happens only then); ks_iommu_bringup ends them */
enum system_states system_state = SYSTEM_SCHEDULING;
int iommu_detected, no_iommu;
unsigned long long elfcorehdr_addr = ELFCORE_ADDR_MAX;
struct kobject *kernel_kobj;

static unsigned int ks_warnings;

/* ---- printing -------------------------------------------------------------
 */

/* ---- the gate on error messages
 * ---------------------------------------------- Every message the kernel
 * prints at KERN_ERR or above (pr_err, dev_err) fails the scenario unless the
 * scenario expects it: an exact message it requires (ks_expect_err: it must be
 * printed at least once), or a message it allows by its start (ks_allow_err: a
 * fault report the scenario caused, which rate limiting may drop). A message
 * that nothing expects yet is kept: the scenario may learn of the fault behind
 * it later (a retry that faults while the driver handles its page response);
 * what is still unexpected when the scenario ends fails it.
 */

#define KS_MAX_EXPECT 8192

static struct ks_expect {
	char text[160];
	bool required;
	unsigned int seen;
} ks_expect[KS_MAX_EXPECT];
static unsigned int ks_nexpect;
static char ks_unexpected[32][200];
static unsigned int ks_nunexpected, ks_unexpected_lost;

static bool ks_expect_match(struct ks_expect *e, const char *line, size_t len)
{
	size_t n = strlen(e->text);

	if (e->required ? n == len && !strncmp(line, e->text, len)
			: n <= len && !strncmp(line, e->text, n)) {
		e->seen++;
		return true;
	}
	return false;
}

/* Messages kept unexpected that e now expects go. */
static void ks_unexpected_recheck(struct ks_expect *e)
{
	unsigned int i = 0;

	while (i < ks_nunexpected) {
		if (!ks_expect_match(e, ks_unexpected[i],
				     strlen(ks_unexpected[i]))) {
			i++;
			continue;
		}
		memmove(ks_unexpected[i], ks_unexpected[i + 1],
			(ks_nunexpected - i - 1) * sizeof(ks_unexpected[0]));
		ks_nunexpected--;
	}
}

static void ks_expect_add(const char *text, bool required)
{
	unsigned int i;

	for (i = 0; i < ks_nexpect; i++) {
		if (strcmp(ks_expect[i].text, text))
			continue;
		ks_expect[i].required |= required;
		ks_unexpected_recheck(&ks_expect[i]);
		return;
	}
	if (ks_nexpect == KS_MAX_EXPECT) {
		vk_fail(__FILE__, __LINE__, "too many expected messages");
		return;
	}
	strscpy(ks_expect[ks_nexpect].text, text);
	ks_expect[ks_nexpect].required = required;
	ks_unexpected_recheck(&ks_expect[ks_nexpect++]);
}

void ks_expect_err(const char *msg)
{
	ks_expect_add(msg, true);
}

void ks_allow_err(const char *start)
{
	ks_expect_add(start, false);
}

static void ks_err_printed(const char *line)
{
	size_t len = strcspn(line, "\n");
	unsigned int i;

	for (i = 0; i < ks_nexpect; i++)
		if (ks_expect_match(&ks_expect[i], line, len))
			return;
	if (ks_nunexpected == ARRAY_SIZE(ks_unexpected)) {
		ks_unexpected_lost++;
		return;
	}
	snprintf(ks_unexpected[ks_nunexpected++], sizeof(ks_unexpected[0]),
		 "%.*s", (int)len, line);
}

static unsigned int ks_inv_errors;

void ks_expect_inv_error(void)
{
	ks_inv_errors++;
}

unsigned int vk_inv_errors_expected(void)
{
	return ks_inv_errors;
}

unsigned int ks_err_unexpected(void)
{
	return ks_nunexpected + ks_unexpected_lost;
}

void ks_err_gate_end(void)
{
	unsigned int i;

	for (i = 0; i < ks_nunexpected; i++)
		vk_fail(__FILE__, __LINE__,
			"unexpected kernel error message: %s",
			ks_unexpected[i]);
	if (ks_unexpected_lost)
		vk_fail(__FILE__, __LINE__,
			"%u more unexpected kernel error messages",
			ks_unexpected_lost);
	for (i = 0; i < ks_nexpect; i++)
		if (ks_expect[i].required && !ks_expect[i].seen)
			vk_fail(__FILE__, __LINE__,
				"the kernel never printed the expected error "
				"message: %s",
				ks_expect[i].text);
}

static void ks_vlog(const char *prefix, const char *fmt, va_list ap)
{
	char buf[512];
	int level = 6;
	int n = 0;

	/* KERN_<level> is SOH followed by the level digit */
	if (fmt[0] == '\001' && fmt[1]) {
		level = fmt[1] >= '0' && fmt[1] <= '7' ? fmt[1] - '0' : level;
		fmt += 2;
	}
	if (prefix)
		n = snprintf(buf, sizeof(buf), "%s: ", prefix);
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	vh_log(level, buf);
	if (level <= 3)
		ks_err_printed(buf);
}

int _printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ks_vlog(NULL, fmt, ap);
	va_end(ap);
	return 0;
}

int _printk_deferred(const char *fmt, ...) __alias(_printk);

#define KS_DEV_PRINT(fn, lvl)                                                  \
	void fn(const struct device *dev, const char *fmt, ...)                \
	{                                                                      \
		char f[256];                                                   \
		va_list ap;                                                    \
		snprintf(f, sizeof(f), "%s%s", lvl, fmt);                      \
		va_start(ap, fmt);                                             \
		ks_vlog(dev ? dev_name(dev) : "(no device)", f, ap);           \
		va_end(ap);                                                    \
	}

KS_DEV_PRINT(_dev_err, KERN_ERR)
KS_DEV_PRINT(_dev_warn, KERN_WARNING)
KS_DEV_PRINT(_dev_info, KERN_INFO)
KS_DEV_PRINT(_dev_notice, KERN_NOTICE)

void vk_fail(const char *file, int line, const char *fmt, ...)
{
	char buf[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	vh_check_failed(file, line, buf);
}

void __warn_printk(const char *fmt, ...)
{
	va_list ap;
	char f[256];

	snprintf(f, sizeof(f), "%s%s", KERN_WARNING, fmt);
	va_start(ap, fmt);
	ks_vlog("WARNING", f, ap);
	va_end(ap);
}

void vk_warn(const char *file, int line)
{
	char buf[256];

	ks_warnings++;
	snprintf(buf, sizeof(buf), "WARNING at %s:%d\n", file, line);
	vh_log(2, buf);
}

unsigned int vk_warnings(void)
{
	return ks_warnings;
}

void vk_bug(const char *file, int line)
{
	vk_fail(file, line, "kernel BUG");
	__builtin_trap();
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ks_vlog("Kernel panic", fmt, ap);
	va_end(ap);
	vk_bug(__FILE__, __LINE__);
}

void dump_stack(void)
{
}

void add_taint(unsigned int flag, enum lockdep_ok lockdep_ok)
{
}

/* ---- firmware -------------------------------------------------------------
 */

acpi_status acpi_get_table(char *signature, u32 instance,
			   struct acpi_table_header **out_table)
{
	size_t len;

	if (strncmp(signature, ACPI_SIG_DMAR, 4) || instance)
		return AE_NOT_FOUND;
	*out_table = (struct acpi_table_header *)vh_acpi_dmar(&len);
	return *out_table ? AE_OK : AE_NOT_FOUND;
}

void acpi_put_table(struct acpi_table_header *table)
{
}

/* No ACPI namespace: the DMAR table has no ANDD devices. */
acpi_status acpi_get_handle(acpi_handle parent, const char *pathname,
			    acpi_handle *ret_handle)
{
	return AE_NOT_FOUND;
}

struct acpi_device *acpi_fetch_acpi_dev(acpi_handle handle)
{
	return NULL;
}

acpi_status acpi_walk_namespace(acpi_object_type type, acpi_handle start,
				u32 max_depth,
				acpi_walk_callback descending_callback,
				acpi_walk_callback ascending_callback,
				void *context, void **return_value)
{
	return AE_OK;
}

/* The ACPI device of a hot-pluggable DMAR unit (the scenario's firmware has
 * "hotplug"): its _DSM offers one function, the unit's DRHD structure
 * (DMAR_DSM_FUNC_DRHD, 1), as dmar_device_add()/remove() read it. */
static char ks_dmar_hp_device;

void *ks_dmar_hotplug_handle(void)
{
	return &ks_dmar_hp_device;
}

bool acpi_check_dsm(acpi_handle handle, const guid_t *guid, u64 rev, u64 funcs)
{
	vk_size len;

	return handle == &ks_dmar_hp_device && vh_acpi_dsm_drhd(&len) &&
	       funcs == BIT(1);
}

union acpi_object *acpi_evaluate_dsm(acpi_handle handle, const guid_t *guid,
				     u64 rev, u64 func,
				     union acpi_object *argv4)
{
	union acpi_object *obj;
	const void *drhd;
	vk_size len;

	if (handle != &ks_dmar_hp_device || func != 1)
		return NULL;
	drhd = vh_acpi_dsm_drhd(&len);
	obj = drhd ? kzalloc(sizeof(*obj) + len, GFP_KERNEL) : NULL;
	if (!obj)
		return NULL;
	obj->type = ACPI_TYPE_BUFFER;
	obj->buffer.length = len;
	obj->buffer.pointer = (u8 *)(obj + 1);
	memcpy(obj->buffer.pointer, drhd, len);
	return obj;
}

const char *dmi_get_system_info(int field)
{
	return "vtdsim";
}

int e820__get_entry_type(u64 start, u64 end)
{
	return E820_TYPE_RESERVED;
}

/* ---- sysfs, kobjects, driver model: nothing to show -------------------- */

static struct kobject ks_dummy_kobj;

struct kobject *kobject_create_and_add(const char *name, struct kobject *parent)
{
	return &ks_dummy_kobj;
}

struct kset *kset_create_and_add(const char *name,
				 const struct kset_uevent_ops *u,
				 struct kobject *parent_kobj)
{
	static struct kset ks_dummy_kset;

	return &ks_dummy_kset;
}

int kobject_init_and_add(struct kobject *kobj, const struct kobj_type *ktype,
			 struct kobject *parent, const char *fmt, ...)
{
	kref_init(&kobj->kref);
	kobj->ktype = ktype;
	return 0;
}

struct kobject *kobject_get(struct kobject *kobj)
{
	return kobj;
}

/* Groups and their kobjects live as long as the process. */
void kobject_put(struct kobject *kobj)
{
}

int sysfs_create_link(struct kobject *kobj, struct kobject *target,
		      const char *name)
{
	return 0;
}

int sysfs_create_link_nowarn(struct kobject *kobj, struct kobject *target,
			     const char *name)
{
	return 0;
}

void sysfs_remove_link(struct kobject *kobj, const char *name)
{
}

int sysfs_create_file_ns(struct kobject *kobj, const struct attribute *attr,
			 const void *ns)
{
	return 0;
}

void sysfs_remove_file_ns(struct kobject *kobj, const struct attribute *attr,
			  const void *ns)
{
}

int sysfs_emit(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, PAGE_SIZE, fmt, ap);
	va_end(ap);
	return n;
}

int sysfs_emit_at(char *buf, int at, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + at, PAGE_SIZE - at, fmt, ap);
	va_end(ap);
	return n;
}

bool sysfs_streq(const char *s1, const char *s2)
{
	return !strcmp(s1, s2);
}

int iommu_device_sysfs_add(struct iommu_device *iommu, struct device *parent,
			   const struct attribute_group **groups,
			   const char *fmt, ...)
{
	return 0;
}

void iommu_device_sysfs_remove(struct iommu_device *iommu)
{
}

int iommu_device_link(struct iommu_device *iommu, struct device *link)
{
	return 0;
}

void iommu_device_unlink(struct iommu_device *iommu, struct device *link)
{
}

int __devm_add_action(struct device *dev, void (*action)(void *), void *data,
		      const char *name)
{
	return 0;
}

/* System core operations (the IOMMU's suspend and resume), in registration
 * order; a scenario runs them as a system sleep does. */
static LIST_HEAD(ks_syscore);

void register_syscore(struct syscore *syscore)
{
	list_add_tail(&syscore->node, &ks_syscore);
}

int ks_syscore_suspend(void)
{
	struct syscore *s;
	int r;

	/* the kernel suspends in reverse order of registration */
	list_for_each_entry_reverse(s, &ks_syscore, node)
	{
		if (!s->ops->suspend)
			continue;
		r = s->ops->suspend(s->data);
		if (r)
			return r;
	}
	return 0;
}

void ks_syscore_resume(void)
{
	struct syscore *s;

	list_for_each_entry(s, &ks_syscore, node) if (s->ops->resume)
		s->ops->resume(s->data);
}

/* ---- DMA API: the harness maps through the IOMMU API directly ------------ */

/* ---- processes ---------------------------------------------------------- */

bool capable(int cap)
{
	return true;
}

unsigned long _copy_from_user(void *to, const void __user *from,
			      unsigned long n)
{
	memcpy(to, (const void __force *)from, n);
	return 0;
}

unsigned long _copy_to_user(void __user *to, const void *from, unsigned long n)
{
	memcpy((void __force *)to, from, n);
	return 0;
}

int kstrtobool(const char *s, bool *res)
{
	if (!s)
		return -EINVAL;
	switch (s[0]) {
	case 'y':
	case 'Y':
	case '1':
		*res = true;
		return 0;
	case 'n':
	case 'N':
	case '0':
		*res = false;
		return 0;
	}
	return -EINVAL;
}

unsigned long __sw_hweight64(__u64 w)
{
	return __builtin_popcountll(w);
}

ssize_t sized_strscpy(char *dst, const char *src, size_t count)
{
	size_t n = strnlen(src, count);

	if (!count)
		return -E2BIG;
	if (n == count) {
		memcpy(dst, src, count - 1);
		dst[count - 1] = '\0';
		return -E2BIG;
	}
	memcpy(dst, src, n + 1);
	return n;
}
