/// The datasets nnzoo knows, with the facts the loaders and `nnzoo fetch` rely on. Sources: the
/// upstream pages and well-known loaders' checksum tables, as collected in the project's data
/// notes; content hashes were computed from the original files.
public enum DatasetRegistry {
    public static let all: [DatasetSpec] = [mnist, fashionMNIST, cifar10, digits]

    /// The dataset called `name` (case-insensitive; `fashion_mnist` and `cifar-10` are accepted
    /// too), or nil.
    public static func dataset(named name: String) -> DatasetSpec? {
        let key = name.lowercased().replacingOccurrences(of: "_", with: "-")
        let aliases = ["cifar-10": "cifar10", "fashionmnist": "fashion-mnist", "fmnist": "fashion-mnist"]
        let canonical = aliases[key] ?? key
        return all.first { $0.name == canonical }
    }

    /// The dataset called `name`, or `DataError.unknownDataset`.
    public static func spec(_ name: String) throws -> DatasetSpec {
        guard let spec = dataset(named: name) else {
            throw DataError.unknownDataset(name: name, known: all.map(\.name))
        }
        return spec
    }

    /// The dataset one of whose files (or archive members) is called `fileName`; for messages.
    /// MNIST and Fashion-MNIST share file names, so this answers MNIST for those unless the path
    /// says otherwise; callers pass the full path where they have it.
    public static func dataset(owningFileNamed fileName: String, path: String = "") -> DatasetSpec? {
        let owners = all.filter { spec in
            spec.files.contains { $0.name == fileName || $0.contentName == fileName }
                || spec.files.contains { $0.members.contains { $0.path.hasSuffix("/" + fileName) } }
        }
        let fullPath = path.isEmpty ? fileName : path
        return owners.first { fullPath.contains("/\($0.name)/") } ?? owners.first
    }

    // MARK: - MNIST

    static let mnistMirrors = [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ]

    public static let mnist = DatasetSpec(
        name: "mnist", title: "MNIST handwritten digits",
        summary: "70000 grayscale 28x28 images of handwritten digits 0-9 (60000 train, 10000 test).",
        licence: "Yann LeCun and Corinna Cortes; freely usable with citation.",
        channels: 1, height: 28, width: 28, maxValue: 255,
        classNames: (0...9).map(String.init),
        splits: [
            SplitSpec(
                split: .train, count: 60000,
                classCounts: [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
                source: .idx(images: "train-images-idx3-ubyte.gz", labels: "train-labels-idx1-ubyte.gz")),
            SplitSpec(
                split: .test, count: 10000,
                classCounts: [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
                source: .idx(images: "t10k-images-idx3-ubyte.gz", labels: "t10k-labels-idx1-ubyte.gz")),
        ],
        files: [
            DatasetFile(
                name: "train-images-idx3-ubyte.gz", contentName: "train-images-idx3-ubyte",
                urls: mnistMirrors.map { $0 + "train-images-idx3-ubyte.gz" },
                archiveSize: 9_912_422, archiveMD5: "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                archiveSHA256: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                contentSize: 47_040_016, contentSHA256: nil),
            DatasetFile(
                name: "train-labels-idx1-ubyte.gz", contentName: "train-labels-idx1-ubyte",
                urls: mnistMirrors.map { $0 + "train-labels-idx1-ubyte.gz" },
                archiveSize: 28881, archiveMD5: "d53e105ee54ea40749a09fcbcd1e9432",
                archiveSHA256: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                contentSize: 60008,
                contentSHA256: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
            DatasetFile(
                name: "t10k-images-idx3-ubyte.gz", contentName: "t10k-images-idx3-ubyte",
                urls: mnistMirrors.map { $0 + "t10k-images-idx3-ubyte.gz" },
                archiveSize: 1_648_877, archiveMD5: "9fb629c4189551a2d022fa330f9573f3",
                archiveSHA256: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                contentSize: 7_840_016,
                contentSHA256: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
            DatasetFile(
                name: "t10k-labels-idx1-ubyte.gz", contentName: "t10k-labels-idx1-ubyte",
                urls: mnistMirrors.map { $0 + "t10k-labels-idx1-ubyte.gz" },
                archiveSize: 4542, archiveMD5: "ec29112dd5afa0611ce80d1b7f02629c",
                archiveSHA256: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                contentSize: 10008,
                contentSHA256: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
        ],
        systemFolders: [])

    // MARK: - Fashion-MNIST

    static let fashionMirrors = [
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
    ]

    /// Where Debian's `dataset-fashion-mnist` package installs the four files (recompressed; the
    /// decompressed bytes are the originals).
    public static let debianFashionMNISTFolder = "/usr/share/datasets/fashion-mnist"

    public static let fashionMNIST = DatasetSpec(
        name: "fashion-mnist", title: "Fashion-MNIST (Zalando)",
        summary: "70000 grayscale 28x28 images of clothing in 10 classes (60000 train, 10000 test).",
        licence: "Zalando Research, MIT licence.",
        channels: 1, height: 28, width: 28, maxValue: 255,
        classNames: [
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
        ],
        splits: [
            SplitSpec(
                split: .train, count: 60000, classCounts: Array(repeating: 6000, count: 10),
                source: .idx(images: "train-images-idx3-ubyte.gz", labels: "train-labels-idx1-ubyte.gz")),
            SplitSpec(
                split: .test, count: 10000, classCounts: Array(repeating: 1000, count: 10),
                source: .idx(images: "t10k-images-idx3-ubyte.gz", labels: "t10k-labels-idx1-ubyte.gz")),
        ],
        files: [
            DatasetFile(
                name: "train-images-idx3-ubyte.gz", contentName: "train-images-idx3-ubyte",
                urls: fashionMirrors.map { $0 + "train-images-idx3-ubyte.gz" },
                archiveSize: 26_421_880, archiveMD5: "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                archiveSHA256: "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
                contentSize: 47_040_016,
                contentSHA256: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
            DatasetFile(
                name: "train-labels-idx1-ubyte.gz", contentName: "train-labels-idx1-ubyte",
                urls: fashionMirrors.map { $0 + "train-labels-idx1-ubyte.gz" },
                archiveSize: 29515, archiveMD5: "25c81989df183df01b3e8a0aad5dffbe",
                archiveSHA256: "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
                contentSize: 60008,
                contentSHA256: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
            DatasetFile(
                name: "t10k-images-idx3-ubyte.gz", contentName: "t10k-images-idx3-ubyte",
                urls: fashionMirrors.map { $0 + "t10k-images-idx3-ubyte.gz" },
                archiveSize: 4_422_102, archiveMD5: "bef4ecab320f06d8554ea6380940ec79",
                archiveSHA256: "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
                contentSize: 7_840_016,
                contentSHA256: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
            DatasetFile(
                name: "t10k-labels-idx1-ubyte.gz", contentName: "t10k-labels-idx1-ubyte",
                urls: fashionMirrors.map { $0 + "t10k-labels-idx1-ubyte.gz" },
                archiveSize: 5148, archiveMD5: "bb300cfdad3c16e7a12a480ee83cd310",
                archiveSHA256: "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
                contentSize: 10008,
                contentSHA256: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
        ],
        systemFolders: [debianFashionMNISTFolder])

    // MARK: - CIFAR-10

    /// Size of every CIFAR-10 batch file: 10000 records of 1 label byte + 3072 pixel bytes.
    public static let cifarBatchSize = 30_730_000

    public static let cifar10 = DatasetSpec(
        name: "cifar10", title: "CIFAR-10 (binary version)",
        summary: "60000 colour 32x32 images in 10 classes (50000 train in five batches, 10000 test).",
        licence: "Alex Krizhevsky, Vinod Nair and Geoffrey Hinton; freely usable with citation.",
        channels: 3, height: 32, width: 32, maxValue: 255,
        classNames: ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"],
        splits: [
            SplitSpec(
                split: .train, count: 50000, classCounts: Array(repeating: 5000, count: 10),
                source: .cifarBatches((1...5).map { "data_batch_\($0).bin" })),
            SplitSpec(
                split: .test, count: 10000, classCounts: Array(repeating: 1000, count: 10),
                source: .cifarBatches(["test_batch.bin"])),
        ],
        files: [
            DatasetFile(
                name: "cifar-10-binary.tar.gz", contentName: "cifar-10-binary.tar",
                urls: ["https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"],
                archiveSize: 170_052_171, archiveMD5: "c32a1d4ab5d03f1284b67883e8d87530",
                archiveSHA256: "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd",
                contentSize: nil, contentSHA256: nil,
                // Six batches of 30730000 bytes, the class names and tar headers: about 185 MB.
                maxContentSize: 200_000_000,
                members: ([
                    "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                    "data_batch_5.bin", "test_batch.bin",
                ].map {
                    ArchiveMember(path: CIFARReader.folderName + "/" + $0, size: cifarBatchSize)
                }) + [ArchiveMember(path: CIFARReader.folderName + "/batches.meta.txt")])
        ],
        systemFolders: [])

    // MARK: - Digits

    public static let digits = DatasetSpec(
        name: "digits", title: "Optical recognition of handwritten digits (UCI, scikit-learn's copy)",
        summary:
            "1797 grayscale 8x8 images of digits 0-9, pixel values 0..16; split here into train and test by a seeded stratified 80/20 split (see DigitsSplit).",
        licence: "UCI Machine Learning Repository (CC BY 4.0), as shipped by scikit-learn (BSD-3-Clause).",
        channels: 1, height: 8, width: 8, maxValue: 16,
        classNames: (0...9).map(String.init),
        splits: [
            SplitSpec(
                split: .train, count: 1438, classCounts: [142, 146, 142, 146, 145, 146, 145, 143, 139, 144],
                source: .digits(.train)),
            SplitSpec(
                split: .test, count: 359, classCounts: [36, 36, 35, 37, 36, 36, 36, 36, 35, 36],
                source: .digits(.test)),
        ],
        files: [
            DatasetFile(
                name: "digits.csv.gz", contentName: "digits.csv",
                urls: [
                    "https://raw.githubusercontent.com/scikit-learn/scikit-learn/main/sklearn/datasets/data/digits.csv.gz"
                ],
                contentSize: 264_712,
                contentSHA256: "6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8")
        ],
        systemFolders: [DigitsCSV.shippedFolder])
}
