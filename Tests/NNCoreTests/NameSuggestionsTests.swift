import Testing

@testable import NNCore

@Suite struct NameSuggestionsTests {
    let recipes = ["convnet-dropout", "convnet-dropout-augmented", "digits-mlp", "mlp-784-100-10", "sigmoid-mlp"]
    let datasets = ["mnist", "fashion-mnist", "cifar10", "digits"]

    @Test func editDistanceCountsSwapsOfNeighboursAsOne() {
        #expect(NameSuggestions.editDistance("digits-mpl", "digits-mlp") == 1)
        #expect(NameSuggestions.editDistance("kitten", "sitting") == 3)
        #expect(NameSuggestions.editDistance("", "abc") == 3)
        #expect(NameSuggestions.editDistance("abc", "") == 3)
        #expect(NameSuggestions.editDistance("abc", "abc") == 0)
        #expect(NameSuggestions.editDistance("ab", "ba") == 1)
        // Optimal string alignment: a swapped pair is not edited again ("ca" -> "abc" is 3, not 2).
        #expect(NameSuggestions.editDistance("ca", "abc") == 3)
        #expect(NameSuggestions.editDistance("mnist", "fashion-mnist") == 8)
    }

    @Test func aMisspeltRecipeGetsTheNearestNames() {
        #expect(NameSuggestions.nearest(to: "digits-mpl", among: recipes) == ["digits-mlp"])
        #expect(NameSuggestions.nearest(to: "Digits-MLP", among: recipes) == ["digits-mlp"])
        #expect(NameSuggestions.nearest(to: "sigmoid_mlp", among: recipes) == ["sigmoid-mlp"])
        // A part of a name: every name that contains it, nearest first.
        #expect(
            NameSuggestions.nearest(to: "convnet", among: recipes) == ["convnet-dropout", "convnet-dropout-augmented"])
        #expect(NameSuggestions.nearest(to: "mlp", among: recipes) == ["digits-mlp", "sigmoid-mlp", "mlp-784-100-10"])
        #expect(NameSuggestions.nearest(to: "mlp", among: recipes, limit: 2) == ["digits-mlp", "sigmoid-mlp"])
        // Nothing close: no suggestion.
        #expect(NameSuggestions.nearest(to: "resnet50", among: recipes).isEmpty)
        #expect(NameSuggestions.nearest(to: "", among: recipes).isEmpty)
        #expect(NameSuggestions.nearest(to: "digits-mlp", among: recipes).isEmpty)
    }

    @Test func aMisspeltDatasetGetsTheNearestNames() {
        #expect(NameSuggestions.nearest(to: "fasion-mnist", among: datasets) == ["fashion-mnist"])
        #expect(NameSuggestions.nearest(to: "mnsit", among: datasets) == ["mnist"])
        #expect(NameSuggestions.nearest(to: "cifar", among: datasets) == ["cifar10"])
        #expect(NameSuggestions.nearest(to: "cifar100", among: datasets) == ["cifar10"])
        #expect(NameSuggestions.nearest(to: "digit", among: datasets) == ["digits"])
        #expect(NameSuggestions.nearest(to: "svhn", among: datasets).isEmpty)
    }

    @Test func theSentenceListsTheSuggestions() {
        #expect(NameSuggestions.didYouMean("digits-mpl", among: recipes) == " Did you mean digits-mlp?")
        #expect(
            NameSuggestions.didYouMean("convnet", among: recipes)
                == " Did you mean convnet-dropout or convnet-dropout-augmented?")
        #expect(
            NameSuggestions.didYouMean("mlp", among: recipes)
                == " Did you mean digits-mlp, sigmoid-mlp or mlp-784-100-10?")
        #expect(NameSuggestions.didYouMean("resnet50", among: recipes) == "")
    }
}
