// SPDX-License-Identifier: GPL-2.0
/*
 * Shims for what C has only as inline functions, macros or instructions,
 * so that the Rust /proc/vmcore can call them (declared in
 * include/vmcore_rs.h): one function each, no logic, as in the files of
 * the kernel's own rust/helpers/.
 */
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>
#include <asm/facility.h>
#include <asm/ipl.h>
#include <asm/processor.h>
#include <asm/setup.h>
#include <asm/sigp.h>
#include "vmcore_rs.h"

int __init vmcore_rs_pcpu_sigp(u16 cpu_addr, u8 order, unsigned long parm)
{
	return __pcpu_sigp(cpu_addr, order, parm, NULL);
}

u16 __init vmcore_rs_stap(void)
{
	return stap();
}

bool vmcore_rs_facility_installed(unsigned long nr)
{
	return test_facility(nr);
}

bool vmcore_rs_machine_has_edat1(void)
{
	return MACHINE_HAS_EDAT1;
}

bool vmcore_rs_machine_has_edat2(void)
{
	return MACHINE_HAS_EDAT2;
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

void *vmcore_rs_va(unsigned long paddr)
{
	return __va(paddr);
}

unsigned long vmcore_rs_totalram_pages(void)
{
	return totalram_pages();
}

bool vmcore_rs_debug_pagealloc_enabled(void)
{
	return debug_pagealloc_enabled();
}

size_t vmcore_rs_iov_iter_count(const struct iov_iter *iter)
{
	return iov_iter_count(iter);
}

void vmcore_rs_cond_resched(void)
{
	cond_resched();
}

size_t vmcore_rs_copy_to_iter(const void *addr, size_t bytes, struct iov_iter *i)
{
	return copy_to_iter(addr, bytes, i);
}

void vmcore_rs_pagefault_disable(void)
{
	pagefault_disable();
}

void vmcore_rs_pagefault_enable(void)
{
	pagefault_enable();
}

void *vmcore_rs_vmalloc_user(size_t size)
{
	return vmalloc_user(size);
}

void vmcore_rs_vm_flags_mod(struct vm_area_struct *vma, vm_flags_t set, vm_flags_t clear)
{
	vm_flags_mod(vma, set, clear);
}

struct page *vmcore_rs_find_or_create_page(struct address_space *mapping, pgoff_t index,
					   gfp_t gfp)
{
	return find_or_create_page(mapping, index, gfp);
}

bool vmcore_rs_page_uptodate(struct page *page)
{
	return PageUptodate(page);
}

void vmcore_rs_set_page_uptodate(struct page *page)
{
	SetPageUptodate(page);
}

void *vmcore_rs_page_address(const struct page *page)
{
	return page_address(page);
}

void vmcore_rs_put_page(struct page *page)
{
	put_page(page);
}

vm_fault_t vmcore_rs_vmf_error(int err)
{
	return vmf_error(err);
}
