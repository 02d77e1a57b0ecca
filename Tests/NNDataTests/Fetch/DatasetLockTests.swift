import Foundation
import Testing

@testable import NNData

@Suite struct DatasetLockTests {
    private func tempFolder() throws -> String {
        let path = NSTemporaryDirectory() + "nnzoo-lock-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func aSecondLockerSaysItIsWaitingThenGetsTheLock() throws {
        let folder = try tempFolder() + "/mnist"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try DatasetLock(folder: folder, dataset: "mnist")
        #expect(first.path == folder + "/.lock")
        // The holder's id and command line, for whoever finds the folder locked.
        let holder = try String(contentsOfFile: first.path, encoding: .utf8)
        #expect(holder.hasPrefix("pid \(getpid()): nnzoo ") && holder.hasSuffix("\n"))

        let waiting = DispatchSemaphore(value: 0)
        let acquired = DispatchSemaphore(value: 0)
        let messages = LineCollector()
        Thread.detachNewThread {
            do {
                let second = try DatasetLock(
                    folder: folder, dataset: "mnist",
                    onWait: { message in
                        messages.append(message)
                        waiting.signal()
                    }, pollInterval: 0.01)
                messages.append("acquired")
                second.release()
            } catch {
                messages.append("error: \(error)")
            }
            waiting.signal()  // if it never waited: a failure below, not a hang
            acquired.signal()
        }
        waiting.wait()
        #expect(messages.all.count == 1, "still waiting while the first holds the lock")
        first.release()
        acquired.wait()
        #expect(
            messages.all == [
                "Another nnzoo process (\(holder.dropLast())) is using mnist in \(folder); waiting for it to "
                    + "finish (lock file \(folder)/.lock).",
                "acquired",
            ])
    }

    @Test func waitingCanTimeOut() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let holder = try DatasetLock(folder: folder, dataset: "digits")
        #expect(throws: FetchError.lockTimedOut(path: folder + "/.lock", dataset: "digits", seconds: 0)) {
            try DatasetLock(folder: folder, dataset: "digits", pollInterval: 0.001, timeout: 0)
        }
        holder.release()
        _ = try DatasetLock(folder: folder, dataset: "digits", timeout: 0)
    }

    @Test func sharedLocksCoexistButExcludeAWriter() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let reader1 = try DatasetLock(folder: folder, dataset: "x", shared: true)
        let reader2 = try DatasetLock(folder: folder, dataset: "x", shared: true, timeout: 0)
        #expect(throws: FetchError.self) { try DatasetLock(folder: folder, dataset: "x", timeout: 0) }
        reader1.release()
        reader2.release()
        _ = try DatasetLock(folder: folder, dataset: "x", timeout: 0)
    }

    @Test func anUnwritableDataDirectoryIsASentence() throws {
        guard getuid() != 0 else {
            // root ignores permissions; a read-only file system stands in for them.
            #expect(throws: FetchError.self) { try DatasetLock(folder: "/proc/nnzoo-test/mnist", dataset: "mnist") }
            return
        }
        let parent = try tempFolder()
        defer {
            chmod(parent, 0o755)
            try? FileManager.default.removeItem(atPath: parent)
        }
        chmod(parent, 0o555)
        #expect(throws: FetchError.self) { try DatasetLock(folder: parent + "/mnist", dataset: "mnist") }
    }
}
