// SPDX-License-Identifier: GPL-2.0
/*
 * Run in the kernel that is about to crash: fill MIB mebibytes of locked
 * memory with a pattern derived from each page's physical address, record
 * the page frame numbers (from /proc/self/pagemap) in OUTFILE, then stay
 * alive so the pages are still there when the kernel crashes.
 *
 * Usage: vmcore_pattern MIB OUTFILE
 *
 * OUTFILE: big-endian u64 page frame numbers, one per page whose frame was
 * the same before and after filling. OUTFILE.done appears when it is
 * complete. The dump kernel's vmcore_test (known_patterns) checks every
 * recorded page through the dump file.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmcore_pattern.h"

static uint64_t pfn_of(int pagemap, const void *addr)
{
	uint64_t e;

	if (pread(pagemap, &e, sizeof(e), (uintptr_t)addr / PATTERN_PAGE * sizeof(e)) != sizeof(e))
		return 0;
	/* Bit 63: present; bits 0-54: the page frame number (root only). */
	return (e >> 63) ? e & ((1ULL << 55) - 1) : 0;
}

int main(int argc, char **argv)
{
	size_t pages, i, kept = 0;
	char done[4096];
	uint64_t *pfns;
	char *mem;
	int pagemap;
	FILE *out;

	if (argc != 3)
		return fprintf(stderr, "usage: %s MIB OUTFILE\n", argv[0]), 2;
	pages = strtoul(argv[1], NULL, 0) * (1 << 20) / PATTERN_PAGE;
	mem = mmap(NULL, pages * PATTERN_PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE | MAP_LOCKED, -1, 0);
	pfns = calloc(pages, sizeof(*pfns));
	pagemap = open("/proc/self/pagemap", O_RDONLY);
	if (mem == MAP_FAILED || !pfns || pagemap < 0)
		return perror("vmcore_pattern"), 1;
	for (i = 0; i < pages; i++) {
		char *page = mem + i * PATTERN_PAGE;

		pfns[i] = pfn_of(pagemap, page);
		if (pfns[i])
			pattern_fill(page, pfns[i]);
	}
	out = fopen(argv[2], "w");
	if (!out)
		return perror(argv[2]), 1;
	for (i = 0; i < pages; i++) {
		uint64_t be;

		/* A page that moved while we filled it is not recorded. */
		if (!pfns[i] || pfn_of(pagemap, mem + i * PATTERN_PAGE) != pfns[i])
			continue;
		be = htobe64(pfns[i]);
		fwrite(&be, sizeof(be), 1, out);
		kept++;
	}
	if (fclose(out))
		return perror(argv[2]), 1;
	snprintf(done, sizeof(done), "%s.done", argv[2]);
	close(open(done, O_WRONLY | O_CREAT, 0644));
	printf("vmcore_pattern: %zu of %zu pages recorded\n", kept, pages);
	fflush(stdout);
	for (;;)
		pause();
}
