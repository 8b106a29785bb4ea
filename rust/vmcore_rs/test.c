// SPDX-License-Identifier: GPL-2.0
/*
 * Test interfaces of the Rust /proc/vmcore (CONFIG_S390_VMCORE_RUST_TEST,
 * test kernels only): they damage the dump on purpose.
 *
 *   vmcore_rs_test_hsa=SIZE      in a kdump kernel, read old memory below
 *                                SIZE through the HSA path (QEMU's kdump
 *                                has no HSA), see vmcore_rs/oldmem.rs
 *   vmcore_rs_test_map_cap=ADDR  in a dump kernel, map old memory only
 *                                below ADDR: reads above it take the
 *                                memcpy_real_iter() fallback
 *   vmcore_rs_test_corrupt=LIST  in the kernel that will crash, damage what
 *                                the dump kernel reads from old memory
 *   /sys/kernel/debug/vmcore_rs/ in the dump kernel: rebuild, write_oldmem,
 *                                hsa_window
 */
#include <linux/crash_reserve.h>
#include <linux/dcache.h>
#include <linux/debugfs.h>
#include <linux/elf.h>
#include <linux/init.h>
#include <linux/kstrtox.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/pfn.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmcore_info.h>
#include <asm/abs_lowcore.h>
#include <asm/ipl.h>
#include <asm/os_info.h>
#include <asm/setup.h>
#include <asm/vmcore.h>

static unsigned long vmcore_rs_test_hsa;

static int __init vmcore_rs_test_hsa_setup(char *arg)
{
	vmcore_rs_test_hsa = memparse(arg, NULL);
	return 0;
}
early_param("vmcore_rs_test_hsa", vmcore_rs_test_hsa_setup);

unsigned long vmcore_rs_test_hsa_size(void)
{
	return vmcore_rs_test_hsa;
}

static unsigned long vmcore_rs_test_map_cap_addr;

static int __init vmcore_rs_test_map_cap_setup(char *arg)
{
	vmcore_rs_test_map_cap_addr = memparse(arg, NULL);
	return 0;
}
early_param("vmcore_rs_test_map_cap", vmcore_rs_test_map_cap_setup);

unsigned long vmcore_rs_test_map_cap(void)
{
	return vmcore_rs_test_map_cap_addr;
}

/*
 * vmcore_rs_test_corrupt=WHAT[,WHAT...], at the end of the boot of the
 * kernel that will crash. WHAT is one of
 *   os_info              the lowcore's os_info points to a copy with a bad
 *                        checksum (machine_crash_shutdown() recomputes the
 *                        real one's)
 *   vmcoreinfo           the lowcore's vmcore_info points to a VMCOREINFO
 *                        note whose n_descsz is 2 GiB (crash_save_vmcoreinfo()
 *                        writes the real note again at panic)
 *   os_info@WHERE        the lowcore's os_info points to WHERE
 *   os_info_entry@WHERE  the lowcore's os_info points to a copy, checksum
 *                        intact, whose VMCOREINFO entry is a page at WHERE
 *   vmcoreinfo@WHERE     the lowcore's vmcore_info points to WHERE
 *   text@WHERE           the lowcore's os_info points to a copy, checksum
 *                        intact, whose kernel image is at WHERE
 *   text_size            the same, with a kernel image of 2^64 - 1 bytes
 *                        (its end runs past the 64-bit address space)
 * and WHERE is "hole" (the crashkernel area, not part of the crashed
 * system's memory) or "end" (the first byte past its memory).
 */
static char vmcore_rs_test_corrupt[128] __initdata;

static int __init vmcore_rs_test_corrupt_setup(char *arg)
{
	strscpy(vmcore_rs_test_corrupt, arg, sizeof(vmcore_rs_test_corrupt));
	return 0;
}
early_param("vmcore_rs_test_corrupt", vmcore_rs_test_corrupt_setup);

static struct {
	struct elf64_note nhdr;
	char name[12];
	u8 desc[8];
} vmcore_rs_bad_note __aligned(8) = {
	.nhdr = { .n_namesz = sizeof(VMCOREINFO_NOTE_NAME), .n_descsz = SZ_2G },
	.name = VMCOREINFO_NOTE_NAME,
};

/* A copy of os_info (the real one is rewritten at crash). */
static struct os_info vmcore_rs_bad_os_info __page_aligned_data;

/* The physical address named by WHERE, or 0. */
static unsigned long __init vmcore_rs_test_where(const char *where)
{
	if (!strcmp(where, "hole"))
		return crashk_res.end ? crashk_res.start : 0;
	if (!strcmp(where, "end"))
		return PFN_PHYS(max_pfn);
	return 0;
}

/*
 * The copy of os_info to damage: of @real, unless that is the copy already
 * (an earlier item of the list damaged it: the damage adds up).
 */
static void __init vmcore_rs_copy_os_info(struct os_info *real)
{
	if (real != &vmcore_rs_bad_os_info)
		vmcore_rs_bad_os_info = *real;
}

/* The lowcore points to the copy, with its checksum intact. */
static void __init vmcore_rs_use_bad_os_info(struct lowcore *abs_lc)
{
	vmcore_rs_bad_os_info.csum = os_info_csum(&vmcore_rs_bad_os_info);
	abs_lc->os_info = __pa_symbol(&vmcore_rs_bad_os_info);
}

static void __init vmcore_rs_corrupt(struct lowcore *abs_lc, char *what)
{
	char *where = strchr(what, '@');
	unsigned long addr = 0;
	struct os_info *real;

	if (where) {
		*where++ = '\0';
		addr = vmcore_rs_test_where(where);
		if (!addr) {
			pr_err("vmcore_rs: test: no address for %s@%s\n", what, where);
			return;
		}
	}
	real = abs_lc->os_info ? phys_to_virt(abs_lc->os_info) : NULL;
	if (!strcmp(what, "os_info") && real) {
		if (where) {
			abs_lc->os_info = addr;
		} else {
			vmcore_rs_copy_os_info(real);
			vmcore_rs_bad_os_info.csum ^= 1;
			abs_lc->os_info = __pa_symbol(&vmcore_rs_bad_os_info);
		}
	} else if (!strcmp(what, "os_info_entry") && where && real) {
		vmcore_rs_copy_os_info(real);
		/* Linux 6.12 fills no VMCOREINFO entry: make one of a page. */
		vmcore_rs_bad_os_info.entry[OS_INFO_VMCOREINFO].addr = addr;
		vmcore_rs_bad_os_info.entry[OS_INFO_VMCOREINFO].size = PAGE_SIZE;
		vmcore_rs_use_bad_os_info(abs_lc);
	} else if (!strcmp(what, "text") && where && real) {
		vmcore_rs_copy_os_info(real);
		vmcore_rs_bad_os_info.entry[OS_INFO_IMAGE_PHYS].val = addr;
		vmcore_rs_use_bad_os_info(abs_lc);
	} else if (!strcmp(what, "text_size") && real) {
		vmcore_rs_copy_os_info(real);
		vmcore_rs_bad_os_info.entry[OS_INFO_IMAGE_START].val = 0;
		vmcore_rs_bad_os_info.entry[OS_INFO_IMAGE_END].val = U64_MAX;
		vmcore_rs_use_bad_os_info(abs_lc);
	} else if (!strcmp(what, "vmcoreinfo")) {
		abs_lc->vmcore_info = where ? addr : __pa_symbol(&vmcore_rs_bad_note);
	} else {
		pr_err("vmcore_rs: test: cannot corrupt %s\n", what);
		return;
	}
	pr_warn("vmcore_rs: test: corrupted %s%s%s (%#lx)\n", what,
		where ? " at " : "", where ?: "", addr);
}

static void __init vmcore_rs_corrupt_old_memory(void)
{
	char *list = vmcore_rs_test_corrupt, *what;
	struct lowcore *abs_lc;

	abs_lc = get_abs_lowcore();
	while ((what = strsep(&list, ",")))
		if (*what)
			vmcore_rs_corrupt(abs_lc, what);
	put_abs_lowcore(abs_lc);
}

/*
 * rebuild: a write builds the ELF core header again and compares it with
 * the one served; it fails with the build's error. The fault-injection
 * kselftest fails each allocation of the build in turn with
 * /proc/thread-self/fail-nth.
 */
static ssize_t vmcore_rs_rebuild_write(struct file *file, const char __user *buf,
				       size_t count, loff_t *ppos)
{
	int rc = vmcore_rs_test_rebuild();

	return rc ? rc : count;
}

static const struct file_operations vmcore_rs_rebuild_fops = {
	.write = vmcore_rs_rebuild_write,
	.llseek = noop_llseek,
};

/*
 * write_oldmem: a write of a physical address tries to change the byte of
 * old memory there through the kernel's mapping of old memory with
 * copy_to_kernel_nofault(); it fails with -EFAULT while that mapping is
 * read-only, as it must be, and -EINVAL for an address it does not map.
 * A write of "remap" maps the first page of that mapping again read-only,
 * which must fail with -EEXIST. A read gives "START END": old memory in
 * [START, END) is mapped.
 */
static ssize_t vmcore_rs_write_oldmem_read(struct file *file, char __user *buf,
					   size_t count, loff_t *ppos)
{
	char text[48];
	u64 start, end;
	int len;

	vmcore_rs_test_mapped(&start, &end);
	len = scnprintf(text, sizeof(text), "%#llx %#llx\n", start, end);
	return simple_read_from_buffer(buf, count, ppos, text, len);
}

static ssize_t vmcore_rs_write_oldmem_write(struct file *file, const char __user *buf,
					    size_t count, loff_t *ppos)
{
	char text[24];
	u64 paddr;
	int rc;

	if (count >= sizeof(text))
		return -EINVAL;
	if (copy_from_user(text, buf, count))
		return -EFAULT;
	text[count] = '\0';
	if (sysfs_streq(text, "remap"))
		return vmcore_rs_test_remap_oldmem() ?: count;
	rc = kstrtou64(text, 0, &paddr);
	if (rc)
		return rc;
	rc = vmcore_rs_test_write_oldmem(paddr);
	return rc ? rc : count;
}

static const struct file_operations vmcore_rs_write_oldmem_fops = {
	.read = vmcore_rs_write_oldmem_read,
	.write = vmcore_rs_write_oldmem_write,
	.llseek = noop_llseek,
};

/*
 * hsa_window: a read gives the size of the HSA window buffer in bytes (0
 * without an HSA); a write allocates it again as at boot, so that the
 * kselftest can fail the large allocation with fail-nth and read through
 * the one-page window that replaces it.
 */
static ssize_t vmcore_rs_hsa_window_read(struct file *file, char __user *buf,
					 size_t count, loff_t *ppos)
{
	char text[24];
	int len;

	len = scnprintf(text, sizeof(text), "%ld\n", vmcore_rs_test_hsa_window(false));
	return simple_read_from_buffer(buf, count, ppos, text, len);
}

static ssize_t vmcore_rs_hsa_window_write(struct file *file, const char __user *buf,
					  size_t count, loff_t *ppos)
{
	long rc = vmcore_rs_test_hsa_window(true);

	return rc < 0 ? rc : count;
}

static const struct file_operations vmcore_rs_hsa_window_fops = {
	.read = vmcore_rs_hsa_window_read,
	.write = vmcore_rs_hsa_window_write,
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
	/* The dump's own directory, with its trust file, once there is a dump. */
	dir = debugfs_lookup("vmcore_rs", NULL);
	if (!dir) {
		dir = debugfs_create_dir("vmcore_rs", NULL);
		if (IS_ERR(dir))
			return 0;
		dget(dir);
	}
	debugfs_create_file("rebuild", 0200, dir, NULL, &vmcore_rs_rebuild_fops);
	debugfs_create_file("write_oldmem", 0600, dir, NULL, &vmcore_rs_write_oldmem_fops);
	debugfs_create_file("hsa_window", 0600, dir, NULL, &vmcore_rs_hsa_window_fops);
	dput(dir);
	return 0;
}
late_initcall_sync(vmcore_rs_test_init);
