/// The tool's version, recorded in run folders and checkpoints.
public enum NNZooVersion {
    public static let string = "0.1.0"
}
