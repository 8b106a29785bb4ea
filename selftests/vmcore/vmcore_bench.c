// SPDX-License-Identifier: GPL-2.0
/*
 * Throughput of a dump file, for make bench (scripts/bench.sh), run in the
 * dump kernel. Each mode prints one line "bytes=N ns=N": ns is the time of
 * the operation alone. Where the data is checked ("sum=0x..."), the check
 * runs with the clock stopped, for every method alike: the sum of the
 * first 8 bytes of each 4 KiB page read, each XORed with its offset (the
 * file offset, or the offset in the stream for the ceilings). The same
 * data gives the same sum through read() and mmap().
 *
 *   vmcore_bench read FILE BS [LIMIT]   read() FILE from the start with a
 *                                       BS-byte buffer, as dd bs=BS of=/dev/null,
 *                                       up to LIMIT bytes (default: all; a
 *                                       file of size 0, such as /dev/zero,
 *                                       needs LIMIT); only the read() calls
 *                                       are timed, the sum of each buffer is
 *                                       taken between them
 *   vmcore_bench read-paddr FILE BS PADDR LEN
 *                                       read() the LEN bytes of old memory
 *                                       at physical PADDR (one PT_LOAD of
 *                                       the ELF core FILE) with a BS-byte
 *                                       buffer; fails unless all were read
 *   vmcore_bench readers FILE N BS      N processes, each read()s its 1/N of
 *                                       FILE with a BS-byte buffer and
 *                                       touches nothing; the time is from
 *                                       the first fork() until the last one
 *                                       is done
 *   vmcore_bench mmap FILE              mmap() FILE (64 MiB at a time) and
 *                                       touch every page (one 8-byte load:
 *                                       the touch is the operation, and its
 *                                       sum), three times over; fails unless
 *                                       the three sums agree
 *   vmcore_bench memcpy MIB BS TOTAL    the read() ceiling: memcpy() BS bytes
 *                                       at a time from a MIB MiB buffer
 *                                       (cycling through it) to one BS-byte
 *                                       buffer until TOTAL bytes are copied;
 *                                       only the memcpy() calls are timed,
 *                                       and the destination is summed between
 *                                       them, as read does
 *   vmcore_bench memcpy-procs N MIB BS TOTAL
 *                                       the ceiling of readers: N processes,
 *                                       each memcpy()s its 1/N of TOTAL
 *                                       bytes BS at a time from its own MIB
 *                                       MiB (filled before the clock starts)
 *                                       to its own BS-byte buffer, and
 *                                       touches nothing; timed as readers
 *   vmcore_bench copy FILE DEV BS       copy FILE to DEV, a fresh (all-zero)
 *                                       disk, with a BS-byte buffer, as
 *                                       dd bs=BS conv=sparse,fsync would:
 *                                       blocks that are all zero are not
 *                                       written; adds "written=N", the bytes
 *                                       written
 *   vmcore_bench time CMD [ARG...]      run CMD, output to /dev/null, its
 *                                       errors to /tmp/vmcore_bench.err;
 *                                       adds "user_ns=N sys_ns=N", the CPU
 *                                       time CMD (and the children it waited
 *                                       for) spent in user space and in the
 *                                       kernel
 *
 * Sizes take a K, M or G suffix.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint64_t size_arg(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	switch (*end) {
	case 'G': v <<= 10; /* fall through */
	case 'M': v <<= 10; /* fall through */
	case 'K': v <<= 10;
	}
	return v;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* The page sum (see the top) of the n bytes at buf, file offset pos. */
static uint64_t page_sum(uint64_t sum, const char *buf, uint64_t pos, uint64_t n)
{
	uint64_t p = (pos + 4095) & ~4095ULL, w;

	for (; p + 8 <= pos + n; p += 4096) {
		memcpy(&w, buf + (p - pos), 8);
		sum += w ^ p;
	}
	return sum;
}

static uint64_t sum;
static struct rusage cpu;	/* of the command of "time" */

static uint64_t cpu_ns(const struct timeval *tv)
{
	return tv->tv_sec * 1000000000ULL + tv->tv_usec * 1000ULL;
}

/*
 * read() [off, off + len) of fd with a bs-byte buffer; returns the bytes
 * read. Adds the time of the read() calls alone to *ns and, with check,
 * the page sum of what they read to sum, taken between the calls.
 */
static uint64_t read_range(int fd, uint64_t off, uint64_t len, size_t bs,
			   int check, uint64_t *ns)
{
	char *buf = malloc(bs);
	uint64_t done = 0, t;
	ssize_t n;

	if (!buf)
		die("malloc");
	memset(buf, 0, bs);
	if (lseek(fd, off, SEEK_SET) != (off_t)off)
		die("lseek");
	while (done < len) {
		t = now_ns();
		n = read(fd, buf, len - done < bs ? len - done : bs);
		*ns += now_ns() - t;
		if (n < 0)
			die("read");
		if (n == 0)
			break;
		if (check)
			sum = page_sum(sum, buf, off + done, n);
		done += n;
	}
	free(buf);
	return done;
}

/*
 * The n bytes at buf (8-byte aligned) are all zero: a loop of 8-byte loads,
 * which QEMU's TCG runs far faster than memcmp()'s CLC.
 */
static int all_zero(const char *buf, size_t n)
{
	const uint64_t *w = (const uint64_t *)buf;
	size_t i;

	for (i = 0; i < n / 8; i++)
		if (w[i])
			return 0;
	for (i = n & ~(size_t)7; i < n; i++)
		if (buf[i])
			return 0;
	return 1;
}

/*
 * Copy fd to out with a bs-byte buffer, writing only the blocks that are
 * not all zero (out reads as zero elsewhere); returns the bytes read, and
 * sets *written.
 */
static uint64_t copy_sparse(int fd, int out, size_t bs, uint64_t *written)
{
	char *buf = malloc(bs);
	uint64_t done = 0;
	ssize_t n;

	if (!buf)
		die("malloc");
	*written = 0;
	while ((n = read(fd, buf, bs)) > 0) {
		if (!all_zero(buf, n)) {
			if (pwrite(out, buf, n, done) != n)
				die("pwrite");
			*written += n;
		}
		done += n;
	}
	if (n < 0)
		die("read");
	if (fsync(out))
		die("fsync");
	free(buf);
	return done;
}

static int open_file(const char *path, uint64_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		die(path);
	*size = st.st_size;
	return fd;
}

/* The file offset of @len bytes of old memory at @paddr, in one PT_LOAD. */
static uint64_t paddr_offset(int fd, uint64_t paddr, uint64_t len)
{
	Elf64_Ehdr e;
	Elf64_Phdr p;
	int i;

	if (pread(fd, &e, sizeof(e), 0) != sizeof(e) || memcmp(e.e_ident, ELFMAG, SELFMAG))
		die("ELF header");
	for (i = 0; i < e.e_phnum; i++) {
		if (pread(fd, &p, sizeof(p), e.e_phoff + i * sizeof(p)) != sizeof(p))
			die("program header");
		if (p.p_type == PT_LOAD && p.p_paddr <= paddr &&
		    paddr + len <= p.p_paddr + p.p_filesz)
			return p.p_offset + (paddr - p.p_paddr);
	}
	fprintf(stderr, "no PT_LOAD holds %#llx+%#llx\n", (unsigned long long)paddr,
		(unsigned long long)len);
	exit(1);
}

/* Waits for N children; returns how many of them failed. */
static int wait_children(int n)
{
	int status, bad = 0;

	while (n-- > 0) {
		if (wait(&status) < 0)
			die("wait");
		bad += !WIFEXITED(status) || WEXITSTATUS(status);
	}
	return bad;
}

int main(int argc, char **argv)
{
	uint64_t t0 = 0, ns = 0, bytes = 0, size, written = 0;
	int fd;

	if (argc >= 4 && !strcmp(argv[1], "read")) {
		fd = open_file(argv[2], &size);
		if (argc > 4 && (!size || size_arg(argv[4]) < size))
			size = size_arg(argv[4]);
		if (!size) {
			fprintf(stderr, "%s: size 0 and no LIMIT\n", argv[2]);
			return 2;
		}
		bytes = read_range(fd, 0, size, size_arg(argv[3]), 1, &ns);
	} else if (argc == 6 && !strcmp(argv[1], "read-paddr")) {
		uint64_t len = size_arg(argv[5]), off;

		fd = open_file(argv[2], &size);
		off = paddr_offset(fd, size_arg(argv[4]), len);
		bytes = read_range(fd, off, len, size_arg(argv[3]), 1, &ns);
		if (bytes != len) {
			fprintf(stderr, "read %llu of %llu bytes\n", (unsigned long long)bytes,
				(unsigned long long)len);
			return 1;
		}
	} else if (argc == 5 && !strcmp(argv[1], "readers")) {
		int i, n = atoi(argv[3]);
		uint64_t part;

		fd = open_file(argv[2], &size);
		close(fd);
		if (n < 1)
			return 2;
		part = (size / n + 4095) & ~4095ULL;
		t0 = now_ns();
		for (i = 0; i < n; i++) {
			if (fork() == 0) {
				uint64_t off = part * i, len, unused = 0;

				fd = open(argv[2], O_RDONLY);
				if (fd < 0 || off >= size)
					_exit(fd < 0);
				len = size - off < part ? size - off : part;
				_exit(read_range(fd, off, len, size_arg(argv[4]), 0, &unused) != len);
			}
		}
		if (wait_children(n))
			return 1;
		bytes = size;
	} else if (argc == 3 && !strcmp(argv[1], "mmap")) {
		const uint64_t chunk = 64 << 20;
		uint64_t off, sums[3] = { 0 };
		int pass;

		fd = open_file(argv[2], &size);
		t0 = now_ns();
		for (pass = 0; pass < 3; pass++) {
			for (off = 0; off < size; off += chunk) {
				size_t len = size - off < chunk ? size - off : chunk;
				const char *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, off);
				size_t i;

				if (map == MAP_FAILED)
					die("mmap");
				for (i = 0; i + 8 <= len; i += 4096)
					sums[pass] += *(const volatile uint64_t *)(map + i) ^ (off + i);
				munmap((void *)map, len);
			}
		}
		bytes = 3 * size;
		if (sums[0] != sums[1] || sums[0] != sums[2]) {
			fprintf(stderr, "mmap: the three passes read different data\n");
			return 1;
		}
		sum = sums[0];
	} else if (argc == 5 && !strcmp(argv[1], "memcpy")) {
		size_t len = size_arg(argv[2]) << 20, bs = size_arg(argv[3]);
		uint64_t total = size_arg(argv[4]), t;
		char *src = malloc(len), *dst = malloc(bs);
		size_t i;

		if (!src || !dst || !bs || len < bs)
			die("malloc");
		/* Different in every page, as old memory is. */
		for (i = 0; i < len; i++)
			src[i] = i * 131 + (i >> 12);
		memset(dst, 0, bs);
		while (bytes < total) {
			size_t n = total - bytes < bs ? total - bytes : bs;
			size_t from = bytes % (len - len % bs);

			t = now_ns();
			memcpy(dst, src + from, n);
			ns += now_ns() - t;
			sum = page_sum(sum, dst, bytes, n);
			bytes += n;
		}
	} else if (argc == 6 && !strcmp(argv[1], "memcpy-procs")) {
		int i, n = atoi(argv[2]);
		size_t part = size_arg(argv[3]) << 20, bs = size_arg(argv[4]);
		uint64_t total = size_arg(argv[5]);
		char *src = n < 1 ? NULL : malloc(part * n);
		size_t j;
		pid_t pid;

		if (!src || !bs || part < bs)
			die("memcpy-procs");
		for (j = 0; j < part * n; j++)
			src[j] = j * 131 + (j >> 12);
		/* Each process cycles through its own part of the source. */
		part = part / bs * bs;
		t0 = now_ns();
		for (i = 0; i < n; i++) {
			pid = fork();
			if (pid < 0)
				die("fork");
			if (pid == 0) {
				char *dst = malloc(bs), *from = src + part * i;
				uint64_t done = 0, mine = total / n;

				if (!dst)
					_exit(1);
				while (done < mine) {
					size_t k = mine - done < bs ? mine - done : bs;

					memcpy(dst, from + done % part, k);
					/* The copy is the work: keep it. */
					__asm__ volatile("" : : "r"(dst) : "memory");
					done += k;
				}
				_exit(0);
			}
		}
		if (wait_children(n))
			return 1;
		bytes = total / n * n;
	} else if (argc == 5 && !strcmp(argv[1], "copy")) {
		int out = open(argv[3], O_WRONLY);

		if (out < 0)
			die(argv[3]);
		fd = open_file(argv[2], &size);
		t0 = now_ns();
		bytes = copy_sparse(fd, out, size_arg(argv[4]), &written);
		if (bytes != size) {
			fprintf(stderr, "%s: copied %llu of %llu bytes\n", argv[2],
				(unsigned long long)bytes, (unsigned long long)size);
			return 1;
		}
	} else if (argc >= 3 && !strcmp(argv[1], "time")) {
		int status;
		pid_t pid;

		t0 = now_ns();
		pid = fork();
		if (pid == 0) {
			int null = open("/dev/null", O_WRONLY);
			int err = open("/tmp/vmcore_bench.err", O_WRONLY | O_CREAT | O_TRUNC, 0600);

			dup2(null, 1);
			dup2(err < 0 ? null : err, 2);
			execvp(argv[2], argv + 2);
			_exit(127);
		}
		if (pid < 0 || wait4(pid, &status, 0, &cpu) != pid)
			die("fork");
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			return 1;
	} else {
		fprintf(stderr, "usage: see the comment at the top of vmcore_bench.c\n");
		return 2;
	}
	/* The modes that time their operation piecewise have set ns. */
	if (t0)
		ns = now_ns() - t0;
	if (!strcmp(argv[1], "read") || !strcmp(argv[1], "mmap") || !strcmp(argv[1], "memcpy"))
		printf("bytes=%llu ns=%llu sum=%#llx\n", (unsigned long long)bytes,
		       (unsigned long long)ns, (unsigned long long)sum);
	else if (!strcmp(argv[1], "copy"))
		printf("bytes=%llu ns=%llu written=%llu\n", (unsigned long long)bytes,
		       (unsigned long long)ns, (unsigned long long)written);
	else if (!strcmp(argv[1], "time"))
		printf("bytes=%llu ns=%llu user_ns=%llu sys_ns=%llu\n",
		       (unsigned long long)bytes, (unsigned long long)ns,
		       (unsigned long long)cpu_ns(&cpu.ru_utime),
		       (unsigned long long)cpu_ns(&cpu.ru_stime));
	else
		printf("bytes=%llu ns=%llu\n", (unsigned long long)bytes,
		       (unsigned long long)ns);
	return 0;
}
