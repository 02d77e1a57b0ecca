import Foundation
import Testing

/// The zoo's toy-set recipes trained as a person runs them, to the test accuracy their files state
/// (what nnzoo measured with them: the runs are deterministic at one thread).
@Suite struct NotebookToyRecipeTests {
    @Test func circlesHingeGetsEveryTestPointRight() throws {
        let folder = TempFolder()
        let result = try CLI.run(["train", "circles-hinge", "--threads", "1", "--out", folder.path + "/run"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout.hasPrefix(
                "Training circles-hinge on circles (rows of 2 features, 2 classes): 180 training and 20 validation "
                    + "examples"))
        #expect(
            result.stdout.contains(
                "100 epochs of 1 batch of 200, SGD lr 0.1 weight_decay 0.1, constant schedule, HingeLoss"))
        #expect(
            result.stdout.contains(
                "Test accuracy: 100.0% (198 of 198 circles test examples right) with epoch 90, best on validation "
                    + "(100.0%).\nThe recipe's target on circles is 100.0%: reached."))
    }

    @Test func gaussiansPerceptronGetsAllButOneTestPointRight() throws {
        let folder = TempFolder()
        let result = try CLI.run(["train", "gaussians-perceptron", "--threads", "1", "--out", folder.path + "/run"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Network: Flatten, Linear(2 -> 1); 3 parameters."))
        #expect(
            result.stdout.contains(
                "Test accuracy: 97.5% (39 of 40 gaussians test examples right) with epoch 20, best on validation "
                    + "(100.0%).\nThe recipe's target on gaussians is 97.5%: reached."))
    }
}
