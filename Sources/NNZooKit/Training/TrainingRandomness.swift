import NNCore

/// Where every random number of a training run comes from. All are xoshiro256** generators derived
/// from the run seed with `RNG(seed:stream:)`, each for one purpose, so that a choice in one place
/// (a longer validation split, another layer) never shifts the numbers drawn elsewhere, and so that a
/// resumed run can recreate them:
///
/// - weight initialisation: one generator, `RNG(seed: seed ^ "init", stream: 0)`, drawn layer by
///   layer in order (weight then bias), as `torch.nn` layers initialise;
/// - the training subset a recipe asks for (`train_subset`: k of n examples): the first k of
///   `RNG(seed: seed ^ "subset", stream: 0).permutation(n)`, in index order;
/// - the validation split: `RNG(seed: seed ^ "valsplit", stream: 0).permutation(n)` (n the examples
///   taking part, the subset's indices in order);
/// - shuffling: epoch `e` visits the training examples in the order
///   `RNG(seed: seed ^ "shuffle", stream: e).permutation(count)`, so the position in an epoch is
///   all a resume needs;
/// - dropout: layer `i` draws its masks from `RNG(seed: seed ^ "dropout", stream: i)`, whose state is
///   saved in every checkpoint;
/// - augmentation: per (epoch, sample), see `AugmentationRandomness`.
public enum TrainingRandomness {
    static let initDomain: UInt64 = 0x0069_6E69_7400_0000  // "init"
    static let validationDomain: UInt64 = 0x7661_6C73_706C_6974  // "valsplit"
    static let shuffleDomain: UInt64 = 0x0073_6875_6666_6C65  // "shuffle"
    static let dropoutDomain: UInt64 = 0x0064_726F_706F_7574  // "dropout"
    static let subsetDomain: UInt64 = 0x0000_7375_6273_6574  // "subset"

    public static func weightInitialization(seed: UInt64) -> RNG {
        RNG(seed: seed ^ initDomain, stream: 0)
    }

    public static func trainingSubset(seed: UInt64) -> RNG {
        RNG(seed: seed ^ subsetDomain, stream: 0)
    }

    public static func validationSplit(seed: UInt64) -> RNG {
        RNG(seed: seed ^ validationDomain, stream: 0)
    }

    public static func shuffle(seed: UInt64, epoch: Int) -> RNG {
        RNG(seed: seed ^ shuffleDomain, stream: UInt64(epoch))
    }

    public static func dropout(seed: UInt64, layer: Int) -> RNG {
        RNG(seed: seed ^ dropoutDomain, stream: UInt64(layer))
    }
}
