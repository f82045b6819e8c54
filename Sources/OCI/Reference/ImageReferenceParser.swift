import HostNames

/// The grammar of distribution's reference package, with Docker's normalization.
enum ImageReferenceParser {
    static func parse(_ text: String) throws(ImageReferenceError) -> ImageReference {
        func fail(_ reason: ImageReferenceError.Reason) -> ImageReferenceError {
            ImageReferenceError(input: text, reason: reason)
        }
        guard !text.isEmpty else { throw fail(.empty) }
        // Printable ASCII only (this runs for every image of every review: bytes, not Characters).
        if text.utf8.contains(where: { $0 < 0x21 || $0 >= 0x7F }),
            let bad = text.first(where: { !$0.isASCII || $0.isWhitespace || $0.asciiValue.map { $0 < 0x21 || $0 == 0x7F } ?? true })
        {
            throw fail(.invalidCharacter(bad))
        }

        var remainder = Substring(text)
        var digest: Digest?
        if let at = remainder.firstIndex(of: "@") {
            let digestText = String(remainder[remainder.index(after: at)...])
            remainder = remainder[..<at]
            let parsed: Digest
            do throws(DigestError) {
                parsed = try Digest(parsing: digestText)
            } catch {
                throw fail(.invalidDigest(error))
            }
            guard parsed.isVerifiable else { throw fail(.unsupportedDigestAlgorithm(parsed.algorithm)) }
            digest = parsed
        }

        var tag: String?
        let lastSlash = remainder.lastIndex(of: "/")
        let tagSearchStart = lastSlash.map { remainder.index(after: $0) } ?? remainder.startIndex
        if let colon = remainder[tagSearchStart...].lastIndex(of: ":") {
            let tagText = String(remainder[remainder.index(after: colon)...])
            guard isValidTag(tagText) else { throw fail(.invalidTag(tagText)) }
            tag = tagText
            remainder = remainder[..<colon]
        }

        var components = remainder.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !remainder.isEmpty else { throw fail(.emptyComponent) }
        var registry = "docker.io"
        if components.count > 1, let first = components.first, RegistryHost.readsAsRegistry(first) {
            registry = try canonicalRegistry(validating: first, fail: fail)
            components.removeFirst()
        }
        for component in components {
            guard !component.isEmpty else { throw fail(.emptyComponent) }
            if component.utf8.contains(where: { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) {
                throw fail(.uppercaseRepository(component))
            }
            guard isValidPathComponent(component) else { throw fail(.invalidRepositoryComponent(component)) }
        }
        if registry == "docker.io", components.count == 1 { components.insert("library", at: 0) }
        let repository = components.joined(separator: "/")
        let nameLength = registry.count + 1 + repository.count
        guard nameLength <= 255 else { throw fail(.tooLong(nameLength)) }
        if tag == nil, digest == nil { tag = "latest" }
        return ImageReference(registry: registry, repository: repository, tag: tag, digest: digest)
    }

    /// The registry part, validated and canonicalized by the one function scopes use too.
    private static func canonicalRegistry(
        validating text: String, fail: (ImageReferenceError.Reason) -> ImageReferenceError
    ) throws(ImageReferenceError) -> String {
        do throws(RegistryHost.ParseError) {
            return try RegistryHost.canonical(parsing: Substring(text))
        } catch {
            switch error {
            case .invalidHost: throw fail(.invalidRegistry(text))
            case .invalidPort(let port): throw fail(.invalidPort(port))
            }
        }
    }

    /// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`.
    static func isValidPathComponent(_ component: String) -> Bool {
        var separator = ""
        var sawAlphanumeric = false
        for character in component {
            if character.isASCII, character.isLowercase || character.isNumber {
                if !separator.isEmpty {
                    guard separator == "." || separator == "_" || separator == "__" || separator.allSatisfy({ $0 == "-" }) else {
                        return false
                    }
                    separator = ""
                }
                sawAlphanumeric = true
            } else if character == "." || character == "_" || character == "-" {
                guard sawAlphanumeric else { return false }
                separator.append(character)
            } else {
                return false
            }
        }
        return sawAlphanumeric && separator.isEmpty
    }

    /// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
    static func isValidTag(_ tag: String) -> Bool {
        guard let first = tag.first, tag.count <= 128, isAlphanumeric(first) || first == "_" else { return false }
        return tag.allSatisfy { isAlphanumeric($0) || $0 == "_" || $0 == "." || $0 == "-" }
    }

    private static func isAlphanumeric(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber)
    }
}
