#if canImport(Glibc)
    import Glibc
#endif

/// Hints about how memory will be used.
public enum MemoryAdvice {
    /// Asks the kernel to back `buffer` with 2 MB pages where it can (Linux `madvise` with
    /// `MADV_HUGEPAGE`, which this system's transparent huge pages need; a no-op elsewhere). For
    /// large arrays read at random, such as a dataset's images gathered batch by batch: with 4 KB
    /// pages nearly every image read costs a TLB miss and a page-table walk. Call it before the
    /// memory is first written, so the pages are huge from the start. Only the 2 MB-aligned part
    /// of the buffer is advised; buffers under 4 MB are left alone.
    public static func preferHugePages(_ buffer: UnsafeMutableRawBufferPointer) {
        #if os(Linux)
            let huge = 2 << 20
            guard let base = buffer.baseAddress, buffer.count >= 2 * huge else { return }
            let start = (Int(bitPattern: base) + huge - 1) & ~(huge - 1)
            let end = (Int(bitPattern: base) + buffer.count) & ~(huge - 1)
            guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
            _ = madvise(aligned, end - start, MADV_HUGEPAGE)
        #endif
    }
}
