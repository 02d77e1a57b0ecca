import Foundation
import NNCore
import Testing

/// With a BLAS that computes wrong products, nnzoo refuses to train or evaluate, before touching
/// anything. The wrong BLAS is real: a shared library put before OpenBLAS with LD_PRELOAD, whose
/// `cblas_sgemm` calls OpenBLAS's and then adds 1 to the last element of C when A is transposed, B is
/// not, and the product is one of OpenBLAS's large ones (as a faulty packed kernel would).
@Suite(.serialized) struct BLASCheckCommandTests {
    static let shimSource = """
        #define _GNU_SOURCE
        #include <dlfcn.h>
        typedef void (*sgemm_t)(int, int, int, int, int, int, float, const float *, int, const float *, int,
                                float, float *, int);
        void cblas_sgemm(int order, int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
                         const float *b, int ldb, float beta, float *c, int ldc) {
            sgemm_t real = (sgemm_t)dlsym(RTLD_NEXT, "cblas_sgemm");
            real(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            if (ta == 112 && tb == 111 && (long)m * n * k > 1000000) c[(long)(m - 1) * ldc + n - 1] += 1;
        }
        """

    /// Builds the wrong BLAS into `folder` with the C compiler on PATH (Swift's toolchain has clang).
    static func wrongBLAS(in folder: TempFolder) throws -> String {
        let source = folder.write(Array(shimSource.utf8), to: "wrong-sgemm.c")
        let library = folder.path + "/wrong-sgemm.so"
        let compilers = ["clang", "cc", "gcc"]
        for compiler in compilers {
            let result = try CLI.shell(
                "command -v \(compiler) >/dev/null && \(compiler) -shared -fPIC -o \(shellQuoted(library)) "
                    + "\(shellQuoted(source))", in: folder.path)
            if result.status == 0 { return library }
        }
        throw CompilerMissing(tried: compilers)
    }

    struct CompilerMissing: Error, CustomStringConvertible {
        let tried: [String]
        var description: String { "No C compiler on PATH to build the wrong BLAS with (tried \(tried))" }
    }

    /// The refusal's first lines for a mismatch the shim makes, in this environment.
    static func expectRefusal(_ result: CLI.Result, command: String) {
        #expect(result.status == 1)
        #expect(
            result.stderr.hasPrefix(
                "Error: The BLAS library computes wrong matrix products on this machine, so nnzoo will not train or "
                    + "evaluate with it"), "\(result.stderr)")
        #expect(
            result.stderr.contains(
                "sgemm (A transposed, B as stored) 67x131x120 (m x n x k), beta 1 gave C[66, 130] = "),
            "\(result.stderr)")
        let kernel = BLASCheck.kernelName
        let coreType = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
        #expect(
            result.stderr.contains(
                "The library: \(BLASCheck.libraryConfiguration) (openblas_get_config), running its \(kernel) kernels "
                    + "(openblas_get_corename); "
                    + (coreType.map { "OPENBLAS_CORETYPE=\($0) is set" } ?? "OPENBLAS_CORETYPE is not set")),
            "\(result.stderr)")
        #expect(
            result.stderr.contains(
                "\n    OPENBLAS_CORETYPE=\(BLASCheckFailure.olderKernel(than: kernel)) \(CLI.program) \(command)\n"),
            "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func trainRefusesAWrongBLASBeforeMakingARunFolder() throws {
        let folder = TempFolder()
        let wrong = try Self.wrongBLAS(in: folder)
        let result = try CLI.run(
            ["train", "digits-mlp", "--epochs", "1", "--threads", "1"], in: folder.path,
            environment: ["LD_PRELOAD": wrong])
        Self.expectRefusal(result, command: "train digits-mlp --epochs 1 --threads 1")
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/runs"), "no run folder")
    }

    @Test func evalAndResumeRefuseAWrongBLASAndWriteNothing() throws {
        let folder = TempFolder()
        let run = folder.path + "/run"
        let train = try CLI.run(["train", "digits-mlp", "--epochs", "1", "--threads", "1", "--out", run])
        #expect(train.status == 0, "\(train.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: run).sorted()
        let wrong = try Self.wrongBLAS(in: folder)
        let eval = try CLI.run(["eval", run], in: folder.path, environment: ["LD_PRELOAD": wrong])
        Self.expectRefusal(eval, command: "eval \(run)")
        let resume = try CLI.run(
            ["train", "--resume", run, "--epochs", "2"], in: folder.path, environment: ["LD_PRELOAD": wrong])
        Self.expectRefusal(resume, command: "train --resume \(run) --epochs 2")
        #expect(try FileManager.default.contentsOfDirectory(atPath: run).sorted() == files, "nothing written")
        // The same commands with OpenBLAS alone run.
        #expect(try CLI.run(["eval", run], in: folder.path).status == 0)
    }
}
