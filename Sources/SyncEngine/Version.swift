/// The product version, shown by `wsync --version` and sent in GitHub's User-Agent.
public enum WSyncVersion {
    public static let current = "0.1.0"
}
