/// One challenge of a `WWW-Authenticate` header: a scheme and its parameters,
/// e.g. `Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull"`.
public struct AuthChallenge: Sendable, Equatable {
    /// The scheme, lowercased (`bearer`, `basic`).
    public let scheme: String
    /// Parameters with lowercased names.
    public let parameters: [String: String]

    public init(scheme: String, parameters: [String: String]) {
        self.scheme = scheme.lowercased()
        self.parameters = parameters
    }

    public var realm: String? { parameters["realm"] }
    public var service: String? { parameters["service"] }
    public var scope: String? { parameters["scope"] }

    /// Parses every challenge in the header values (RFC 7235: `scheme param=value, param="v", …`,
    /// challenges separated by commas too). Unparseable text yields no challenge rather than a
    /// guess.
    public static func parse(_ values: [String]) -> [AuthChallenge] {
        values.flatMap(parseOne)
    }

    private static func parseOne(_ header: String) -> [AuthChallenge] {
        var scanner = Scanner(Array(header.unicodeScalars))
        var challenges: [AuthChallenge] = []
        var scheme: String?
        var parameters: [String: String] = [:]
        func finish() {
            if let scheme { challenges.append(AuthChallenge(scheme: scheme, parameters: parameters)) }
            scheme = nil
            parameters = [:]
        }
        while true {
            scanner.skip { $0 == " " || $0 == "\t" || $0 == "," }
            guard !scanner.atEnd else { break }
            let token = scanner.token()
            guard !token.isEmpty else { return challenges }  // garbage: stop, keep what parsed
            scanner.skip { $0 == " " || $0 == "\t" }
            if scanner.peek == "=" {
                // A parameter of the current challenge.
                scanner.advance()
                scanner.skip { $0 == " " || $0 == "\t" }
                guard scheme != nil, let value = scanner.peek == "\"" ? scanner.quoted() : Optional(scanner.token()) else {
                    return challenges
                }
                parameters[token.lowercased()] = value
            } else {
                // A new challenge's scheme (a token68 after it is not used by registries).
                finish()
                scheme = token
            }
        }
        finish()
        return challenges
    }

    private struct Scanner {
        let scalars: [Unicode.Scalar]
        var index = 0

        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        var atEnd: Bool { index >= scalars.count }
        var peek: Unicode.Scalar? { atEnd ? nil : scalars[index] }
        mutating func advance() { index += 1 }

        mutating func skip(while predicate: (Unicode.Scalar) -> Bool) {
            while let scalar = peek, predicate(scalar) { index += 1 }
        }

        /// A token: visible ASCII up to whitespace, `,`, `;`, `=` or a quote. Looser than
        /// RFC 7230 on purpose: some registries send unquoted values such as
        /// `scope=repository:a/b:pull`.
        mutating func token() -> String {
            var out = String.UnicodeScalarView()
            while let scalar = peek, scalar.isASCII, scalar.value > 0x20, scalar.value < 0x7F,
                !"\",;=".unicodeScalars.contains(scalar)
            {
                out.append(scalar)
                index += 1
            }
            return String(out)
        }

        /// A quoted string with `\` escapes; nil when unterminated.
        mutating func quoted() -> String? {
            index += 1
            var out = String.UnicodeScalarView()
            while let scalar = peek {
                index += 1
                if scalar == "\"" { return String(out) }
                if scalar == "\\", let next = peek {
                    out.append(next)
                    index += 1
                } else {
                    out.append(scalar)
                }
            }
            return nil
        }
    }
}
