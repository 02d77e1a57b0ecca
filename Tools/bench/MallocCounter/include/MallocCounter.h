#ifndef NNBENCH_MALLOC_COUNTER_H
#define NNBENCH_MALLOC_COUNTER_H
// Counts heap allocations of the whole nnbench process (Swift runtime, Foundation, OpenBLAS, ...)
// by defining malloc and friends in the executable, which the dynamic linker then prefers to
// glibc's; each wrapper counts and forwards to glibc's own allocator (__libc_malloc & co.).
// Linked into nnbench only, never into the product.

/// Allocation calls (malloc, calloc, realloc, memalign, posix_memalign, aligned_alloc) so far.
unsigned long long nnbench_allocation_count(void);

/// Of those, the ones of 1 KiB or more (anything a tensor buffer would need).
unsigned long long nnbench_large_allocation_count(void);

/// Heap bytes in use (glibc's mallinfo2: uordblks + hblkhd).
unsigned long long nnbench_heap_in_use(void);

/// The peak resident set size of the process so far, in KiB (getrusage).
long nnbench_peak_rss_kib(void);

#endif
