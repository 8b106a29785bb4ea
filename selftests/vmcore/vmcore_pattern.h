/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The known pattern of a page of the crashed system (vmcore_pattern.c
 * writes it, vmcore_test.c checks it): 512 big-endian words, word k of the
 * page at physical address P is PATTERN_MAGIC ^ (P + 8 * k).
 */
#ifndef VMCORE_PATTERN_H
#define VMCORE_PATTERN_H

#include <endian.h>
#include <stdint.h>
#include <string.h>

#define PATTERN_PAGE 4096UL
#define PATTERN_MAGIC 0x564d434f52455253ULL /* "VMCORERS" */

static inline uint64_t pattern_word(uint64_t pfn, unsigned int k)
{
	return PATTERN_MAGIC ^ (pfn * PATTERN_PAGE + 8 * k);
}

static inline void pattern_fill(void *page, uint64_t pfn)
{
	uint64_t *w = page;
	unsigned int k;

	for (k = 0; k < PATTERN_PAGE / 8; k++)
		w[k] = htobe64(pattern_word(pfn, k));
}

/* Index of the first word that differs, or -1. */
static inline int pattern_check(const void *page, uint64_t pfn)
{
	const uint64_t *w = page;
	unsigned int k;

	for (k = 0; k < PATTERN_PAGE / 8; k++)
		if (be64toh(w[k]) != pattern_word(pfn, k))
			return k;
	return -1;
}

#endif /* VMCORE_PATTERN_H */
