import ATProto
import OCI

/// The OCI descriptor containerd writes on the verifier's stdin (`json.NewEncoder(…).Encode`:
/// compact JSON and a newline): the top-level descriptor the reference resolved to, e.g.
/// `{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"sha256:…","size":10229}`.
/// Only `mediaType`, `digest` and `size` are read; the other fields (`annotations`, `platform`,
/// `urls`, `data`, `artifactType`) may be present and are ignored.
public struct PulledDescriptor: Sendable, Equatable {
    /// Largest stdin accepted: a resolved descriptor is a few hundred bytes.
    public static let maxBytes = 64 * 1024

    public let mediaType: String
    public let digest: Digest
    public let size: Int64

    public init(mediaType: String, digest: Digest, size: Int64) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
    }

    /// Parses stdin's bytes (at most ``maxBytes``).
    public static func parse(_ bytes: [UInt8]) throws(PullInputError) -> PulledDescriptor {
        guard bytes.count <= maxBytes else { throw .descriptor("larger than \(maxBytes) bytes") }
        guard bytes.contains(where: { !Self.isWhitespace($0) }) else { throw .descriptor("stdin is empty (containerd writes the descriptor there)") }
        let document: JSONValue
        do {
            document = try JSONParser(maxDepth: 16).parse(bytes)
        } catch {
            throw .descriptor("\(error)")
        }
        guard case .object = document else { throw .descriptor("not a JSON object") }
        guard case .string(let mediaType)? = document["mediaType"], !mediaType.isEmpty else {
            throw .descriptor("no mediaType string")
        }
        guard case .string(let digestText)? = document["digest"] else { throw .descriptor("no digest string") }
        let digest: Digest
        do {
            digest = try Digest(parsing: digestText)
        } catch {
            throw .descriptor("digest: \(error)")
        }
        guard case .number(let sizeText)? = document["size"], let size = Int64(sizeText), size >= 0 else {
            throw .descriptor("no size (a whole number of bytes, at least 0)")
        }
        return PulledDescriptor(mediaType: mediaType, digest: digest, size: size)
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
