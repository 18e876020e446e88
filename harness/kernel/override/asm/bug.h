/* SPDX-License-Identifier: MIT */
/*
 * vtdsim driver harness: WARN and BUG without ud2. The kernel's own asm/bug.h
 * is used; only the trapping instruction is replaced by a call that records
 * the warning (a WARN fails the scenario) or stops the process (BUG).
 */
#ifndef VTDSIM_ASM_BUG_H
#define VTDSIM_ASM_BUG_H

#include_next <asm/bug.h>

void vk_warn(const char *file, int line);
void __noreturn vk_bug(const char *file, int line);

#undef __WARN_FLAGS
#define __WARN_FLAGS(flags) vk_warn(__FILE__, __LINE__)
#undef BUG
#define BUG() vk_bug(__FILE__, __LINE__)

#endif
