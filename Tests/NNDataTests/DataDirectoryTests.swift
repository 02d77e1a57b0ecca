import Foundation
import Testing

@testable import NNData

@Suite struct DataDirectoryTests {
    @Test func explicitBeatsEnvironmentBeatsDefault() {
        let env = ["NNZOO_DATA": "/srv/datasets"]
        #expect(DataDirectory.resolve(explicit: "/tmp/d/", environment: env) == "/tmp/d")
        #expect(DataDirectory.resolve(explicit: nil, environment: env) == "/srv/datasets")
        let cwd = FileManager.default.currentDirectoryPath
        #expect(
            DataDirectory.resolve(explicit: nil, environment: [:])
                == URL(fileURLWithPath: cwd + "/Data").standardizedFileURL.path)
        #expect(DataDirectory.resolve(explicit: "", environment: [:]).hasSuffix("/Data"))
    }
}
