// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the Rust /proc/vmcore, run in the dump kernel after a real crash
 * of the QEMU guest (scripts/guest/dump-kernel.sh), TAP output.
 *
 * Environment:
 *   VMCORE      the file under test (default /proc/vmcore)
 *   VMCORE_REF  the C /proc/vmcore of the same boot (test kernel), against
 *               which reads are checked; tests that need it skip without
 *   VMCORE_HSA  the (test) HSA size in bytes, if any: reads around it
 *   VMCORE_SDIAS_FAIL  the physical address of an HSA page whose SDIAS
 *               requests the patched QEMU fails (sdias_failure)
 *   VMCORE_HSA_RELEASED  set once the HSA was released (hsa_released)
 *   VMCORE_PATTERNS  the page frame list of vmcore_pattern run in the crashed
 *               kernel; VMCORE_SWAP the crashkernel size (the kdump swap
 *               area is below it)
 *   VMCORE_OLDINFO  what the crashed kernel saved before the crash: ncpus
 *               (online CPUs), vmcoreinfo (/sys/kernel/vmcoreinfo: physical
 *               address and size of its VMCOREINFO note), release
 *
 * With vmcore_rs_test_corrupt= on the kernel command line (the test kernel
 * damaged its os_info and/or VMCOREINFO pointer before the crash), the
 * tests expect the dump without what was damaged.
 *
 * The fault-injection tests need CONFIG_FAULT_INJECTION (fail-nth), the
 * failslab and fail_page_alloc debugfs knobs and, for the header build,
 * the test kernel's /sys/kernel/debug/vmcore_rs/rebuild; the last test
 * needs CONFIG_DEBUG_KMEMLEAK. Without them they skip.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef NT_S390_PREFIX
#define NT_S390_PREFIX 0x305
#endif

#include "kselftest_harness.h"
#include "vmcore_pattern.h"

#define PAGE 4096UL
#define WINDOW (4UL << 20)

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

/*
 * The offset of the first byte at which the n bytes at a and at b (both
 * 8-byte aligned) differ, or n: a loop of 8-byte loads, which QEMU's TCG
 * runs far faster than memcmp()'s CLC over files of many GiB.
 */
static size_t first_difference(const char *a, const char *b, size_t n)
{
	const uint64_t *x = (const uint64_t *)a, *y = (const uint64_t *)b;
	size_t i;

	for (i = 0; i < n / 8 && x[i] == y[i]; i++)
		;
	for (i *= 8; i < n && a[i] == b[i]; i++)
		;
	return i;
}

FIXTURE(vmcore) {
	int fd, ref;
	off_t size;
	Elf64_Ehdr ehdr;
	Elf64_Phdr *phdr;
	char *a, *b;
};

FIXTURE_SETUP(vmcore)
{
	struct stat st;
	size_t len;

	self->fd = open(env_or("VMCORE", "/proc/vmcore"), O_RDONLY);
	ASSERT_GE(self->fd, 0) TH_LOG("open %s: %s", env_or("VMCORE", "/proc/vmcore"), strerror(errno));
	self->ref = getenv("VMCORE_REF") ? open(getenv("VMCORE_REF"), O_RDONLY) : -1;
	ASSERT_EQ(0, fstat(self->fd, &st));
	self->size = st.st_size;
	ASSERT_EQ(sizeof(self->ehdr), pread(self->fd, &self->ehdr, sizeof(self->ehdr), 0));
	len = self->ehdr.e_phnum * sizeof(Elf64_Phdr);
	self->phdr = malloc(len);
	ASSERT_NE(NULL, self->phdr);
	ASSERT_EQ(len, pread(self->fd, self->phdr, len, self->ehdr.e_phoff));
	self->a = malloc(WINDOW + PAGE);
	self->b = malloc(WINDOW + PAGE);
	ASSERT_NE(NULL, self->a);
	ASSERT_NE(NULL, self->b);
}

FIXTURE_TEARDOWN(vmcore)
{
	free(self->phdr);
	free(self->a);
	free(self->b);
	close(self->fd);
	if (self->ref >= 0)
		close(self->ref);
}

/* The ELF structure as user space sees it. */
TEST_F(vmcore, elf_structure)
{
	Elf64_Ehdr *e = &self->ehdr;
	uint64_t end = 0;
	int i, notes = 0;

	ASSERT_EQ(0, memcmp(e->e_ident, ELFMAG, SELFMAG));
	ASSERT_EQ(ELFCLASS64, e->e_ident[EI_CLASS]);
	ASSERT_EQ(ELFDATA2MSB, e->e_ident[EI_DATA]);
	ASSERT_EQ(ET_CORE, e->e_type);
	ASSERT_EQ(EM_S390, e->e_machine);
	ASSERT_EQ(sizeof(Elf64_Phdr), e->e_phentsize);
	for (i = 0; i < e->e_phnum; i++) {
		Elf64_Phdr *p = &self->phdr[i];

		if (p->p_type == PT_NOTE) {
			notes++;
			EXPECT_EQ(0, p->p_offset % PAGE);
			continue;
		}
		ASSERT_EQ(PT_LOAD, p->p_type);
		EXPECT_EQ(p->p_paddr % PAGE, p->p_offset % PAGE);
		end = (p->p_offset + p->p_memsz + PAGE - 1) & ~(PAGE - 1);
	}
	ASSERT_EQ(1, notes);
	ASSERT_EQ(PT_NOTE, self->phdr[0].p_type);
	ASSERT_EQ(end, (uint64_t)self->size);
}

/* mmap() equals read() for every page of the file. */
TEST_F_TIMEOUT(vmcore, mmap_equals_read, 900)
{
	off_t off;
	size_t i;

	for (off = 0; off < self->size; off += WINDOW) {
		size_t len = self->size - off < (off_t)WINDOW ? self->size - off : WINDOW;
		char *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, self->fd, off);

		ASSERT_NE(MAP_FAILED, map) TH_LOG("mmap at %#lx: %s", (long)off, strerror(errno));
		ASSERT_EQ((ssize_t)len, pread(self->fd, self->a, len, off));
		i = first_difference(map, self->a, len);
		munmap(map, len);
		ASSERT_EQ(len, i) TH_LOG("mmap and read differ at %#lx", (long)(off + i));
	}
}

/*
 * A writable mapping is refused, and a read-only one cannot be made
 * writable or executable. The VFS alone refuses a shared writable mapping
 * (the file is open read only) and an executable one (procfs is noexec);
 * a private writable one (copy on write) and mprotect(PROT_WRITE) only the
 * driver: its mmap() fails VM_WRITE with EPERM and clears VM_MAYWRITE and
 * VM_MAYEXEC, as mmap_vmcore() does, so mprotect() fails with EACCES.
 * A mapping beyond the end fails with EINVAL.
 */
TEST_F(vmcore, mmap_refuses_write_exec)
{
	char *map;
	int err;

	map = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd, 0);
	err = map == MAP_FAILED ? errno : 0;
	EXPECT_EQ(EPERM, err) TH_LOG("mmap(PROT_WRITE, MAP_PRIVATE): %s", err ? strerror(err) : "mapped");
	if (map != MAP_FAILED)
		munmap(map, PAGE);

	map = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map) TH_LOG("mmap(PROT_READ): %s", strerror(errno));
	err = mprotect(map, PAGE, PROT_READ | PROT_WRITE) ? errno : 0;
	EXPECT_EQ(EACCES, err) TH_LOG("mprotect(PROT_WRITE): %s", err ? strerror(err) : "succeeded");
	err = mprotect(map, PAGE, PROT_READ | PROT_EXEC) ? errno : 0;
	EXPECT_EQ(EACCES, err) TH_LOG("mprotect(PROT_EXEC): %s", err ? strerror(err) : "succeeded");
	munmap(map, PAGE);

	map = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, self->fd,
		   (self->size - PAGE) & ~(PAGE - 1));
	err = map == MAP_FAILED ? errno : 0;
	EXPECT_EQ(EINVAL, err) TH_LOG("mmap beyond the end: %s", err ? strerror(err) : "mapped");
	if (map != MAP_FAILED)
		munmap(map, 2 * PAGE);
}

/* pread at @off for @len: same count and bytes as the reference. */
static int check_read(struct __test_metadata *_metadata, FIXTURE_DATA(vmcore) *self,
		      off_t off, size_t len)
{
	ssize_t n = pread(self->fd, self->a, len, off);
	size_t want = off >= self->size ? 0 :
		(size_t)(self->size - off) < len ? (size_t)(self->size - off) : len;

	EXPECT_EQ((ssize_t)want, n) TH_LOG("pread(%zu) at %#lx", len, (long)off);
	if (n != (ssize_t)want)
		return -1;
	if (self->ref >= 0 && n > 0) {
		EXPECT_EQ(n, pread(self->ref, self->b, len, off));
		EXPECT_EQ(0, memcmp(self->a, self->b, n)) TH_LOG("pread(%zu) at %#lx differs from the reference", len, (long)off);
	}
	return 0;
}

/* Reads of 1, 4095, 4096, 4097 and 1 MiB bytes across every boundary. */
TEST_F_TIMEOUT(vmcore, boundary_reads, 300)
{
	static const size_t lens[] = { 1, 4095, 4096, 4097, 1 << 20 };
	uint64_t hsa = strtoull(env_or("VMCORE_HSA", "0"), NULL, 0);
	off_t offs[256];
	int i, j, n = 0;

	if (self->ref < 0)
		SKIP(return, "no reference file (VMCORE_REF)");
	offs[n++] = 0;
	offs[n++] = self->phdr[0].p_offset - 1;
	offs[n++] = self->phdr[0].p_offset;
	for (i = 1; i < self->ehdr.e_phnum && n < 240; i++) {
		Elf64_Phdr *p = &self->phdr[i];

		offs[n++] = p->p_offset - 1;
		offs[n++] = p->p_offset;
		offs[n++] = p->p_offset + p->p_filesz - 1;
		/* The HSA boundary, in the file, where a PT_LOAD holds it. */
		if (hsa && p->p_paddr < hsa && hsa <= p->p_paddr + p->p_filesz &&
		    p->p_vaddr == p->p_paddr) {
			offs[n++] = p->p_offset + (hsa - p->p_paddr) - 1;
			offs[n++] = p->p_offset + (hsa - p->p_paddr);
		}
	}
	offs[n++] = self->size - 1;
	offs[n++] = self->size;
	offs[n++] = self->size + 1;
	for (i = 0; i < n; i++)
		for (j = 0; j < (int)(sizeof(lens) / sizeof(lens[0])); j++)
			ASSERT_EQ(0, check_read(_metadata, self, offs[i], lens[j]));
}

/* lseek() as for a regular file; read() at and past the end returns 0. */
TEST_F(vmcore, lseek_and_eof)
{
	char c;

	ASSERT_EQ(self->size, lseek(self->fd, 0, SEEK_END));
	ASSERT_EQ(0, read(self->fd, &c, 1));
	ASSERT_EQ(self->size - 1, lseek(self->fd, -1, SEEK_END));
	ASSERT_EQ(1, read(self->fd, &c, 1));
	ASSERT_EQ(0, read(self->fd, &c, 1));
	ASSERT_EQ(16, lseek(self->fd, 16, SEEK_SET));
	ASSERT_EQ(20, lseek(self->fd, 4, SEEK_CUR));
	ASSERT_EQ(1, read(self->fd, &c, 1));
	ASSERT_EQ(21, lseek(self->fd, 0, SEEK_CUR));
	ASSERT_EQ(0, pread(self->fd, &c, 1, self->size + 4096));
}

/* A read into an unmapped buffer fails with EFAULT; the file stays usable. */
TEST_F(vmcore, efault_then_usable)
{
	char *bad = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, bad);
	munmap(bad, PAGE);
	errno = 0;
	EXPECT_EQ(-1, pread(self->fd, bad, PAGE, 0));
	EXPECT_EQ(EFAULT, errno);
	errno = 0;
	EXPECT_EQ(-1, pread(self->fd, bad, PAGE, self->phdr[1].p_offset));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, check_read(_metadata, self, 0, 4096));
}

/* Read only, 0400. */
TEST_F(vmcore, mode_and_open_for_write)
{
	struct stat st;

	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_EQ(0400, st.st_mode & 07777);
	EXPECT_EQ(-1, open(env_or("VMCORE", "/proc/vmcore"), O_WRONLY));
}

/* A user other than root cannot open it (0400, like the C file). */
TEST_F(vmcore, non_root_eacces)
{
	int status;
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		_exit(open(env_or("VMCORE", "/proc/vmcore"), O_RDONLY) == -1 && errno == EACCES ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* Simple reproducible generator (xorshift64). */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* pread at seeded random offsets and lengths equals a sequential read. */
TEST_F_TIMEOUT(vmcore, random_pread_equals_sequential, 300)
{
	uint64_t seed = 0x5eed5eed;
	int i;

	for (i = 0; i < 200; i++) {
		off_t off = next_rand(&seed) % (self->size + 8192);
		size_t len = 1 + next_rand(&seed) % (1 << 20);
		size_t want = off >= self->size ? 0 :
			(size_t)(self->size - off) < len ? (size_t)(self->size - off) : len;
		size_t got = 0;
		ssize_t n;

		ASSERT_EQ((ssize_t)want, pread(self->fd, self->a, len, off)) TH_LOG("seed step %d", i);
		ASSERT_EQ(off, lseek(self->fd, off, SEEK_SET));
		while (got < want && (n = read(self->fd, self->b + got, 4096 < want - got ? 4096 : want - got)) > 0)
			got += n;
		ASSERT_EQ(want, got);
		ASSERT_EQ(0, memcmp(self->a, self->b, want)) TH_LOG("pread at %#lx, %zu bytes", (long)off, len);
	}
}

/* 16 readers at different offsets see what one reader sees. */
TEST_F_TIMEOUT(vmcore, concurrent_readers, 300)
{
	enum { READERS = 16, LEN = 1 << 20 };
	char *want = malloc((size_t)READERS * LEN);
	pid_t pids[READERS];
	int i, status, bad = 0;

	ASSERT_NE(NULL, want);
	for (i = 0; i < READERS; i++) {
		off_t off = (self->size / READERS) * i;

		ASSERT_EQ(LEN, pread(self->fd, want + (size_t)i * LEN, LEN, off));
	}
	for (i = 0; i < READERS; i++) {
		pids[i] = fork();
		ASSERT_GE(pids[i], 0);
		if (pids[i] == 0) {
			int fd = open(env_or("VMCORE", "/proc/vmcore"), O_RDONLY);
			off_t off = (self->size / READERS) * i;
			int round;

			for (round = 0; round < 4; round++)
				if (fd < 0 || pread(fd, self->a, LEN, off) != LEN ||
				    memcmp(self->a, want + (size_t)i * LEN, LEN))
					_exit(1);
			_exit(0);
		}
	}
	for (i = 0; i < READERS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		bad += !WIFEXITED(status) || WEXITSTATUS(status);
	}
	free(want);
	EXPECT_EQ(0, bad);
}

/* The file offset of old physical address @paddr (a memory PT_LOAD), or -1. */
static off_t paddr_offset(FIXTURE_DATA(vmcore) *self, uint64_t paddr, uint64_t len)
{
	Elf64_Phdr *p = NULL;
	int i;

	for (i = 1; i < self->ehdr.e_phnum; i++)
		if (self->phdr[i].p_paddr <= paddr &&
		    paddr + len <= self->phdr[i].p_paddr + self->phdr[i].p_filesz &&
		    (!p || self->phdr[i].p_filesz > p->p_filesz))
			p = &self->phdr[i];
	return p ? (off_t)(p->p_offset + (paddr - p->p_paddr)) : -1;
}

/*
 * Every page the crashed kernel filled with its known pattern reads back
 * exactly through the dump, including pages in the kdump swap area and in
 * the (test) HSA.
 */
TEST_F_TIMEOUT(vmcore, known_patterns, 600)
{
	uint64_t swap = strtoull(env_or("VMCORE_SWAP", "0"), NULL, 0);
	uint64_t hsa = strtoull(env_or("VMCORE_HSA", "0"), NULL, 0);
	size_t n = 0, in_swap = 0, in_hsa = 0, bad = 0;
	const char *path = getenv("VMCORE_PATTERNS");
	uint64_t be, top = 0;
	FILE *f;
	int i;

	if (!path || !*path)
		SKIP(return, "no pattern list (VMCORE_PATTERNS)");
	f = fopen(path, "r");
	ASSERT_NE(NULL, f) TH_LOG("%s: %s", path, strerror(errno));
	while (fread(&be, sizeof(be), 1, f) == 1) {
		uint64_t pfn = be64toh(be), paddr = pfn * PAGE;
		off_t off = paddr_offset(self, paddr, PAGE);

		ASSERT_GE(off, 0) TH_LOG("page %#llx in no PT_LOAD", (unsigned long long)paddr);
		ASSERT_EQ((ssize_t)PAGE, pread(self->fd, self->a, PAGE, off));
		if (pattern_check(self->a, pfn) >= 0 && bad++ < 8)
			TH_LOG("page %#llx: word %d differs", (unsigned long long)paddr,
			       pattern_check(self->a, pfn));
		n++;
		in_swap += paddr < swap;
		in_hsa += paddr < hsa;
	}
	fclose(f);
	TH_LOG("%zu pages checked: %zu in the kdump swap area, %zu in the HSA", n, in_swap, in_hsa);
	ASSERT_NE(0, n);
	ASSERT_EQ(0, bad);
	/*
	 * The pages come from the page allocator, which serves user space
	 * from ZONE_NORMAL, above 2 GiB on s390, before ZONE_DMA: with more
	 * memory none need land in the swap area, whose bytes boundary_reads
	 * compares with C's then.
	 */
	for (i = 1; i < self->ehdr.e_phnum; i++)
		if (self->phdr[i].p_paddr + self->phdr[i].p_memsz > top)
			top = self->phdr[i].p_paddr + self->phdr[i].p_memsz;
	if (swap && top <= (2ULL << 30))
		EXPECT_NE(0, in_swap);
	if (hsa) {
		EXPECT_NE(0, in_hsa);
		EXPECT_LT(in_hsa, n) TH_LOG("no pattern page above the HSA");
	}
}

/*
 * The test kernel's vmcore_rs_test_map_cap=ADDR (0 when not given): old
 * memory at and above ADDR is not mapped.
 */
static uint64_t map_cap(void)
{
	char cmdline[4096], *p;
	FILE *f = fopen("/proc/cmdline", "r");
	uint64_t cap = 0;

	if (!f)
		return 0;
	if (fgets(cmdline, sizeof(cmdline), f)) {
		p = strstr(cmdline, "vmcore_rs_test_map_cap=");
		if (p)
			cap = strtoull(p + strlen("vmcore_rs_test_map_cap="), NULL, 0);
	}
	fclose(f);
	return cap;
}

/*
 * The dump kernel maps old memory read-only: a write to the highest page of
 * memory that it mapped (old memory above the dump kernel's own, within the
 * page-table budget; below vmcore_rs_test_map_cap= when that is given;
 * the test kernel's debugfs file says where) through that mapping, with
 * copy_to_kernel_nofault() from that file, fails with EFAULT, and the page
 * reads as before, and as in the C file. What is not mapped (below the
 * mapping, or above it) is refused with EINVAL.
 */
TEST_F(vmcore, oldmem_read_only)
{
	const char *path = "/sys/kernel/debug/vmcore_rs/write_oldmem";
	unsigned long long start = 0, stop = 0;
	uint64_t top = 0, base = 0, off = 0, paddr, cap = map_cap();
	char addr[64] = "";
	int i, fd, len;

	fd = open(path, O_RDWR);
	ASSERT_GE(fd, 0) TH_LOG("%s: %s (CONFIG_S390_VMCORE_RUST_TEST)", path, strerror(errno));
	ASSERT_LT(0, read(fd, addr, sizeof(addr) - 1));
	ASSERT_EQ(2, sscanf(addr, "%llx %llx", &start, &stop)) TH_LOG("%s: %s", path, addr);
	ASSERT_LT(start, stop) TH_LOG("nothing of old memory is mapped");
	if (cap)
		EXPECT_LE(stop, cap);
	for (i = 1; i < self->ehdr.e_phnum; i++) {
		Elf64_Phdr *p = &self->phdr[i];

		uint64_t lo = p->p_paddr > start ? p->p_paddr : start;
		uint64_t end = p->p_paddr + p->p_filesz;

		/* The part of the PT_LOAD in the mapping (above start, old and
		 * real addresses are the same). */
		if (end > stop)
			end = stop;
		if (p->p_type == PT_LOAD && end >= lo + PAGE && end > top) {
			top = end;
			base = p->p_paddr;
			off = p->p_offset;
		}
	}
	ASSERT_NE(0, top) TH_LOG("no memory PT_LOAD in the mapping %#llx-%#llx", start, stop);
	paddr = (top - PAGE) & ~(PAGE - 1);
	off += paddr - base;
	ASSERT_EQ((ssize_t)PAGE, pread(self->fd, self->a, PAGE, off));
	len = snprintf(addr, sizeof(addr), "%#llx", (unsigned long long)paddr);
	errno = 0;
	EXPECT_EQ(-1, pwrite(fd, addr, len, 0)) TH_LOG("the write to old memory at %s went through", addr);
	EXPECT_EQ(EFAULT, errno) TH_LOG("write_oldmem %s: %s", addr, strerror(errno));
	/*
	 * Mapping a mapped page again read-only is refused (patches/0005, vmem_add_mapping_ro()), not
	 * taken as done with the entry left as it was; the page stays
	 * read-only.
	 */
	errno = 0;
	EXPECT_EQ(-1, pwrite(fd, "remap", 5, 0)) TH_LOG("a mapped page was mapped again");
	EXPECT_EQ(EEXIST, errno) TH_LOG("remap: %s", strerror(errno));
	errno = 0;
	EXPECT_EQ(-1, pwrite(fd, addr, len, 0));
	EXPECT_EQ(EFAULT, errno) TH_LOG("write_oldmem %s after remap: %s", addr, strerror(errno));
	/* Outside the mapping: not mapped, and refused. */
	len = snprintf(addr, sizeof(addr), "%#llx", stop);
	errno = 0;
	EXPECT_EQ(-1, pwrite(fd, addr, len, 0));
	EXPECT_EQ(EINVAL, errno) TH_LOG("write_oldmem %s: %s", addr, strerror(errno));
	close(fd);
	ASSERT_EQ((ssize_t)PAGE, pread(self->fd, self->b, PAGE, off));
	EXPECT_EQ(0, memcmp(self->a, self->b, PAGE)) TH_LOG("old memory at %s changed", addr);
	if (self->ref >= 0) {
		ASSERT_EQ((ssize_t)PAGE, pread(self->ref, self->b, PAGE, off));
		EXPECT_EQ(0, memcmp(self->a, self->b, PAGE)) TH_LOG("page at %s differs from C's", addr);
	}
}

/* pread() of @len bytes at @off fails with @err. */
static int read_fails(int fd, void *buf, size_t len, off_t off, int err)
{
	errno = 0;
	return pread(fd, buf, len, off) == -1 && errno == err;
}

/*
 * The patched QEMU fails every SDIAS request that covers one HSA page
 * (VMCORE_SDIAS_FAIL, its physical address). read() of that page gives
 * EIO, never made-up bytes; a read that starts before it is short and ends
 * there; an mmap() access to it raises SIGBUS; the pages around it, in the
 * HSA and above, stay readable, also when mapped, with the bytes of the C
 * file (VMCORE_REF), which reads the HSA a block at a time.
 */
TEST_F(vmcore, sdias_failure)
{
	const char *v = getenv("VMCORE_SDIAS_FAIL");
	uint64_t hsa = strtoull(env_or("VMCORE_HSA", "0"), NULL, 0), bad;
	int pipefd[2], status;
	off_t off, above;
	char c = 0;
	pid_t pid;

	if (!v || !*v)
		SKIP(return, "no failing SDIAS block (VMCORE_SDIAS_FAIL)");
	bad = strtoull(v, NULL, 0);
	ASSERT_NE(0, hsa);
	ASSERT_GE(self->ref, 0) TH_LOG("no reference file (VMCORE_REF)");
	ASSERT_TRUE(bad >= PAGE && bad + 2 * PAGE <= hsa) TH_LOG("page %#llx", (unsigned long long)bad);
	off = paddr_offset(self, bad - PAGE, 3 * PAGE);
	ASSERT_GE(off, 0);
	off += PAGE;
	above = paddr_offset(self, hsa, PAGE);
	ASSERT_GE(above, 0);

	EXPECT_TRUE(read_fails(self->fd, self->a, PAGE, off, EIO)) TH_LOG("errno %d", errno);
	EXPECT_TRUE(read_fails(self->fd, self->a, 16, off + 100, EIO)) TH_LOG("errno %d", errno);
	EXPECT_TRUE(read_fails(self->fd, self->a, 1 << 20, off, EIO)) TH_LOG("errno %d", errno);
	EXPECT_EQ((ssize_t)PAGE, pread(self->fd, self->a, 2 * PAGE, off - PAGE));
	EXPECT_EQ(0, check_read(_metadata, self, off - PAGE, PAGE));
	EXPECT_EQ(0, check_read(_metadata, self, off + PAGE, PAGE));
	EXPECT_EQ(0, check_read(_metadata, self, above, PAGE));
	/* Still failing, still no made-up bytes. */
	EXPECT_TRUE(read_fails(self->fd, self->a, PAGE, off, EIO)) TH_LOG("errno %d", errno);

	/* mmap: the neighbours read, the page itself SIGBUSes. */
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		volatile const char *map = mmap(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE,
						self->fd, off - PAGE);

		if (map == MAP_FAILED)
			_exit(2);
		/* The neighbours, as read() reads them. */
		if (pread(self->fd, self->a, PAGE, off - PAGE) != PAGE ||
		    memcmp((const char *)map, self->a, PAGE) ||
		    pread(self->fd, self->a, PAGE, off + PAGE) != PAGE ||
		    memcmp((const char *)map + 2 * PAGE, self->a, PAGE))
			_exit(4);
		c = map[0] + map[2 * PAGE];
		if (write(pipefd[1], "n", 1) != 1)
			_exit(3);
		c += map[PAGE];
		/* Not reached: the access above must raise SIGBUS. */
		_exit(c != 0);
	}
	close(pipefd[1]);
	EXPECT_EQ(1, read(pipefd[0], &c, 1)) TH_LOG("the neighbours of the page could not be mapped");
	close(pipefd[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS)
		TH_LOG("status %#x: no SIGBUS from the unreadable page", status);
}

/*
 * After the HSA was released (zcore's debugfs file, as
 * scripts/guest/dump-kernel.sh does at the end), reads of the HSA range
 * fail with EIO instead of serving stale or made-up bytes; the header and
 * memory above the HSA stay readable.
 */
TEST_F(vmcore, hsa_released)
{
	uint64_t hsa = strtoull(env_or("VMCORE_HSA", "0"), NULL, 0);
	uint64_t pages[] = { 0, (hsa / 2) & ~(PAGE - 1), hsa - PAGE };
	off_t off;
	size_t i;

	if (!*env_or("VMCORE_HSA_RELEASED", ""))
		SKIP(return, "the HSA was not released (VMCORE_HSA_RELEASED)");
	ASSERT_NE(0, hsa);
	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		off = paddr_offset(self, pages[i], PAGE);
		ASSERT_GE(off, 0);
		EXPECT_TRUE(read_fails(self->fd, self->a, PAGE, off, EIO))
			TH_LOG("page %#llx: errno %d", (unsigned long long)pages[i], errno);
	}
	EXPECT_EQ((ssize_t)PAGE, pread(self->fd, self->a, PAGE, 0));
	off = paddr_offset(self, hsa, PAGE);
	ASSERT_GE(off, 0);
	EXPECT_EQ((ssize_t)PAGE, pread(self->fd, self->a, PAGE, off));
}

/* Is @what in the vmcore_rs_test_corrupt= list of the kernel command line? */
static int corrupted(const char *what)
{
	char line[4096], *p;
	FILE *f = fopen("/proc/cmdline", "r");
	int found = 0;

	if (!f)
		return 0;
	if (fgets(line, sizeof(line), f)) {
		p = strstr(line, "vmcore_rs_test_corrupt=");
		if (p) {
			p[strcspn(p, " \n")] = 0;
			found = strstr(p, what) != NULL;
		}
	}
	fclose(f);
	return found;
}

/* Reads file @name of $VMCORE_OLDINFO into @buf; 0 or -1. */
static int oldinfo(const char *name, char *buf, size_t len)
{
	char path[512];
	ssize_t n;
	int fd;

	if (!getenv("VMCORE_OLDINFO"))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", getenv("VMCORE_OLDINFO"), name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return 0;
}

#define NOTE_ALIGN(x) (((x) + 3) & ~3UL)

/*
 * The notes match the crashed kernel: one NT_PRSTATUS per CPU it had
 * online, distinct NT_S390_PREFIX values, and one VMCOREINFO note whose
 * contents are those of the note the crashed kernel exported (at the
 * address in its /sys/kernel/vmcoreinfo, read through the dump).
 */
TEST_F(vmcore, notes_match_old_kernel)
{
	uint32_t prefixes[64];
	int nprstatus = 0, nprefix = 0, nvmci = 0, ncpus, i, j;
	const char *vmci = NULL;
	uint32_t vmci_size = 0;
	char buf[256], *notes;
	size_t len = self->phdr[0].p_filesz, pos = 0;
	unsigned long long addr;
	Elf64_Nhdr old;
	off_t off;

	if (oldinfo("ncpus", buf, sizeof(buf)))
		SKIP(return, "no record of the crashed kernel (VMCORE_OLDINFO)");
	ncpus = atoi(buf);
	notes = malloc(len);
	ASSERT_NE(NULL, notes);
	ASSERT_EQ((ssize_t)len, pread(self->fd, notes, len, self->phdr[0].p_offset));
	while (pos + sizeof(Elf64_Nhdr) <= len) {
		Elf64_Nhdr *n = (Elf64_Nhdr *)(notes + pos);
		const char *name = notes + pos + sizeof(*n);
		const char *desc = name + NOTE_ALIGN(n->n_namesz);

		ASSERT_LE(pos + sizeof(*n) + NOTE_ALIGN(n->n_namesz) + NOTE_ALIGN(n->n_descsz), len);
		if (n->n_type == NT_PRSTATUS && !strcmp(name, "CORE"))
			nprstatus++;
		if (n->n_type == NT_S390_PREFIX && nprefix < 64)
			memcpy(&prefixes[nprefix++], desc, 4);
		if (n->n_namesz == sizeof("VMCOREINFO") && !strcmp(name, "VMCOREINFO")) {
			nvmci++;
			vmci = desc;
			vmci_size = n->n_descsz;
		}
		pos += sizeof(*n) + NOTE_ALIGN(n->n_namesz) + NOTE_ALIGN(n->n_descsz);
	}
	EXPECT_EQ(ncpus, nprstatus);
	EXPECT_EQ(ncpus, nprefix);
	for (i = 0; i < nprefix; i++)
		for (j = i + 1; j < nprefix; j++)
			EXPECT_NE(prefixes[i], prefixes[j]) TH_LOG("CPUs %d and %d: prefix %#x", i, j, prefixes[i]);
	if (corrupted("vmcoreinfo")) {
		EXPECT_EQ(0, nvmci) TH_LOG("a damaged VMCOREINFO pointer, yet a VMCOREINFO note");
		free(notes);
		return;
	}
	ASSERT_EQ(1, nvmci);
	ASSERT_EQ(0, oldinfo("vmcoreinfo", buf, sizeof(buf)));
	ASSERT_EQ(1, sscanf(buf, "%llx", &addr));
	off = paddr_offset(self, addr, PAGE);
	ASSERT_GE(off, 0) TH_LOG("VMCOREINFO note at %#llx in no PT_LOAD", addr);
	ASSERT_EQ(sizeof(old), pread(self->fd, &old, sizeof(old), off));
	ASSERT_EQ(vmci_size, old.n_descsz);
	ASSERT_GE(WINDOW, old.n_descsz);
	ASSERT_EQ(old.n_descsz, pread(self->fd, self->a, old.n_descsz,
				      off + sizeof(old) + NOTE_ALIGN(old.n_namesz)));
	EXPECT_EQ(0, memcmp(self->a, vmci, vmci_size));
	if (!oldinfo("release", buf, sizeof(buf))) {
		char want[300];

		buf[strcspn(buf, "\n")] = 0;
		snprintf(want, sizeof(want), "OSRELEASE=%s\n", buf);
		EXPECT_NE(NULL, memmem(vmci, vmci_size, want, strlen(want)));
	}
	free(notes);
}

/*
 * The kernel-text PT_LOAD (the first, as in crash_dump.c) comes from
 * os_info: its virtual addresses are the kernel image's, not the identity
 * mapping's of the memory PT_LOADs. With a damaged os_info there is none
 * and virtual addresses are physical.
 */
TEST_F(vmcore, text_segment_from_os_info)
{
	int i;

	ASSERT_GE(self->ehdr.e_phnum, 3);
	if (corrupted("os_info")) {
		for (i = 1; i < self->ehdr.e_phnum; i++)
			EXPECT_EQ(self->phdr[i].p_vaddr, self->phdr[i].p_paddr);
		return;
	}
	/* Memory PT_LOADs: one identity offset; the text: another. */
	for (i = 3; i < self->ehdr.e_phnum; i++)
		EXPECT_EQ(self->phdr[2].p_vaddr - self->phdr[2].p_paddr,
			  self->phdr[i].p_vaddr - self->phdr[i].p_paddr);
	EXPECT_NE(self->phdr[2].p_vaddr - self->phdr[2].p_paddr,
		  self->phdr[1].p_vaddr - self->phdr[1].p_paddr);
}

/* Writes @val to the debugfs fault-injection knob @knob; 0 or -1. */
static int knob(const char *knob, const char *val)
{
	char path[256];
	int fd, rc;

	snprintf(path, sizeof(path), "/sys/kernel/debug/%s", knob);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	rc = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return rc;
}

/*
 * Make fail-nth reach GFP_KERNEL slab and page allocations of any order
 * (by default failslab and fail_page_alloc leave them alone), quietly.
 * Returns an fd of /proc/thread-self/fail-nth, or -1.
 */
static int fault_injection_setup(void)
{
	if (knob("failslab/ignore-gfp-wait", "N") || knob("failslab/verbose", "0") ||
	    knob("fail_page_alloc/ignore-gfp-wait", "N") ||
	    knob("fail_page_alloc/ignore-gfp-highmem", "N") ||
	    knob("fail_page_alloc/min-order", "0") || knob("fail_page_alloc/verbose", "0"))
		return -1;
	return open("/proc/thread-self/fail-nth", O_RDWR);
}

/* Arms fail-nth to fail the @n-th allocation of this thread (0: disarm). */
static void fail_nth(int fd, int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	if (pwrite(fd, buf, len, 0) != len)
		abort();
}

/* What is left of fail-nth: 0 when the armed failure happened. */
static int fail_nth_left(int fd)
{
	char buf[16] = "";

	if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0)
		abort();
	return atoi(buf);
}

/*
 * read() allocates nothing: with the first allocation of the thread armed
 * to fail, a 1 MiB read at the start of the header and of every PT_LOAD
 * returns all its bytes and leaves the failure unused.
 */
TEST_F(vmcore, reads_allocate_nothing)
{
	int fnth = fault_injection_setup(), i;

	if (fnth < 0)
		SKIP(return, "no fault injection (fail-nth, failslab, fail_page_alloc)");
	memset(self->a, 0, WINDOW);
	for (i = 0; i < self->ehdr.e_phnum; i++) {
		off_t off = i ? (off_t)self->phdr[i].p_offset : 0;
		size_t len = 1 << 20;
		ssize_t n;
		int left;

		if (off + (off_t)len > self->size)
			len = self->size - off;
		fail_nth(fnth, 1);
		n = pread(self->fd, self->a, len, off);
		left = fail_nth_left(fnth);
		fail_nth(fnth, 0);
		EXPECT_EQ((ssize_t)len, n) TH_LOG("pread at %#lx: %s", (long)off, strerror(errno));
		EXPECT_EQ(1, left) TH_LOG("pread at %#lx allocated memory", (long)off);
	}
	close(fnth);
}

/* The test kernel's HSA window buffer in bytes (vmcore_rs/hsa_window), -1. */
static long hsa_window(int fd)
{
	char buf[24] = "";

	if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0)
		return -1;
	return atol(buf);
}

struct hsa_race {
	int fd;
	off_t src, dst;
	const char *want;
	int rounds, bad;
};

/*
 * Reads 16 HSA pages into fresh anonymous memory, which is not there yet:
 * the no-fault copy stops and the destination is faulted in outside the
 * window's lock.
 */
static void *hsa_race_reader(void *arg)
{
	struct hsa_race *r = arg;
	int i;

	for (i = 0; i < r->rounds; i++) {
		char *buf = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (buf == MAP_FAILED || pread(r->fd, buf, 16 * PAGE, r->src) != 16 * PAGE ||
		    memcmp(buf, r->want, 16 * PAGE))
			__atomic_fetch_add(&r->bad, 1, __ATOMIC_RELAXED);
		if (buf != MAP_FAILED)
			munmap(buf, 16 * PAGE);
	}
	return NULL;
}

/* Maps other HSA pages of the file and touches them: faults that fill. */
static void *hsa_race_mapper(void *arg)
{
	struct hsa_race *r = arg;
	volatile const char *map;
	int i, j, sum = 0;

	for (i = 0; i < r->rounds; i++) {
		map = mmap(NULL, 16 * PAGE, PROT_READ, MAP_PRIVATE, r->fd, r->dst);
		if (map == MAP_FAILED) {
			__atomic_fetch_add(&r->bad, 1, __ATOMIC_RELAXED);
			continue;
		}
		for (j = 0; j < 16; j++)
			sum += map[j * PAGE];
		munmap((void *)map, 16 * PAGE);
	}
	return (void *)(long)sum;
}

/*
 * Without memory for the 256 KiB HSA window (its allocation fails by
 * fail-nth when the test kernel allocates it again), the HSA is read
 * through a one-page window with the same no-fault copy: reads give the
 * bytes of the large window, also into memory that faults while another
 * thread faults in mappings of other HSA pages of the file and maps and
 * unmaps (no deadlock on the window's lock or mmap_lock), and a read into
 * a mapping of the file itself fails with EFAULT. Then the large window is
 * back.
 */
TEST_F_TIMEOUT(vmcore, hsa_page_window, 300)
{
	uint64_t hsa = strtoull(env_or("VMCORE_HSA", "0"), NULL, 0);
	struct hsa_race r = { .fd = self->fd, .rounds = 100 };
	int fnth, fd, left;
	pthread_t reader, mapper;
	ssize_t n;
	void *map;

	if (!hsa)
		SKIP(return, "no HSA (VMCORE_HSA)");
	fd = open("/sys/kernel/debug/vmcore_rs/hsa_window", O_RDWR);
	if (fd < 0)
		SKIP(return, "no test interface (vmcore_rs/hsa_window)");
	fnth = fault_injection_setup();
	if (fnth < 0)
		SKIP(return, "no fault injection (fail-nth, failslab, fail_page_alloc)");
	ASSERT_GE(hsa, 64 * PAGE);
	r.src = paddr_offset(self, PAGE, 16 * PAGE);
	r.dst = paddr_offset(self, (hsa / 2) & ~(PAGE - 1), 16 * PAGE);
	ASSERT_GE(r.src, 0);
	ASSERT_GE(r.dst, 0);
	ASSERT_EQ((long)(64 * PAGE), hsa_window(fd));
	ASSERT_EQ((ssize_t)(16 * PAGE), pread(self->fd, self->b, 16 * PAGE, r.src));
	r.want = self->b;

	/* The first allocation of the write is the large buffer. */
	fail_nth(fnth, 1);
	n = write(fd, "1", 1);
	left = fail_nth_left(fnth);
	fail_nth(fnth, 0);
	ASSERT_EQ(1, n) TH_LOG("hsa_window: %s", strerror(errno));
	EXPECT_EQ(0, left) TH_LOG("the allocation was not failed");
	ASSERT_EQ((long)PAGE, hsa_window(fd));

	ASSERT_EQ(0, pthread_create(&reader, NULL, hsa_race_reader, &r));
	ASSERT_EQ(0, pthread_create(&mapper, NULL, hsa_race_mapper, &r));
	ASSERT_EQ(0, pthread_join(reader, NULL));
	ASSERT_EQ(0, pthread_join(mapper, NULL));
	EXPECT_EQ(0, r.bad);
	if (self->ref >= 0) {
		ASSERT_EQ((ssize_t)(16 * PAGE), pread(self->ref, self->a, 16 * PAGE, r.src));
		EXPECT_EQ(0, memcmp(self->a, self->b, 16 * PAGE));
	}

	map = mmap(NULL, 16 * PAGE, PROT_READ, MAP_PRIVATE, self->fd, r.dst);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_TRUE(read_fails(self->fd, map, 16 * PAGE, r.src, EFAULT)) TH_LOG("errno %d", errno);
	munmap(map, 16 * PAGE);

	ASSERT_EQ(1, write(fd, "1", 1));
	EXPECT_EQ((long)(64 * PAGE), hsa_window(fd));
	close(fd);
	close(fnth);
}

/* /dev/kmsg, positioned after the last record so far; -1 without it. */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* How many kernel log records since kmsg_open() contain @what. */
/* Records of the kernel log from @fd on that contain @what or @or (if set). */
static int kmsg_count(int fd, const char *what, const char *or)
{
	char rec[8192];
	ssize_t len;
	int n = 0;

	while ((len = read(fd, rec, sizeof(rec) - 1)) > 0 || (len < 0 && errno == EPIPE)) {
		if (len <= 0)
			continue;
		rec[len] = 0;
		n += strstr(rec, what) || (or && strstr(rec, or));
	}
	return n;
}

/*
 * Every allocation of the header build fails in turn (fail-nth 1, 2, ...,
 * until the build needs no more): each build either fails with ENOMEM and
 * logs why (a part of the header: "cannot build"; an optional part, which
 * the build then leaves out: "no memory"), or succeeds with a header equal
 * to the one served (the kernel compares); never another error, never a
 * different header, no oops.
 */
TEST_F_TIMEOUT(vmcore, header_build_alloc_failures, 300)
{
	static const char msg[] = "vmcore_rs: cannot build the ELF core header: error -12";
	int fnth = fault_injection_setup(), fd, nth, enomem = 0, kmsg;

	if (fnth < 0)
		SKIP(return, "no fault injection (fail-nth, failslab, fail_page_alloc)");
	fd = open("/sys/kernel/debug/vmcore_rs/rebuild", O_WRONLY);
	if (fd < 0) {
		close(fnth);
		SKIP(return, "no /sys/kernel/debug/vmcore_rs/rebuild (test kernel only)");
	}
	/* Once without failures: debugfs sets up the file on first use. */
	ASSERT_EQ(1, write(fd, "1", 1)) TH_LOG("rebuild: %s", strerror(errno));
	kmsg = kmsg_open();
	ASSERT_GE(kmsg, 0);
	for (nth = 1; nth < 1000; nth++) {
		ssize_t rc;
		int err, left;

		fail_nth(fnth, nth);
		rc = write(fd, "1", 1);
		err = errno;
		left = fail_nth_left(fnth);
		fail_nth(fnth, 0);
		if (left) {
			/* No allocation left to fail: the build succeeded. */
			ASSERT_EQ(1, rc) TH_LOG("build without injected failure: %s", strerror(err));
			break;
		}
		if (rc == 1)
			continue;
		ASSERT_EQ(-1, rc);
		ASSERT_EQ(ENOMEM, err) TH_LOG("allocation %d failed: %s", nth, strerror(err));
		enomem++;
	}
	TH_LOG("%d allocations in the header build, %d failures gave ENOMEM", nth - 1, enomem);
	EXPECT_LT(nth, 1000);
	EXPECT_GE(enomem, 3);
	EXPECT_EQ(enomem, kmsg_count(kmsg, msg, "no memory")) TH_LOG("ENOMEM without its log line");
	close(kmsg);
	close(fd);
	close(fnth);
}

/*
 * mmap() with each of its allocations failing in turn: the mapping fails
 * with ENOMEM or EAGAIN, or succeeds and then equals read().
 */
TEST_F_TIMEOUT(vmcore, mmap_alloc_failures, 300)
{
	int fnth = fault_injection_setup(), nth;
	off_t off = self->phdr[1].p_offset;
	size_t len = WINDOW;

	if (fnth < 0)
		SKIP(return, "no fault injection (fail-nth, failslab, fail_page_alloc)");
	if (off + (off_t)len > self->size)
		len = self->size - off;
	ASSERT_EQ((ssize_t)len, pread(self->fd, self->b, len, off));
	for (nth = 1; nth < 1000; nth++) {
		char *map;
		int err, left;

		fail_nth(fnth, nth);
		map = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, self->fd, off);
		err = errno;
		left = fail_nth_left(fnth);
		fail_nth(fnth, 0);
		if (map == MAP_FAILED) {
			EXPECT_TRUE(err == ENOMEM || err == EAGAIN) TH_LOG("allocation %d: %s", nth, strerror(err));
			ASSERT_EQ(0, left) TH_LOG("mmap failed without an injected failure: %s", strerror(err));
			continue;
		}
		EXPECT_EQ(0, memcmp(map, self->b, len)) TH_LOG("allocation %d failed", nth);
		munmap(map, len);
		if (left)
			break;
	}
	TH_LOG("%d allocations in mmap()", nth - 1);
	EXPECT_LT(nth, 1000);
	close(fnth);
}

/*
 * Last: kmemleak finds nothing leaked by our code after all the tests
 * (builds failed half-way included).
 */
TEST_F_TIMEOUT(vmcore, kmemleak_clean, 300)
{
	char line[512];
	int fd = open("/sys/kernel/debug/kmemleak", O_RDWR), ours = 0, leaks = 0, in_ours = 0;
	FILE *f;

	if (fd < 0)
		SKIP(return, "no /sys/kernel/debug/kmemleak (CONFIG_DEBUG_KMEMLEAK)");
	/* Objects younger than 5 s are not reported. */
	sleep(6);
	ASSERT_EQ(4, write(fd, "scan", 4)) TH_LOG("kmemleak scan: %s", strerror(errno));
	f = fdopen(fd, "r");
	ASSERT_NE(NULL, f);
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "unreferenced object")) {
			leaks++;
			in_ours = 0;
		}
		if (!in_ours && (strstr(line, "vmcore_rs") || strstr(line, "s390_vmcore"))) {
			in_ours = 1;
			ours++;
			TH_LOG("%s", line);
		}
	}
	fclose(f);
	TH_LOG("kmemleak: %d suspected leaks in all, %d from vmcore_rs", leaks, ours);
	EXPECT_EQ(0, ours);
}

TEST_HARNESS_MAIN
