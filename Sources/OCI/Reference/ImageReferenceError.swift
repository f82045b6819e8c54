/// Why a string is not a valid image reference.
public struct ImageReferenceError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case empty
        case invalidCharacter(Character)
        case tooLong(Int)
        case invalidRegistry(String)
        case invalidPort(String)
        case emptyComponent
        case uppercaseRepository(String)
        case invalidRepositoryComponent(String)
        case invalidTag(String)
        case invalidDigest(DigestError)
        case unsupportedDigestAlgorithm(String)
    }

    /// The text that was parsed.
    public let input: String
    public let reason: Reason

    public init(input: String, reason: Reason) {
        self.input = input
        self.reason = reason
    }

    public var description: String {
        "invalid image reference '\(input)': " + detail
    }

    private var detail: String {
        switch reason {
        case .empty:
            return "it is empty"
        case .invalidCharacter(let character):
            return "it contains '\(character.unicodeScalars.map { $0.escaped(asASCII: true) }.joined())'"
        case .tooLong(let count):
            return "the name is \(count) characters long; at most 255 are allowed"
        case .invalidRegistry(let host):
            return "'\(host)' is not a valid registry host"
        case .invalidPort(let port):
            return "'\(port)' is not a valid port (1-65535)"
        case .emptyComponent:
            return "the repository has an empty path component (a leading, trailing or doubled '/')"
        case .uppercaseRepository(let component):
            return "repository component '\(component)' has uppercase letters; repository names must be lowercase"
        case .invalidRepositoryComponent(let component):
            return "repository component '\(component)' is invalid (lowercase letters and digits, separated by '.', '_', '__' or '-')"
        case .invalidTag(let tag):
            return "tag '\(tag)' is invalid (letters, digits, '_', '.', '-', at most 128, not starting with '.' or '-')"
        case .invalidDigest(let error):
            return error.description
        case .unsupportedDigestAlgorithm(let algorithm):
            return "digest algorithm '\(algorithm)' is not supported (sha256 or sha512)"
        }
    }
}
