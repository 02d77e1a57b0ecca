import Testing

@testable import NNCore

@Suite struct SystemMemoryTests {
    @Test func sizesWithAndWithoutUnits() {
        #expect(SystemMemory.parseSize("123") == 123)
        #expect(SystemMemory.parseSize("64k") == 64 << 10)
        #expect(SystemMemory.parseSize(" 512M ") == 512 << 20)
        #expect(SystemMemory.parseSize("2G") == 2 << 30)
        for bad in ["abc", "", "0", "-5", "1.5G", "12X", "9999999999999G"] {
            #expect(SystemMemory.parseSize(bad) == nil, "\(bad)")
        }
    }

    /// An unusable NNZOO_MEMORY_LIMIT is an error naming it (it was ignored: "abc" meant no limit);
    /// empty counts as unset.
    @Test func theEnvironmentsLimitIsAppliedOrRefused() throws {
        let limited = try SystemMemory.limit(environment: ["NNZOO_MEMORY_LIMIT": "100K"])
        #expect(limited.bytes == 100 << 10 && limited.source == "NNZOO_MEMORY_LIMIT")
        let unset = try SystemMemory.limit(environment: ["NNZOO_MEMORY_LIMIT": ""])
        #expect(unset.source != "NNZOO_MEMORY_LIMIT")
        #expect(throws: SystemMemoryError.badLimit(value: "abc")) {
            try SystemMemory.limit(environment: ["NNZOO_MEMORY_LIMIT": "abc"])
        }
    }
}
