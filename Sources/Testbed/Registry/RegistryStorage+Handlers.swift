import Foundation
import OCI

extension RegistryStorage {
    /// Answers one `/v2/` request (faults, auth, then the API).
    mutating func handle(_ request: RegistryHTTPRequest, host: String) -> RegistryHTTPResponse {
        if let index = behavior.faults.firstIndex(where: { $0.count > 0 && ($0.pathContains.map(request.path.contains) ?? true) }) {
            behavior.faults[index].count -= 1
            let fault = behavior.faults[index]
            var response = RegistryHTTPResponse.error(
                fault.status, code: fault.status == 429 ? "TOOMANYREQUESTS" : "UNAVAILABLE", message: "injected fault")
            if let retryAfter = fault.retryAfter { response.headers.append(("Retry-After", retryAfter)) }
            return response
        }
        guard let route = RegistryRoute(path: request.path) else {
            return .error(404, code: "NOT_FOUND", message: "no route for \(request.path)")
        }
        if let failure = authenticationFailure(request, route: route, host: host) { return failure }
        if let repository = route.repository, !ImageReference.isValidRepository(repository) {
            return .error(400, code: "NAME_INVALID", message: "invalid repository name \(repository)")
        }
        switch (route, request.method) {
        case (.base, "GET"), (.base, "HEAD"):
            return RegistryHTTPResponse(status: 200, headers: [("Docker-Distribution-API-Version", "registry/2.0")], body: Array("{}".utf8))
        case (.manifest(let repository, let reference), "GET"), (.manifest(let repository, let reference), "HEAD"):
            return getManifest(repository: repository, reference: reference, accept: request.headerList("Accept"))
        case (.manifest(let repository, let reference), "PUT"):
            let mediaType = request.header("Content-Type").flatMap { $0.split(separator: ";").first.map(String.init) } ?? ""
            do throws(RegistryPushError) {
                let stored = try putManifest(request.body, mediaType: mediaType, repository: repository, reference: reference)
                var headers = [("Location", "/v2/\(repository)/manifests/\(stored.digest)"), ("Docker-Content-Digest", stored.digest.description)]
                if behavior.referrersAPI, let subject = repositories[repository]?.manifests[stored.digest]?.subject {
                    headers.append(("OCI-Subject", subject.description))
                }
                return RegistryHTTPResponse(status: 201, headers: headers)
            } catch {
                return .error(400, code: error.code, message: error.message)
            }
        case (.blob(let repository, let digestText), "GET"), (.blob(let repository, let digestText), "HEAD"):
            return getBlob(repository: repository, digestText: digestText, method: request.method)
        case (.uploads(let repository, let session), "POST"), (.uploads(let repository, let session), "PATCH"),
            (.uploads(let repository, let session), "PUT"):
            return upload(repository: repository, session: session, request: request)
        case (.tags(let repository), "GET"):
            return listTags(repository: repository, query: request.query)
        case (.referrers(let repository, let digestText), "GET"):
            guard behavior.referrersAPI else { return RegistryHTTPResponse(status: 404, body: Array("404 page not found\n".utf8)) }
            return listReferrers(repository: repository, digestText: digestText, query: request.query, host: host)
        default:
            return .error(405, code: "UNSUPPORTED", message: "\(request.method) is not supported here")
        }
    }

    private func getManifest(repository: String, reference: String, accept: [String]) -> RegistryHTTPResponse {
        guard let (digest, stored) = manifest(reference, repository: repository) else {
            return .error(404, code: "MANIFEST_UNKNOWN", message: "manifest \(reference) unknown")
        }
        // Real registries answer 404 when Accept omits the manifest's media type.
        guard accept.contains(stored.mediaType) else {
            return .error(404, code: "MANIFEST_UNKNOWN", message: "\(stored.mediaType) manifest found, but Accept does not allow it")
        }
        var response = RegistryHTTPResponse.json(200, servedManifestOverrides[digest] ?? stored.bytes, contentType: stored.mediaType)
        if !behavior.omitsDigestHeader {
            response.headers.append(("Docker-Content-Digest", (behavior.digestHeaderLies[digest] ?? digest).description))
        }
        return response
    }

    private func getBlob(repository: String, digestText: String, method: String) -> RegistryHTTPResponse {
        guard let digest = Digest(digestText) else { return .error(400, code: "DIGEST_INVALID", message: "invalid digest") }
        guard let bytes = repositories[repository]?.blobs[digest] else {
            return .error(404, code: "BLOB_UNKNOWN", message: "blob \(digest) unknown")
        }
        if let base = behavior.blobRedirectBase, method == "GET" {
            let location = "\(base)/blobs/\(digest)?X-Amz-Signature=\(TestBlobHost.signature(for: digest))"
            return RegistryHTTPResponse(status: 307, headers: [("Location", location)])
        }
        return RegistryHTTPResponse(
            status: 200,
            headers: [("Content-Type", "application/octet-stream"), ("Docker-Content-Digest", digest.description)],
            body: servedBlobOverrides[digest] ?? bytes)
    }

    private mutating func upload(repository: String, session: String?, request: RegistryHTTPRequest) -> RegistryHTTPResponse {
        func finish(_ bytes: [UInt8]) -> RegistryHTTPResponse {
            guard let digestText = request.query["digest"], let expected = Digest(digestText) else {
                return .error(400, code: "DIGEST_INVALID", message: "a digest query parameter is required")
            }
            do throws(RegistryPushError) {
                let digest = try putBlob(bytes, repository: repository, expected: expected)
                return RegistryHTTPResponse(
                    status: 201, headers: [("Location", "/v2/\(repository)/blobs/\(digest)"), ("Docker-Content-Digest", digest.description)])
            } catch {
                return .error(400, code: error.code, message: error.message)
            }
        }
        func accepted(_ id: String, length: Int) -> RegistryHTTPResponse {
            RegistryHTTPResponse(
                status: 202,
                headers: [
                    ("Location", "/v2/\(repository)/blobs/uploads/\(id)"), ("Docker-Upload-UUID", id),
                    ("Range", "0-\(max(0, length - 1))"),
                ])
        }
        switch (request.method, session) {
        case ("POST", nil):
            if request.query["digest"] != nil { return finish(request.body) }
            let id = UUID().uuidString.lowercased()
            uploads[id] = (repository, request.body)
            return accepted(id, length: request.body.count)
        case ("PATCH", let id?):
            guard uploads[id]?.repository == repository else { return .error(404, code: "BLOB_UPLOAD_UNKNOWN", message: "no upload \(id)") }
            uploads[id]?.bytes += request.body
            return accepted(id, length: uploads[id]?.bytes.count ?? 0)
        case ("PUT", let id?):
            guard let upload = uploads[id], upload.repository == repository else {
                return .error(404, code: "BLOB_UPLOAD_UNKNOWN", message: "no upload \(id)")
            }
            uploads[id] = nil
            return finish(upload.bytes + request.body)
        default:
            return .error(405, code: "UNSUPPORTED", message: "\(request.method) on uploads")
        }
    }

    private func listTags(repository: String, query: FormQuery) -> RegistryHTTPResponse {
        guard let content = repositories[repository] else {
            return .error(404, code: "NAME_UNKNOWN", message: "repository \(repository) unknown")
        }
        var tags = content.tags.keys.sorted()
        if let last = query["last"] { tags = tags.filter { $0 > last } }
        var headers: [(String, String)] = [("Content-Type", "application/json")]
        if let limit = query["n"].flatMap(Int.init), limit >= 0, tags.count > limit {
            tags = Array(tags.prefix(limit))
            if let last = tags.last { headers.append(("Link", "</v2/\(repository)/tags/list?n=\(limit)&last=\(last)>; rel=\"next\"")) }
        }
        struct Body: Encodable {
            var name: String
            var tags: [String]
        }
        return RegistryHTTPResponse(status: 200, headers: headers, body: OCIJSON.encode(Body(name: repository, tags: tags)))
    }

    private func listReferrers(repository: String, digestText: String, query: FormQuery, host: String) -> RegistryHTTPResponse {
        guard let subject = Digest(digestText) else { return .error(400, code: "DIGEST_INVALID", message: "invalid digest") }
        var descriptors = referrers(of: subject, repository: repository)
        var headers: [(String, String)] = [("Content-Type", MediaType.ociImageIndex)]
        let artifactType = query["artifactType"]
        if let artifactType, behavior.honoursArtifactTypeFilter {
            descriptors = descriptors.filter { $0.artifactType == artifactType }
            headers.append(("OCI-Filters-Applied", "artifactType"))
        }
        if let last = query["last"].flatMap(Digest.init) { descriptors = descriptors.filter { $0.digest > last } }
        if let pageSize = behavior.referrersPageSize, descriptors.count > pageSize {
            descriptors = Array(descriptors.prefix(pageSize))
            var next = "/v2/\(repository)/referrers/\(subject)?"
            if let artifactType { next += "artifactType=\(Self.queryEscape(artifactType))&" }
            next += "last=\(descriptors[descriptors.count - 1].digest)"
            headers.append(("Link", "<\(behavior.linkBase ?? "")\(next)>; rel=\"next\""))
        }
        return RegistryHTTPResponse(status: 200, headers: headers, body: ImageIndex(manifests: descriptors).encoded())
    }

    private static func queryEscape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}
