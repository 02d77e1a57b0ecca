import NNCore
import Testing

/// `.threads(n)`: every test of a suite (or one test) runs with `Parallel.withThreadCount(n)`, a
/// count of its own task, so a suite running beside it that sets another count (globally or for
/// itself) cannot change it between two passes the test compares.
struct ThreadCountTrait: SuiteTrait, TestTrait, TestScoping {
    let count: Int

    var isRecursive: Bool { true }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await Parallel.$taskThreadCount.withValue(count) { try await function() }
    }
}

extension Trait where Self == ThreadCountTrait {
    static func threads(_ count: Int) -> Self { ThreadCountTrait(count: count) }
}
