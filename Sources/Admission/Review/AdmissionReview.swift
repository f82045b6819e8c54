import ATProto

/// Reading the `admission.k8s.io/v1` AdmissionReview the API server POSTs to the webhook.
public enum AdmissionReview {
    /// The only version accepted (the webhook configuration asks for v1 only).
    public static let apiVersion = "admission.k8s.io/v1"
    /// The `kind` of both the request and the response envelope.
    public static let kind = "AdmissionReview"
    /// The default body limit, 8 MiB: an UPDATE carries `object` and `oldObject`, each up to
    /// about 1.5 MiB in etcd, plus JSON overhead.
    public static let defaultMaxBodyBytes = 8 * 1024 * 1024
    /// The default nesting bound for arrays and objects. A CronJob review with managed fields
    /// nests about 20 deep; 64 leaves room and keeps the recursive parser's stack small.
    public static let defaultMaxDepth = 64

    /// Parses a request body into an `AdmissionRequest`, or throws the one problem that stops
    /// it. Checks, in order: size (before any parsing; a server should also refuse a larger
    /// `Content-Length` before reading), emptiness, nesting depth, JSON syntax (duplicate keys
    /// rejected), the envelope (`apiVersion`, `kind`, `request`) and the types of every request
    /// field read. Never traps, whatever the bytes.
    public static func parseRequest<Body: Collection>(
        _ body: Body,
        maxBodyBytes: Int = defaultMaxBodyBytes,
        maxDepth: Int = defaultMaxDepth
    ) throws(AdmissionReviewError) -> AdmissionRequest where Body.Element == UInt8 {
        let size = body.count
        guard size <= maxBodyBytes else { throw .bodyTooLarge(size: size, limit: maxBodyBytes) }
        // One concrete copy (free for an Array), so the scans below run on contiguous bytes
        // rather than through an unspecialized generic collection.
        let bytes = Array(body)
        guard bytes.contains(where: { !isJSONWhitespace($0) }) else { throw .emptyBody }
        guard !NestingScan.exceeds(bytes, limit: maxDepth) else { throw .nestedTooDeep(limit: maxDepth) }

        let document: JSONValue
        do {
            // The scan bounds container depth; the parser counts scalars as one level more.
            document = try JSONParser(maxDepth: maxDepth + 1).parse(bytes)
        } catch {
            let reason = TextBounds.truncate(TextBounds.singleLine(error.reason), maxBytes: 200)
            throw .invalidJSON(offset: error.offset, reason: reason)
        }
        return try request(from: document)
    }

    /// Reads an already parsed document (what `parseRequest` does after parsing).
    public static func request(from document: JSONValue) throws(AdmissionReviewError) -> AdmissionRequest {
        if case .null = document { throw .nullDocument }
        guard case .object = document else { throw .notAnObject(found: document.typeName) }
        let envelope = try FieldReader(document, at: "")

        let version = try envelope.string("apiVersion")
        guard version == apiVersion else { throw .wrongAPIVersion(found: version) }
        let kindName = try envelope.string("kind")
        guard kindName == kind else { throw .wrongKind(found: kindName) }
        guard envelope.value("request") != nil else { throw .missingRequest }
        let request = try envelope.requiredObject("request")

        let uid = try request.requiredString("uid")
        let kindReader = try request.requiredObject("kind")
        let kind = GroupVersionKind(
            group: try kindReader.string("group") ?? "",
            version: try kindReader.requiredString("version"),
            kind: try kindReader.requiredString("kind")
        )
        let resourceReader = try request.requiredObject("resource")
        let resource = GroupVersionResource(
            group: try resourceReader.string("group") ?? "",
            version: try resourceReader.requiredString("version"),
            resource: try resourceReader.requiredString("resource")
        )
        let operationName = try request.requiredString("operation")
        guard let operation = AdmissionOperation(rawValue: operationName) else {
            throw .unknownOperation(operationName)
        }
        let username = try request.object("userInfo")?.string("username")

        return AdmissionRequest(
            uid: uid,
            kind: kind,
            resource: resource,
            subResource: try request.string("subResource").flatMap { $0.isEmpty ? nil : $0 },
            operation: operation,
            namespace: try request.string("namespace").flatMap { $0.isEmpty ? nil : $0 },
            name: try request.string("name").flatMap { $0.isEmpty ? nil : $0 },
            username: username,
            dryRun: try request.bool("dryRun") ?? false,
            object: try request.embeddedObject("object"),
            oldObject: try request.embeddedObject("oldObject"),
            options: try request.embeddedObject("options")
        )
    }

    private static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
