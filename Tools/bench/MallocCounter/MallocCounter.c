#include "MallocCounter.h"

#include <errno.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/resource.h>

// glibc's allocator under its internal names (exported by libc.so.6 since glibc 2.0).
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

static _Atomic unsigned long long allocations;
static _Atomic unsigned long long large_allocations;

static inline void count_one(size_t size) {
    atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    if (size >= 1024) atomic_fetch_add_explicit(&large_allocations, 1, memory_order_relaxed);
}

unsigned long long nnbench_allocation_count(void) {
    return atomic_load_explicit(&allocations, memory_order_relaxed);
}

unsigned long long nnbench_large_allocation_count(void) {
    return atomic_load_explicit(&large_allocations, memory_order_relaxed);
}

void *malloc(size_t size) {
    count_one(size);
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
    count_one(count * size);
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    count_one(size);
    return __libc_realloc(pointer, size);
}

void *memalign(size_t alignment, size_t size) {
    count_one(size);
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    count_one(size);
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    count_one(size);
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    *result = pointer;
    return 0;
}

unsigned long long nnbench_heap_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return (unsigned long long)(info.uordblks + info.hblkhd);
}

long nnbench_peak_rss_kib(void) {
    struct rusage usage;
    if (getrusage(RUSAGE_SELF, &usage) != 0) return -1;
    return usage.ru_maxrss;
}
