import Foundation
import Testing

@testable import NNData

@Suite struct SourcePlanTests {
    @Test func foldersFirstThenCanonicalThenMirrorsThenEnvironment() throws {
        let from = NSTemporaryDirectory() + "nnzoo-plan-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: from, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: from) }
        let plan = try SourcePlan(
            systemFolders: ["/usr/share/datasets/fashion-mnist"], fromFolders: [from],
            mirrors: ["http://a.example/x/", "https://b.example/{dataset}"],
            environment: ["NNZOO_MIRROR": " http://c.example/ , ,http://a.example/x/"])
        #expect(
            plan.sources == [
                .folder(URL(fileURLWithPath: from).standardizedFileURL.path, .user),
                .folder("/usr/share/datasets/fashion-mnist", .system),
                .canonical,
                .mirror("http://a.example/x/"),
                .mirror("https://b.example/{dataset}"),
                .mirror("http://c.example/"),
            ])
    }

    @Test func offlineKeepsOnlyFolders() throws {
        let plan = try SourcePlan(
            systemFolders: ["/sys-folder"], mirrors: ["http://a.example/"],
            environment: ["NNZOO_MIRROR": "http://c.example/"], offline: true)
        #expect(plan.sources == [.folder("/sys-folder", .system)])
        #expect(plan.offline)
    }

    @Test func mirrorURLsGetTheFileNameAndDataset() {
        #expect(
            FetchSource.url(mirror: "http://m.example/{dataset}", dataset: "mnist", fileName: "a.gz")
                == "http://m.example/mnist/a.gz")
        #expect(
            FetchSource.url(mirror: "http://127.0.0.1:8000/", dataset: "mnist", fileName: "a.gz")
                == "http://127.0.0.1:8000/a.gz")
    }

    @Test func badMirrorsAndMissingFoldersAreSentences() {
        #expect(
            throws: FetchError.invalidMirror(
                "ftp://x.example/", reason: "only http:// and https:// mirrors are supported (for a folder, use --from)"
            )
        ) { try SourcePlan(systemFolders: [], mirrors: ["ftp://x.example/"], environment: [:]) }
        #expect(throws: FetchError.invalidMirror("not a url", reason: "it is not a URL")) {
            try SourcePlan(systemFolders: [], mirrors: ["not a url"], environment: [:])
        }
        #expect(throws: FetchError.fromFolderNotFound(path: "/nonexistent-nnzoo")) {
            try SourcePlan(systemFolders: [], fromFolders: ["/nonexistent-nnzoo"], environment: [:])
        }
        #expect(
            FetchError.fromFolderNotFound(path: "/x").description
                == "The folder given with --from, /x, does not exist or is not a folder. Give the folder that holds "
                + "the downloaded files.")
    }

    @Test func theAggregatedMessageListsEverySourceAndTheWaysOut() {
        let error = FetchError.unavailable(
            dataset: "mnist",
            files: [
                UnavailableFile(
                    name: "train-images-idx3-ubyte.gz",
                    attempts: [
                        SourceAttempt(
                            location: "https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz",
                            failure: .hostNotFound("ossci-datasets.s3.amazonaws.com")),
                        SourceAttempt(
                            location: "http://127.0.0.1:8000/train-images-idx3-ubyte.gz", failure: .httpStatus(404)),
                    ])
            ], fetched: ["t10k-images-idx3-ubyte.gz"], offline: false)
        #expect(
            error.description == """
                Could not fetch mnist: train-images-idx3-ubyte.gz is unavailable from every source.
                train-images-idx3-ubyte.gz, sources tried in order:
                  - https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz: cannot resolve the host name ossci-datasets.s3.amazonaws.com (no network connection, or no DNS)
                  - http://127.0.0.1:8000/train-images-idx3-ubyte.gz: the server answered 404 Not Found (the file is not there)
                Fetched and verified: t10k-images-idx3-ubyte.gz.
                Ways out:
                  - a mirror that has the files: nnzoo fetch mnist --mirror URL (repeatable, or NNZOO_MIRROR=URL1,URL2; the file name is appended to URL, {dataset} in URL becomes mnist);
                  - download them on another machine: nnzoo fetch mnist --print-urls lists every URL with its size and SHA-256; then nnzoo fetch mnist --from DIR imports and verifies them.
                """)
    }

    @Test func rejectedFilesAreMovedAsideWithATimestamp() throws {
        let folder = NSTemporaryDirectory() + "nnzoo-reject-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let when = Date(timeIntervalSince1970: 1_700_000_000)  // 2023-11-14 22:13:20 UTC
        for _ in 0..<2 {
            FileManager.default.createFile(atPath: folder + "/a.gz.part", contents: Data([1, 2]))
            _ = try RejectedFile.moveAside(folder + "/a.gz.part", now: when)
        }
        #expect(
            RejectedFile.list("a.gz", in: folder) == [
                folder + "/a.gz.rejected-20231114T221320Z", folder + "/a.gz.rejected-20231114T221320Z-2",
            ])
        #expect(!FileManager.default.fileExists(atPath: folder + "/a.gz.part"))
    }

    /// Rejected downloads made within one second: each new one sorts last (by counter as a number,
    /// never a pruned name reused), so pruning keeps the newest three, the one just made among them.
    @Test func rejectedDownloadsWithinOneSecondKeepTheNewest() throws {
        let folder = TempFolder()
        let when = Date(timeIntervalSince1970: 1_700_000_000)  // 2023-11-14 22:13:20 UTC
        let name = "a.gz.rejected-download-20231114T221320Z"
        for run in 1...11 {
            let part = folder.write([UInt8(run)], to: "a.gz.part")
            let kept = try RejectedFile.keepRejectedDownload(part, now: when)
            #expect(kept.path == folder.path + "/" + name + (run == 1 ? "" : "-\(run)"))
            #expect(RejectedFile.list("a.gz", in: folder.path).last == kept.path)
        }
        #expect(
            RejectedFile.list("a.gz", in: folder.path) == [9, 10, 11].map { folder.path + "/\(name)-\($0)" })
    }
}
