import ATProto
import Foundation
import Testing

/// Every syntax file of the interop tests that applies to atcr-verify (docs/architecture.md, "Conformance vectors").
@Suite("Syntax conformance (atproto-interop-tests)")
struct SyntaxConformanceTests {
    @Test("generic DID syntax: valid", arguments: LineCase.all("syntax/did_syntax_valid.txt"))
    func didValid(_ c: LineCase) {
        #expect(DIDSyntax.isValid(c.line))
    }

    /// `did_real.txt` comes from an unmerged branch whose method rule admits digits
    /// (`did:web7:0`), while the merged `did_syntax_invalid.txt` has `did:m123:val` as invalid.
    /// We follow the merged rule (and the atproto spec's `did:[a-z]+:`): every real-world DID
    /// is valid except the ones whose method name has a digit.
    @Test("real-world DIDs (unmerged branch) are valid, but for digits in the method", arguments: LineCase.all("syntax-extra/did_real.txt"))
    func didReal(_ c: LineCase) {
        let method = c.line.split(separator: ":")[1]
        #expect(DIDSyntax.isValid(c.line) == method.allSatisfy(\.isLetter))
    }

    @Test("generic DID syntax: invalid", arguments: LineCase.all("syntax/did_syntax_invalid.txt"))
    func didInvalid(_ c: LineCase) {
        #expect(!DIDSyntax.isValid(c.line))
        #expect(throws: DID.SyntaxError.self) { try DID(c.line) }
    }

    @Test("atproto DID rules refuse syntactically valid but unusable DIDs", arguments: LineCase.all("syntax-extra/did_parse_invalid.txt"))
    func didParseInvalid(_ c: LineCase) {
        #expect(DIDSyntax.isValid(c.line), "the file's cases are generic-valid")
        #expect(throws: DID.SyntaxError.self) { try DID(c.line) }
    }

    @Test("atproto DIDs among the valid cases parse", arguments: [
        "did:plc:7iza6de2dwap2sbkpav7c6c6", "did:web:example.com", "did:web:localhost%3A1234",
    ])
    func atprotoDIDs(_ text: String) throws {
        let did = try DID(text)
        #expect(did.string == text)
    }

    @Test("other DID methods are unsupported, not malformed", arguments: [
        "did:key:zQ3shZc2QzApp2oymGvQbzP8eKheVshBHbU4ZYjeXqwSKEn6N", "did:onion:2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid",
    ])
    func unsupportedMethods(_ text: String) {
        #expect(throws: DID.SyntaxError.unsupportedMethod(String(text.split(separator: ":")[1]))) { try DID(text) }
    }

    @Test("handle: valid", arguments: LineCase.all("syntax/handle_syntax_valid.txt"))
    func handleValid(_ c: LineCase) { #expect(Handle.isValidSyntax(c.line)) }

    @Test("handle: invalid", arguments: LineCase.all("syntax/handle_syntax_invalid.txt"))
    func handleInvalid(_ c: LineCase) { #expect(!Handle.isValidSyntax(c.line)) }

    @Test("NSID: valid", arguments: LineCase.all("syntax/nsid_syntax_valid.txt"))
    func nsidValid(_ c: LineCase) { #expect(NSID(c.line) != nil) }

    @Test("NSID: invalid", arguments: LineCase.all("syntax/nsid_syntax_invalid.txt"))
    func nsidInvalid(_ c: LineCase) { #expect(NSID(c.line) == nil) }

    @Test("record key: valid", arguments: LineCase.all("syntax/recordkey_syntax_valid.txt"))
    func recordKeyValid(_ c: LineCase) { #expect(RecordKey(c.line) != nil) }

    @Test("record key: invalid", arguments: LineCase.all("syntax/recordkey_syntax_invalid.txt"))
    func recordKeyInvalid(_ c: LineCase) { #expect(RecordKey(c.line) == nil) }

    @Test("AT-URI: valid", arguments: LineCase.all("syntax/aturi_syntax_valid.txt"))
    func atURIValid(_ c: LineCase) throws { _ = try ATURI(c.line) }

    @Test("AT-URI: invalid", arguments: LineCase.all("syntax/aturi_syntax_invalid.txt"))
    func atURIInvalid(_ c: LineCase) { #expect(throws: ATURI.SyntaxError.self) { try ATURI(c.line) } }

    @Test("at-identifier: valid", arguments: LineCase.all("syntax/atidentifier_syntax_valid.txt"))
    func atIdentifierValid(_ c: LineCase) { #expect(ATIdentifier.isValidSyntax(c.line)) }

    @Test("at-identifier: invalid", arguments: LineCase.all("syntax/atidentifier_syntax_invalid.txt"))
    func atIdentifierInvalid(_ c: LineCase) { #expect(!ATIdentifier.isValidSyntax(c.line)) }

    @Test("TID: valid", arguments: LineCase.all("syntax/tid_syntax_valid.txt"))
    func tidValid(_ c: LineCase) { #expect(TID(c.line) != nil) }

    @Test("TID: invalid", arguments: LineCase.all("syntax/tid_syntax_invalid.txt"))
    func tidInvalid(_ c: LineCase) { #expect(TID(c.line) == nil) }

    @Test("CID string syntax: valid", arguments: LineCase.all("syntax/cid_syntax_valid.txt"))
    func cidValid(_ c: LineCase) { #expect(CIDSyntax.isValid(c.line)) }

    @Test("CID string syntax: invalid", arguments: LineCase.all("syntax/cid_syntax_invalid.txt"))
    func cidInvalid(_ c: LineCase) { #expect(!CIDSyntax.isValid(c.line)) }

    @Test("the strict CID parser takes the base32 CIDv1 cases and refuses every invalid one")
    func strictCIDParser() throws {
        for line in InteropFixtures.lines("syntax/cid_syntax_valid.txt") where line.hasPrefix("b") {
            let cid = try CID(string: line)
            #expect(cid.string == line)
        }
        for line in InteropFixtures.lines("syntax/cid_syntax_invalid.txt") {
            #expect(throws: CID.ParseError.self) { try CID(string: line) }
        }
    }

    @Test("the vendored fixtures are the shared fixtures, byte for byte")
    func vendoredCopyMatchesShared() throws {
        let manager = FileManager.default
        guard manager.fileExists(atPath: InteropFixtures.shared.path) else {
            // A clean clone without ../shared: the vendored copy is the only one to test against.
            #expect(manager.fileExists(atPath: InteropFixtures.vendored.appendingPathComponent("SOURCE.md").path))
            return
        }
        var files: [String] = []
        for path in try manager.subpathsOfDirectory(atPath: InteropFixtures.shared.path) {
            var isDirectory: ObjCBool = false
            _ = manager.fileExists(atPath: InteropFixtures.shared.appendingPathComponent(path).path, isDirectory: &isDirectory)
            if !isDirectory.boolValue { files.append(path) }
        }
        #expect(files.count > 30)
        // SOURCE.md is the repository's own note on where the data came from (it points at the
        // project's docs); the data files are the ones that must match.
        for file in files where file != "SOURCE.md" {
            let shared = manager.contents(atPath: InteropFixtures.shared.appendingPathComponent(file).path)
            let vendored = manager.contents(atPath: InteropFixtures.vendored.appendingPathComponent(file).path)
            #expect(shared == vendored, "vendored copy of \(file) differs from ../shared")
        }
    }
}
