import Foundation
import Testing

@testable import nnzoo

/// Recipe arguments complete as names, or as paths to recipe files once a `/` is typed.
@Suite struct CompletionsTests {
    @Test func aPathCompletesToFoldersAndRecipeFiles() throws {
        let folder = TempFolder()
        folder.write(Array("{}".utf8), to: "mine/a.json")
        folder.write(Array("{}".utf8), to: "mine/b.json")
        folder.write(Array("x".utf8), to: "mine/notes.txt")
        folder.write(Array("{}".utf8), to: "mine/.hidden.json")
        folder.write(Array("{}".utf8), to: "mine/sub/c.json")
        #expect(
            Completions.paths("mine/", extension: "json", in: folder.path) == [
                "mine/a.json", "mine/b.json", "mine/sub/",
            ])
        #expect(Completions.paths("mine/a", extension: "json", in: folder.path) == ["mine/a.json"])
        #expect(Completions.paths("mine/.", extension: "json", in: folder.path) == ["mine/.hidden.json"])
        #expect(Completions.paths("mine/sub/", extension: "json", in: folder.path) == ["mine/sub/c.json"])
        #expect(Completions.paths(folder.path + "/mi", extension: "json") == [folder.path + "/mine/"])
        #expect(Completions.paths("nowhere/", extension: "json", in: folder.path).isEmpty)
    }

    @Test func theToolAnswersCompletionRequestsWithRecipeNames() throws {
        let result = try CLI.run(["---completion", "train", "--", "positional@0", "2", "3", "nnzoo", "train", "sig"])
        #expect(result.status == 0)
        #expect(result.stdout == "sigmoid-mlp\nsigmoid-mlp-mse\n")
        let path = try CLI.run(["---completion", "train", "--", "positional@0", "2", "6", "nnzoo", "train", "zoo/di"])
        #expect(path.stdout == "zoo/digits-hinge.json\nzoo/digits-mlp.json\n")
        let datasets = try CLI.run(["---completion", "fetch", "--", "positional@0", "2", "0", "nnzoo", "fetch", ""])
        #expect(datasets.stdout == "mnist\nfashion-mnist\ncifar10\ndigits\n")
    }
}
