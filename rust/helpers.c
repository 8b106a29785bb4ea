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

#ifdef CONFIG_PROC_VMCORE
/*
 * The test HSA (test kernel only; QEMU has no HSA): in a kdump boot,
 * vmcore_rs_test_hsa=SIZE makes the Rust code read old memory below SIZE
 * through its HSA path, whose fetch call reads the old contents where the
 * kdump flow keeps them.
 */
static unsigned long vmcore_rs_test_hsa __initdata;

static int __init vmcore_rs_test_hsa_setup(char *arg)
{
	vmcore_rs_test_hsa = memparse(arg, NULL);
	return 0;
}
early_param("vmcore_rs_test_hsa", vmcore_rs_test_hsa_setup);

unsigned long __init vmcore_rs_test_hsa_size(void)
{
	return vmcore_rs_test_hsa;
}

/*
 * vmcore_rs_test_corrupt=os_info,vmcoreinfo (test kernel, in the kernel that
 * will crash): at the end of its boot, damage what the dump kernel reads
 * from old memory, so that the tests see it warn and still serve a dump.
 *   os_info     points the lowcore's os_info at a copy with a bad checksum
 *               (machine_crash_shutdown() recomputes the real one's);
 *   vmcoreinfo  points the lowcore's vmcore_info at a VMCOREINFO note whose
 *               n_descsz is 2 GiB. (The real note cannot be damaged ahead:
 *               crash_save_vmcoreinfo() writes it again at panic.)
 */
static char vmcore_rs_test_corrupt[32] __initdata;

static int __init vmcore_rs_test_corrupt_setup(char *arg)
{
	strscpy(vmcore_rs_test_corrupt, arg, sizeof(vmcore_rs_test_corrupt));
	return 0;
}
early_param("vmcore_rs_test_corrupt", vmcore_rs_test_corrupt_setup);

static struct {
	Elf64_Nhdr nhdr;
	char name[12];
	u8 desc[8];
} vmcore_rs_bad_note __aligned(8) = {
	.nhdr = { .n_namesz = sizeof(VMCOREINFO_NOTE_NAME), .n_descsz = SZ_2G },
	.name = VMCOREINFO_NOTE_NAME,
};

/* A copy of os_info with a bad checksum (the real one is rewritten at crash). */
static struct os_info vmcore_rs_bad_os_info __page_aligned_data;

static void __init vmcore_rs_corrupt_old_memory(void)
{
	struct lowcore *abs_lc;

	abs_lc = get_abs_lowcore();
	if (strstr(vmcore_rs_test_corrupt, "os_info") && abs_lc->os_info) {
		vmcore_rs_bad_os_info = *(struct os_info *)phys_to_virt(abs_lc->os_info);
		vmcore_rs_bad_os_info.csum ^= 1;
		abs_lc->os_info = __pa_symbol(&vmcore_rs_bad_os_info);
		pr_warn("vmcore_rs: test: os_info points to a copy with a bad checksum\n");
	}
	if (strstr(vmcore_rs_test_corrupt, "vmcoreinfo")) {
		abs_lc->vmcore_info = __pa_symbol(&vmcore_rs_bad_note);
		pr_warn("vmcore_rs: test: vmcore_info points to a note of n_descsz %u\n",
			vmcore_rs_bad_note.nhdr.n_descsz);
	}
	put_abs_lowcore(abs_lc);
}

/*
 * /sys/kernel/debug/vmcore_rs/rebuild (test kernel, in the dump kernel): a
 * write builds the ELF core header again and compares it with the one
 * served; it fails with the build's error. The fault-injection kselftest
 * fails each allocation of the build in turn with /proc/thread-self/fail-nth.
 */
static ssize_t vmcore_rs_rebuild_write(struct file *file, const char __user *buf,
				       size_t count, loff_t *ppos)
{
	int rc = s390_vmcore_rs_test_rebuild();

	return rc ? rc : count;
}

static const struct file_operations vmcore_rs_rebuild_fops = {
	.write = vmcore_rs_rebuild_write,
	.llseek = noop_llseek,
};

static int __init vmcore_rs_test_init(void)
{
	struct dentry *dir;

	if (!oldmem_data.start && !is_ipl_type_dump()) {
		if (vmcore_rs_test_corrupt[0])
			vmcore_rs_corrupt_old_memory();
		return 0;
	}
	dir = debugfs_create_dir("vmcore_rs", NULL);
	debugfs_create_file("rebuild", 0200, dir, NULL, &vmcore_rs_rebuild_fops);
	return 0;
}
late_initcall_sync(vmcore_rs_test_init);
#else
unsigned long __init vmcore_rs_test_hsa_size(void)
{
	return 0;
}
#endif

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
 * (ident_map_size) up to @end into the identity mapping, as
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
	if (end <= *start || vmem_add_mapping(*start, end - *start))
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
