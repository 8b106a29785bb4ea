/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C interface of the Rust /proc/vmcore for s390 (CONFIG_S390_VMCORE_RUST).
 *
 * bindgen turns this file into rust/vmcore_rs/bindings.rs at build time (see
 * rust/Kbuild): the kernel functions and data the Rust code uses directly,
 * and the few helpers in rust/helpers.c that give a function to what C has
 * only as an inline function, a macro or an instruction.
 */
#ifndef _VMCORE_RS_H
#define _VMCORE_RS_H

#include <linux/types.h>
#include <linux/crash_dump.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/panic.h>
#include <linux/proc_fs.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>
#include <asm/diag.h>
#include <asm/ipl.h>
#include <asm/maccess.h>
#include <asm/pgtable.h>
#include <asm/sclp.h>
#include <asm/setup.h>
#include <asm/sigp.h>
#include <asm/smp.h>

/* mm/memblock.c: all physical memory, even what the dump kernel does not use. */
extern struct memblock_type physmem;

/*
 * Shims: one function for each inline function, macro or instruction the
 * Rust code needs (rust/helpers.c), named after what it wraps.
 */

/** vmcore_rs_pcpu_sigp() - __pcpu_sigp(): one SIGP order, its condition code. */
int vmcore_rs_pcpu_sigp(u16 cpu_addr, u8 order, unsigned long parm);

/** vmcore_rs_stap() - stap(): this CPU's address (STORE CPU ADDRESS). */
u16 vmcore_rs_stap(void);

/** vmcore_rs_facility_installed() - test_facility(): whether facility @nr is installed. */
bool vmcore_rs_facility_installed(unsigned long nr);

/** vmcore_rs_machine_has_edat1() - MACHINE_HAS_EDAT1: 1 MiB pages. */
bool vmcore_rs_machine_has_edat1(void);

/** vmcore_rs_machine_has_edat2() - MACHINE_HAS_EDAT2: 2 GiB pages. */
bool vmcore_rs_machine_has_edat2(void);

/** vmcore_rs_memblock_alloc_low() - memblock_alloc_low(): zeroed, below 2 GiB, or NULL. */
void *vmcore_rs_memblock_alloc_low(size_t size, size_t align);

/** vmcore_rs_memblock_alloc() - memblock_alloc(): zeroed early memory, or NULL. */
void *vmcore_rs_memblock_alloc(size_t size, size_t align);

/** vmcore_rs_is_ipl_type_dump() - is_ipl_type_dump(): IPLed as a stand-alone dump. */
bool vmcore_rs_is_ipl_type_dump(void);

/** vmcore_rs_pa() - __pa(): the physical address of kernel address @addr. */
unsigned long vmcore_rs_pa(const void *addr);

/** vmcore_rs_va() - __va(): the identity-mapping address of @paddr. */
void *vmcore_rs_va(unsigned long paddr);

/** vmcore_rs_totalram_pages() - totalram_pages(): this kernel's memory in pages. */
unsigned long vmcore_rs_totalram_pages(void);

/** vmcore_rs_debug_pagealloc_enabled() - debug_pagealloc_enabled(): 4 KiB pages only. */
bool vmcore_rs_debug_pagealloc_enabled(void);

/** vmcore_rs_iov_iter_count() - iov_iter_count(): bytes left in @iter. */
size_t vmcore_rs_iov_iter_count(const struct iov_iter *iter);

/** vmcore_rs_cond_resched() - cond_resched(). */
void vmcore_rs_cond_resched(void);

/** vmcore_rs_copy_to_iter() - copy_to_iter(), with the hardened usercopy checks. */
size_t vmcore_rs_copy_to_iter(const void *addr, size_t bytes, struct iov_iter *i);

/** vmcore_rs_pagefault_disable() - pagefault_disable(). */
void vmcore_rs_pagefault_disable(void);

/** vmcore_rs_pagefault_enable() - pagefault_enable(). */
void vmcore_rs_pagefault_enable(void);

/** vmcore_rs_vmalloc_user() - vmalloc_user(): zeroed, mappable to user space. */
void *vmcore_rs_vmalloc_user(size_t size);

/** vmcore_rs_vm_flags_mod() - vm_flags_mod(): set @set and clear @clear in @vma. */
void vmcore_rs_vm_flags_mod(struct vm_area_struct *vma, vm_flags_t set, vm_flags_t clear);

/** vmcore_rs_find_or_create_page() - find_or_create_page(): a locked page, or NULL. */
struct page *vmcore_rs_find_or_create_page(struct address_space *mapping, pgoff_t index,
					   gfp_t gfp);

/** vmcore_rs_page_uptodate() - PageUptodate(). */
bool vmcore_rs_page_uptodate(struct page *page);

/** vmcore_rs_set_page_uptodate() - SetPageUptodate(). */
void vmcore_rs_set_page_uptodate(struct page *page);

/** vmcore_rs_page_address() - page_address(). */
void *vmcore_rs_page_address(const struct page *page);

/** vmcore_rs_put_page() - put_page(). */
void vmcore_rs_put_page(struct page *page);

/** vmcore_rs_vmf_error() - vmf_error(): the fault code for errno @err. */
vm_fault_t vmcore_rs_vmf_error(int err);

/**
 * vmcore_rs_test_hsa_size() - Size of the test HSA in bytes (boot parameter
 * vmcore_rs_test_hsa=), 0 if not set. In rust/test.c, built only with
 * CONFIG_S390_VMCORE_RUST_TEST.
 */
unsigned long vmcore_rs_test_hsa_size(void);

/**
 * vmcore_rs_test_map_cap() - Physical address above which old memory is not
 * mapped (boot parameter vmcore_rs_test_map_cap=), 0 if not set, so that
 * the test kernel reads what lies above through memcpy_real_iter(). In
 * rust/test.c, built only with CONFIG_S390_VMCORE_RUST_TEST.
 */
unsigned long vmcore_rs_test_map_cap(void);

/*
 * Implemented in Rust (rust/vmcore_rs.rs). vmcore_rs_save_cpus() and
 * vmcore_rs_save_boot_cpu() are declared in asm/smp.h for setup_arch().
 * CONFIG_S390_VMCORE_RUST_TEST only, for rust/test.c:
 * vmcore_rs_test_rebuild() builds the header again and compares it (0,
 * -ENOMEM, -ENODEV, -EINVAL, or the errno of a header build that fails);
 * vmcore_rs_test_write_oldmem() tries to change a byte of mapped old
 * memory (0 when written, -EFAULT, -EINVAL);
 * vmcore_rs_test_mapped() gives the physical range in which old memory is
 * mapped (the holes between its ranges are not);
 * vmcore_rs_test_remap_oldmem() maps its first page again read-only
 * (-EEXIST, as it must be, or 0);
 * vmcore_rs_test_hsa_window() allocates the HSA window buffer again if
 * @realloc (a fallback to one page when the large one fails), and returns
 * its size in bytes (0 without an HSA, -ENOMEM).
 */
int vmcore_rs_test_rebuild(void);
int vmcore_rs_test_write_oldmem(u64 paddr);
void vmcore_rs_test_mapped(u64 *start, u64 *end);
int vmcore_rs_test_remap_oldmem(void);
long vmcore_rs_test_hsa_window(bool realloc);

#endif /* _VMCORE_RS_H */
