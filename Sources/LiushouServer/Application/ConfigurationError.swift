/// A server configuration that cannot run.
public enum ConfigurationError: Error, CustomStringConvertible {
    /// An external database was configured without the key that seals ID numbers.
    case missingDataKey

    public var description: String {
        switch self {
        case .missingDataKey:
            return
                "LIUSHOU_DATA_KEY is required with an external database (at least 32 characters of random text; every server of the deployment needs the same key)"
        }
    }
}
