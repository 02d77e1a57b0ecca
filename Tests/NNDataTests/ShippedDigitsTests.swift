import Foundation
import NNCore
import Testing

@testable import NNData

/// The digits file nnzoo ships: where it is found, and what a message tells a person whose copy is
/// damaged.
@Suite struct ShippedDigitsTests {
    @Test func theShippedFolderIsTheCheckoutsWhenNothingIsInstalled() {
        #expect(DigitsCSV.shippedFolder == ToolFiles.buildCheckout + "/Data/digits")
        #expect(DatasetRegistry.digits.systemFolders == [DigitsCSV.shippedFolder])
    }

    @Test func aDamagedShippedCopyIsRestoredWithACommandThatRunsFromAnywhere() {
        let root = ToolFiles.buildCheckout
        #expect(
            Advice.redownload(DigitsCSV.shippedFolder + "/digits.csv.gz")
                == "It is the copy shipped with nnzoo; restore it with `git -C \(shellQuoted(root)) checkout -- Data/digits`."
        )
    }
}
