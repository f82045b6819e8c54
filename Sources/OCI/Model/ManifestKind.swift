import Foundation

/// Works out a fetched manifest's media type.
enum ManifestKind {
    /// The `Content-Type` when it is a manifest media type; otherwise the document's own
    /// `mediaType`; otherwise, for an OCI document without one, its shape (`manifests` → index,
    /// `config` → manifest). Nil when none applies.
    static func mediaType(contentType: String?, bytes: [UInt8]) -> String? {
        if let essence = MediaType.essence(contentType), MediaType.isManifestKind(essence) { return essence }
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { return nil }
        if let declared = object["mediaType"] as? String { return declared }
        if object["manifests"] is [Any] { return MediaType.ociImageIndex }
        if object["config"] is [String: Any] { return MediaType.ociImageManifest }
        return nil
    }
}
