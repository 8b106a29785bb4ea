// SPDX-License-Identifier: GPL-2.0
/*
 * Functions for what C has only as inline functions, macros or instructions,
 * so that the Rust /proc/vmcore can call them (declared in include/vmcore_rs.h).
 */
#include <linux/debugfs.h>
#include <linux/elf.h>
#include <linux/init.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>
#include <linux/vmcore_info.h>
#include <asm/abs_lowcore.h>
#include <asm/diag.h>
#include <asm/facility.h>
#include <asm/ipl.h>
#include <asm/os_info.h>
#include <asm/pgtable.h>
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

/* Old memory is mapped in the background once every fs_initcall is done. */
static int __init vmcore_rs_late_initcall(void)
{
	return s390_vmcore_rs_late_init();
}
late_initcall(vmcore_rs_late_initcall);

size_t vmcore_rs_copy_to_iter(const void *addr, size_t bytes, struct iov_iter *i)
{
	return copy_to_iter(addr, bytes, i);
}

size_t vmcore_rs_copy_to_iter_nofault(const void *addr, size_t bytes, struct iov_iter *i)
{
	size_t n;

	pagefault_disable();
	n = copy_to_iter(addr, bytes, i);
	pagefault_enable();
	return n;
}

void *vmcore_rs_vmalloc_user(size_t size)
{
	return vmalloc_user(size);
}

/*
 * Map old real memory from the end of this kernel's identity mapping
 * (ident_map_size) up to @end into the identity mapping, read-only, as
 * vmem_add_mapping() does for DCSS (large pages where the machine has
 * EDAT), as far as the identity mapping can reach (max_mappable) and the
 * page tables fit in 1/16 of this kernel's memory.
 */
unsigned long vmcore_rs_map_oldmem(unsigned long end, unsigned long *start)
{
	/* Page tables may take at most 1/16 of this kernel's memory. */
	unsigned long budget = (totalram_pages() << PAGE_SHIFT) / 16, max;

	*start = ALIGN(ident_map_size, PAGE_SIZE);
	end = min(ALIGN_DOWN(end, PAGE_SIZE), max_mappable);
	if (end <= *start)
		return 0;
	/*
	 * What the page tables cost (arch/s390/mm/vmem.c): with 4 KiB pages
	 * (no EDAT1, as in QEMU's TCG, or debug_pagealloc) a 4 KiB page table
	 * per MiB; with 1 MiB pages (no EDAT2) a 16 KiB segment table per
	 * 2 GiB; with 2 GiB pages next to nothing.
	 */
	if (!MACHINE_HAS_EDAT1 || debug_pagealloc_enabled())
		max = budget / SZ_4K * SZ_1M;
	else if (!MACHINE_HAS_EDAT2)
		max = budget / SZ_16K * SZ_2G;
	else
		max = end - *start;
	end = *start + min(end - *start, max);
	if (end <= *start || vmem_add_mapping_ro(*start, end - *start))
		return 0;
	return end;
}

void *vmcore_rs_va(unsigned long paddr)
{
	return __va(paddr);
}

/*
 * mmap of the proc file, as mmap_vmcore() in fs/proc/vmcore.c: the header
 * and real memory are mapped up front; HSA pages are not and come through
 * the fault handler, which reads them into the file's page cache.
 */
static vm_fault_t vmcore_rs_fault(struct vm_fault *vmf)
{
	struct address_space *mapping = vmf->vma->vm_file->f_mapping;
	struct page *page;
	int rc;

	page = find_or_create_page(mapping, vmf->pgoff, GFP_KERNEL);
	if (!page)
		return VM_FAULT_OOM;
	if (!PageUptodate(page)) {
		rc = s390_vmcore_rs_read_page(page_address(page),
					      (u64)vmf->pgoff << PAGE_SHIFT);
		if (rc < 0) {
			unlock_page(page);
			put_page(page);
			return vmf_error(rc);
		}
		SetPageUptodate(page);
	}
	unlock_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct vmcore_rs_vm_ops = {
	.fault = vmcore_rs_fault,
};

int vmcore_rs_mmap_prepare(struct vm_area_struct *vma, u64 file_size,
			   u64 *start, u64 *size)
{
	*size = vma->vm_end - vma->vm_start;
	*start = (u64)vma->vm_pgoff << PAGE_SHIFT;
	if (*size > file_size || *start + *size > file_size)
		return -EINVAL;
	if (vma->vm_flags & (VM_WRITE | VM_EXEC))
		return -EPERM;
	vm_flags_mod(vma, VM_MIXEDMAP, VM_MAYWRITE | VM_MAYEXEC);
	vma->vm_ops = &vmcore_rs_vm_ops;
	return 0;
}

int vmcore_rs_remap_pfn(struct vm_area_struct *vma, u64 off, u64 pfn, u64 size)
{
	return remap_pfn_range(vma, vma->vm_start + off, pfn, size,
			       vma->vm_page_prot);
}

int vmcore_rs_remap_vmalloc(struct vm_area_struct *vma, u64 off, void *kaddr,
			    u64 size)
{
	return remap_vmalloc_range_partial(vma, vma->vm_start + off, kaddr, 0,
					   size);
}

void vmcore_rs_unmap(struct vm_area_struct *vma, u64 len)
{
	do_munmap(vma->vm_mm, vma->vm_start, len, NULL);
}

/* The dump is read only: refuse to open it for writing, even for root. */
int vmcore_rs_open(struct inode *inode, struct file *file)
{
	return (file->f_mode & FMODE_WRITE) ? -EPERM : 0;
}
