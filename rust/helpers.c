// SPDX-License-Identifier: GPL-2.0
/*
 * Functions for what C has only as inline functions, macros or instructions,
 * so that the Rust /proc/vmcore can call them (declared in include/vmcore_rs.h).
 */
#include <linux/init.h>
#include <linux/memblock.h>
#include <linux/sched.h>
#include <linux/uio.h>
#include <asm/diag.h>
#include <asm/facility.h>
#include <asm/ipl.h>
#include <asm/processor.h>
#include <asm/sclp.h>
#include <asm/sigp.h>
#include "vmcore_rs.h"

int __init vmcore_rs_sigp(u16 cpu_addr, u8 order, unsigned long parm)
{
	int cc;

	while ((cc = __pcpu_sigp(cpu_addr, order, parm, NULL)) == SIGP_CC_BUSY)
		cpu_relax();
	return cc;
}

u16 __init vmcore_rs_stap(void)
{
	return stap();
}

bool vmcore_rs_has_vx(void)
{
	return test_facility(129);
}

unsigned int __init vmcore_rs_mtid_prev(void)
{
	return sclp.mtid_prev;
}

unsigned long vmcore_rs_hsa_size(void)
{
	return sclp.hsa_size;
}

void __init vmcore_rs_system_reset(void)
{
	diag_amode31_ops.diag308_reset();
}

void * __init vmcore_rs_memblock_alloc_low(size_t size, size_t align)
{
	return memblock_alloc_low(size, align);
}

void * __init vmcore_rs_memblock_alloc(size_t size, size_t align)
{
	return memblock_alloc(size, align);
}

bool vmcore_rs_is_ipl_type_dump(void)
{
	return is_ipl_type_dump();
}

unsigned long vmcore_rs_pa(const void *addr)
{
	return __pa(addr);
}

size_t vmcore_rs_iter_count(const struct iov_iter *iter)
{
	return iov_iter_count(iter);
}

void vmcore_rs_cond_resched(void)
{
	cond_resched();
}

/* The Rust code is entered after the memory map, slab and proc exist. */
static int __init vmcore_rs_initcall(void)
{
	return s390_vmcore_rs_init();
}
fs_initcall(vmcore_rs_initcall);
