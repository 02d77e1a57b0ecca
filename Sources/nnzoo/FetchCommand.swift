import ArgumentParser
import Foundation
import NNCore
import NNData

/// `nnzoo fetch`: verified, resumable downloads with mirrors and offline sources.
struct FetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download datasets into the data directory, verified; resumable, with mirrors and offline sources.",
        discussion: examplesAsInvoked(
            """
            Sources are tried in order: folders given with --from, copies installed by system packages \
            (Debian's dataset-fashion-mnist), the dataset's canonical URLs, then --mirror URLs and \
            $NNZOO_MIRROR (comma-separated). Downloads go to <file>.part and resume with an HTTP Range \
            request after an interruption. Every file is verified before it is used: the published \
            archive checksum when it came from a canonical URL, and always the SHA-256 and structure of \
            its decompressed content. A file that fails is never used: a copy in the data directory is \
            moved aside as <file>.rejected-<time>; a download, as <file>.rejected-download-<time> cut to \
            its first MiB (the newest three are kept). Downloads are bounded by the size the file can \
            have, --timeout, --min-rate (16 kB/s unless set) and a deadline per file.

            Examples:
              nnzoo fetch mnist
              nnzoo fetch --list
              nnzoo fetch mnist --mirror http://mirror.internal/datasets/{dataset}/
              nnzoo fetch mnist --print-urls    (download elsewhere, then use --from)
              nnzoo fetch mnist --from ~/Downloads
              nnzoo fetch fashion-mnist --offline
            """)
    )

    @Argument(
        help: ArgumentHelp("Datasets to fetch.", valueName: "dataset"), completion: Completions.registryDatasets)
    var datasets: [String] = []

    @Flag(help: "Fetch every dataset in the registry.")
    var all = false

    @Flag(help: "List every dataset with its download size and whether it is present and verified.")
    var list = false

    @Flag(
        help:
            "Re-hash the files on disk and check them again; move aside any that fail. With --all, datasets never fetched are skipped."
    )
    var verify = false

    @Flag(name: .customLong("print-urls"), help: "Print each file's URLs, size and SHA-256 instead of downloading.")
    var printURLs = false

    @Flag(help: "Never use the network: only --from folders and copies installed on this machine.")
    var offline = false

    @Option(
        name: .customLong("mirror"),
        help: ArgumentHelp(
            "A mirror's base URL, tried after the canonical URLs (repeatable); {dataset} becomes the dataset name.",
            valueName: "url"))
    var mirrors: [String] = []

    @Option(
        name: .customLong("from"),
        help: ArgumentHelp(
            "A folder holding files downloaded by hand: verified, then copied (repeatable).", valueName: "dir"),
        completion: .directory)
    var fromFolders: [String] = []

    // Numeric options parse `.unconditional`: `--timeout -1` is a value to refuse with a reason.
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Seconds without data (or below --min-rate) before a download is abandoned; a server also has this long to answer.",
            valueName: "seconds"))
    var timeout: Double = 30

    @Option(
        name: .customLong("min-rate"), parsing: .unconditional,
        help: ArgumentHelp(
            "The slowest a download may be, in bytes per second averaged over each --timeout span (500, 16k, 1.5M; k = 1000); slower is stopped and retried. A file must also arrive within its size at this rate plus twice --timeout, at most 6 hours.",
            valueName: "bytes-per-second"))
    var minRate: String = "16k"

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Attempts per source after a dropped connection, timeout or server error.", valueName: "n"))
    var attempts: Int = 3

    /// Bounds that keep a typo from becoming a wait of days: a day without data, 100 attempts.
    static let maxTimeout = 86400.0
    static let maxAttempts = 100
    /// The fastest --min-rate (1 GB/s): above any link, so larger is a typo.
    static let maxMinimumRate = 1e9

    /// A rate as --min-rate takes it: a number of bytes per second, with k, M or G for 1000,
    /// 1000000 or 1000000000 (as the progress line writes rates: kB/s), and optionally B/s after
    /// it (`16k`, `1.5M`, `500`, `64kB/s`); nil for anything else or outside 1 byte to 1 GB per second.
    static func bytesPerSecond(_ text: String) -> Double? {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        for suffix in ["B/s", "/s", "B"] where rest.hasSuffix(suffix) {
            rest = rest.dropLast(suffix.count)
            break
        }
        let units: [Character: Double] = ["k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9]
        var unit = 1.0
        if let last = rest.last, let factor = units[last] {
            rest = rest.dropLast()
            unit = factor
        }
        guard rest.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), rest.first?.isNumber == true,
            rest.last?.isNumber == true, let number = Double(rest)
        else { return nil }
        let rate = number * unit
        return rate >= 1 && rate <= maxMinimumRate ? rate : nil
    }

    /// The download settings of the options.
    var downloadSettings: DownloadSettings {
        DownloadSettings(attempts: attempts, idleTimeout: timeout, minimumRate: Self.bytesPerSecond(minRate) ?? 16_000)
    }

    @OptionGroup var data: DataOptions

    func validate() throws {
        try EmptyNames.refuse("A dataset name", datasets, want: "a dataset's name")
        try EmptyNames.refuse("--from", fromFolders, want: "the folder that holds the downloaded files")
        try EmptyNames.refuse(
            "--mirror", mirrors, want: "a base URL such as http://mirror.example.org/datasets/{dataset}/")
        if [list, verify, printURLs].filter({ $0 }).count > 1 {
            throw ValidationError("Use only one of --list, --verify and --print-urls.")
        }
        if !list && datasets.isEmpty && !all {
            throw ValidationError(
                "Name the datasets to fetch (\(DatasetRegistry.all.map(\.name).joined(separator: ", "))), "
                    + "or use --all, or --list to see them.")
        }
        if all && !datasets.isEmpty {
            throw ValidationError("Give dataset names or --all, not both.")
        }
        for name in datasets where DatasetRegistry.dataset(named: name) == nil {
            throw ValidationError(
                FetchError.unknownDataset(name: name, known: DatasetRegistry.all.map(\.name)).description)
        }
        guard timeout.isFinite, timeout > 0, timeout <= Self.maxTimeout else {
            throw ValidationError(
                "--timeout must be a number of seconds more than 0 and at most \(Int(Self.maxTimeout)) (got \(timeout))."
            )
        }
        guard (1...Self.maxAttempts).contains(attempts) else {
            throw ValidationError("--attempts must be between 1 and \(Self.maxAttempts) (got \(attempts)).")
        }
        guard Self.bytesPerSecond(minRate) != nil else {
            throw ValidationError(
                "--min-rate must be a number of bytes per second from 1 to 1G, such as 500, 16k or 1.5M (k = 1000, "
                    + "M = 1000000; got \(InputText.quoted(minRate))).")
        }
        for mirror in mirrors {
            do {
                try SourcePlan.validate(mirror: mirror)
            } catch let error as FetchError {
                throw ValidationError(error.description)
            }
        }
    }

    /// The specs asked for: the named ones in order (no repeats), or all of them.
    var specs: [DatasetSpec] {
        if all || datasets.isEmpty { return DatasetRegistry.all }
        var seen = Set<String>()
        return datasets.compactMap(DatasetRegistry.dataset(named:)).filter { seen.insert($0.name).inserted }
    }

    func run() throws {
        let dataDirectory = data.path
        if list {
            let statuses = specs.map { DatasetStatus($0, dataDirectory: dataDirectory) }
            print(DatasetStatus.table(statuses, dataDirectory: dataDirectory))
            return
        }
        if printURLs {
            let environment = ProcessInfo.processInfo.environment
            print(
                specs.map {
                    FetchURLList.render($0, dataDirectory: dataDirectory, mirrors: mirrors, environment: environment)
                }.joined(separator: "\n\n"))
            return
        }

        var configuration = FetchConfiguration(dataDirectory: dataDirectory)
        configuration.fromFolders = fromFolders
        configuration.mirrors = mirrors
        configuration.offline = offline
        configuration.download = downloadSettings
        let output = FetchOutput(
            message: { line in FileHandle.standardError.write(Data((line + "\n").utf8)) },
            progress: .standardError)
        let fetcher = DatasetFetcher(configuration: configuration, output: output)

        let failures = Self.fetchOrVerify(
            specs, with: fetcher, verify: verify, skippingAbsent: verify && all,
            report: { line in
                print(line)
                // Keep the summary lines in step with the messages on standard error.
                fflush(stdout)
            },
            fail: { line in FileHandle.standardError.write(Data((line + "\n").utf8)) })
        if failures > 0 { throw ExitCode.failure }
    }
}

extension FetchCommand {
    /// Fetches (or with `verify`, re-verifies) each dataset in turn, reporting a line per dataset
    /// and an `Error:` line per failure; returns the number of failures. With `skippingAbsent`
    /// (`--verify --all`), a dataset of which no file is on disk is reported as not downloaded, not
    /// as a failure: a verified set of what is present is success. One that is there only in part,
    /// or fails, still counts.
    static func fetchOrVerify(
        _ specs: [DatasetSpec], with fetcher: DatasetFetcher, verify: Bool, skippingAbsent: Bool,
        report: (String) -> Void, fail: (String) -> Void
    ) -> Int {
        var failures = 0
        var absent = 0
        for spec in specs {
            do {
                if verify {
                    let verified = try fetcher.verifyOnDisk(spec)
                    report("\(spec.name): \(verified.count) of \(spec.files.count) files verified")
                } else {
                    let verified = try fetcher.fetch(spec)
                    let files = verified.count == 1 ? "1 file" : "\(verified.count) files"
                    report("\(spec.name): \(files) verified in \(fetcher.folder(of: spec))")
                }
            } catch FetchError.notPresent(let dataset, let missing, _)
                where skippingAbsent && missing.count == spec.files.count
            {
                absent += 1
                report(
                    "\(dataset): not downloaded, nothing to verify "
                        + "(\(Invocation.current.command("fetch \(dataset)")) downloads it)")
            } catch {
                failures += 1
                fail("Error: \(error)")
            }
        }
        if skippingAbsent && absent == specs.count && !specs.isEmpty {
            report("No dataset is in \(fetcher.configuration.dataDirectory): nothing was verified.")
        }
        return failures
    }
}
