import ATProto
import Admission

/// A Gatekeeper external-data `ProviderRequest` (`externaldata.gatekeeper.sh/v1beta1`), as
/// Gatekeeper posts it to a Provider's URL:
///
/// ```json
/// {"apiVersion":"externaldata.gatekeeper.sh/v1beta1","kind":"ProviderRequest","request":{"keys":["ghcr.io/acme/app:v1"]}}
/// ```
///
/// The keys are exactly the strings the Rego code passed (here: image references), neither
/// normalized nor deduplicated. Pure: parsing only.
public struct ProviderRequest: Sendable, Equatable {
    /// The keys, in request order, duplicates dropped (each is answered once).
    public let keys: [String]

    public init(keys: [String]) {
        var seen = Set<ImageKey>()  // byte for byte: a Kelvin-sign spelling is another key
        self.keys = keys.filter { seen.insert(ImageKey($0)).inserted }
    }

    /// Longest key accepted: an image reference is far shorter (the registry and the API
    /// server bound them too); a longer one makes the request malformed.
    public static let maxKeyBytes = 4096

    /// Parses `body`, refusing one that is not a ProviderRequest or that names more than
    /// `maxKeys` distinct keys.
    public static func parse(_ body: [UInt8], maxKeys: Int) throws(ProviderRequestError) -> ProviderRequest {
        let document: JSONValue
        do {
            document = try JSONParser(maxDepth: 8).parse(body)
        } catch {
            throw .malformed("the body is not JSON: \(error)")
        }
        guard case .object = document else { throw .malformed("the body is not a JSON object") }
        guard case .string(let kind)? = document["kind"], kind == "ProviderRequest" else {
            throw .malformed("kind is not ProviderRequest")
        }
        if case .string(let apiVersion)? = document["apiVersion"], !apiVersion.hasPrefix("externaldata.gatekeeper.sh/") {
            throw .malformed("apiVersion \(apiVersion) is not externaldata.gatekeeper.sh/…")
        }
        guard case .array(let values)? = document["request"]?["keys"] else { throw .malformed("request.keys is not an array") }
        var keys: [String] = []
        keys.reserveCapacity(values.count)
        for (index, value) in values.enumerated() {
            guard case .string(let key) = value else { throw .malformed("request.keys[\(index)] is not a string") }
            guard key.utf8.count <= maxKeyBytes else { throw .malformed("request.keys[\(index)] is longer than \(maxKeyBytes) bytes") }
            keys.append(key)
        }
        let request = ProviderRequest(keys: keys)
        guard request.keys.count <= maxKeys else { throw .tooManyKeys(count: request.keys.count, limit: maxKeys) }
        return request
    }
}

/// Why a ProviderRequest is answered with a `systemError` instead of items.
public enum ProviderRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a ProviderRequest: the body, kind or keys are wrong.
    case malformed(String)
    /// More distinct keys than `--max-images-per-review`.
    case tooManyKeys(count: Int, limit: Int)

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed ProviderRequest: \(reason)"
        case .tooManyKeys(let count, let limit):
            "the ProviderRequest names \(count) images; at most \(limit) are verified per request (--max-images-per-review): none verified"
        }
    }
}
