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
#include <linux/panic.h>
#include <linux/proc_fs.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>
#include <asm/ipl.h>
#include <asm/maccess.h>
#include <asm/sclp.h>
#include <asm/setup.h>
#include <asm/sigp.h>
#include <asm/smp.h>

/* mm/memblock.c: all physical memory, even what the dump kernel does not use. */
extern struct memblock_type physmem;

/**
 * vmcore_rs_sigp() - Signal processor @cpu_addr with @order and @parm.
 *
 * Retries while the CPU is busy, like smp.c __pcpu_sigp_relax().
 * Return: the condition code (SIGP_CC_*, Principles of Operation, "SIGNAL
 * PROCESSOR").
 */
int vmcore_rs_sigp(u16 cpu_addr, u8 order, unsigned long parm);

/** vmcore_rs_stap() - CPU address of this CPU (STORE CPU ADDRESS). */
u16 vmcore_rs_stap(void);

/** vmcore_rs_has_vx() - Whether the machine has the vector facility (129). */
bool vmcore_rs_has_vx(void);

/** vmcore_rs_mtid_prev() - SMT thread id of the crashed system (sclp.mtid_prev). */
unsigned int vmcore_rs_mtid_prev(void);

/** vmcore_rs_hsa_size() - Size of the HSA in bytes (sclp.hsa_size), 0 if none. */
unsigned long vmcore_rs_hsa_size(void);

/** vmcore_rs_system_reset() - diag 308 subcode 0 reset of all other CPUs and I/O. */
void vmcore_rs_system_reset(void);

/**
 * vmcore_rs_memblock_alloc_low() - Early, zeroed, below 2 GiB (SIGP store
 * status takes a 31-bit address). NULL on failure.
 */
void *vmcore_rs_memblock_alloc_low(size_t size, size_t align);

/** vmcore_rs_memblock_alloc() - Early, zeroed memory. NULL on failure. */
void *vmcore_rs_memblock_alloc(size_t size, size_t align);

/** vmcore_rs_is_ipl_type_dump() - IPLed as a stand-alone (zfcp/nvme) dump. */
bool vmcore_rs_is_ipl_type_dump(void);

/** vmcore_rs_pa() - Physical address of the kernel virtual address @addr. */
unsigned long vmcore_rs_pa(const void *addr);

/** vmcore_rs_iter_count() - Bytes left in @iter. */
size_t vmcore_rs_iter_count(const struct iov_iter *iter);

/** vmcore_rs_cond_resched() - Let others run during a long read. */
void vmcore_rs_cond_resched(void);

/**
 * vmcore_rs_test_hsa_size() - Size of the test HSA in bytes (boot parameter
 * vmcore_rs_test_hsa=), 0 if not set. In rust/test.c, built only with
 * CONFIG_S390_VMCORE_RUST_TEST.
 */
unsigned long vmcore_rs_test_hsa_size(void);

/**
 * vmcore_rs_copy_to_iter() - copy_to_iter(): copies @bytes from @addr into
 * @i with the hardened usercopy checks. Return: the bytes copied.
 */
size_t vmcore_rs_copy_to_iter(const void *addr, size_t bytes, struct iov_iter *i);

/**
 * vmcore_rs_copy_to_iter_nofault() - copy_to_iter() with page faults disabled.
 *
 * Return: the bytes copied, fewer than @bytes where a destination page is
 * not present (fault_in_iov_iter_writeable() brings it in).
 */
size_t vmcore_rs_copy_to_iter_nofault(const void *addr, size_t bytes, struct iov_iter *i);

/** vmcore_rs_vmalloc_user() - Zeroed vmalloc memory that may be mapped to user space. */
void *vmcore_rs_vmalloc_user(size_t size);

/**
 * vmcore_rs_map_oldmem() - Map old real memory into the identity mapping.
 *
 * Maps physical [*@start, @end) at __va(), where *@start is set to the end
 * of this kernel's own identity mapping (``ident_map_size``), clipped to
 * what the identity mapping can reach (``max_mappable``, at least 512 GiB)
 * and to what page tables of at most 1/16 of this kernel's memory can map,
 * read-only, with vmem_add_mapping_ro() (patches/0007). Return: the end of the mapped range, or 0 when
 * nothing was mapped.
 */
unsigned long vmcore_rs_map_oldmem(unsigned long end, unsigned long *start);

/** vmcore_rs_va() - __va(): the identity-mapping address of @paddr. */
void *vmcore_rs_va(unsigned long paddr);

/**
 * vmcore_rs_mmap_prepare() - Check and set up @vma like mmap_vmcore().
 *
 * Sets *@start to the file offset and *@size to the length in bytes of the
 * mapping; the VMA gets VM_MIXEDMAP, loses VM_MAYWRITE and VM_MAYEXEC, and
 * our fault handler, which fills pages with s390_vmcore_rs_read_page().
 * Return: 0, -EINVAL beyond the file, -EPERM for a writable or executable
 * mapping.
 */
int vmcore_rs_mmap_prepare(struct vm_area_struct *vma, u64 file_size, u64 *start, u64 *size);

/** vmcore_rs_remap_pfn() - remap_pfn_range() at byte @off of @vma. */
int vmcore_rs_remap_pfn(struct vm_area_struct *vma, u64 off, u64 pfn, u64 size);

/** vmcore_rs_remap_vmalloc() - Map vmalloc_user() memory at byte @off of @vma. */
int vmcore_rs_remap_vmalloc(struct vm_area_struct *vma, u64 off, void *kaddr, u64 size);

/** vmcore_rs_open() - proc_open of the dump: -EPERM for writing, else 0. */
int vmcore_rs_open(struct inode *inode, struct file *file);

/** vmcore_rs_unmap() - Undo the first @len bytes of a failed mapping. */
void vmcore_rs_unmap(struct vm_area_struct *vma, u64 len);

/*
 * Implemented in Rust (rust/vmcore_rs.rs). s390_vmcore_rs_save_cpus() and
 * s390_vmcore_rs_save_boot_cpu() are declared in asm/smp.h for setup_arch().
 */
int s390_vmcore_rs_init(void);
int s390_vmcore_rs_late_init(void);
/* Reads PAGE_SIZE bytes of the dump at file offset @pos into @buf: 0 or -errno. */
int s390_vmcore_rs_read_page(void *buf, u64 pos);
/* CONFIG_S390_VMCORE_RUST_TEST only, for rust/test.c. */
/* Build the header again, compare: 0, -ENOMEM, -ENODEV, -EINVAL. */
int s390_vmcore_rs_test_rebuild(void);
/* Try to change a byte of mapped old memory: 0 (written), -EFAULT, -EINVAL. */
int s390_vmcore_rs_test_write_oldmem(u64 paddr);

#endif /* _VMCORE_RS_H */
