import Foundation
import HostNames
import HTTPFetch

/// Registry credentials, by canonical registry host, typically read from a mounted docker
/// `config.json`. A credential is only ever attached to requests for its own registry (and the
/// token service that registry names in its challenge); redirects elsewhere drop it.
public struct RegistryCredentials: Sendable, Equatable {
    /// What the configuration holds for one registry.
    public enum Credential: Sendable, Equatable {
        /// `auths.<host>.auth` (base64 `user:password`) or `username`/`password`: sent as Basic
        /// to a Basic challenge, and to the token service of a Bearer challenge.
        case basic(username: String, password: String)
        /// `auths.<host>.registrytoken`: sent as `Authorization: Bearer` to the registry.
        case registryToken(String)
        /// `auths.<host>.identitytoken`: an OAuth2 refresh token, exchanged by a POST to the token
        /// service. Not supported here (requests are GET/HEAD only): using it is an error.
        case identityToken(String)
        /// `credHelpers.<host>` or `credsStore`: credentials live in a helper program, which
        /// this verifier does not run. Using it is an error.
        case helper(String)
    }

    /// Credentials by canonical registry host (`docker.io`, `ghcr.io`, `localhost:5000`).
    public private(set) var entries: [String: Credential]

    /// No credentials: every registry is accessed anonymously.
    public static let anonymous = RegistryCredentials([:])

    /// Credentials by registry host; keys are canonicalized like image references
    /// (`https://index.docker.io/v1/` → `docker.io`).
    public init(_ entries: [String: Credential]) {
        var canonical: [String: Credential] = [:]
        for (key, value) in entries { canonical[Self.canonicalHost(key)] = value }
        self.entries = canonical
    }

    /// The credential configured for `registry` (a canonical registry name), if any.
    public func credential(for registry: String) -> Credential? {
        entries[Self.canonicalHost(registry)]
    }

    /// A docker `config.json` key as a canonical registry host: scheme and path dropped,
    /// lowercased, Docker Hub's aliases folded into `docker.io`.
    public static func canonicalHost(_ key: String) -> String {
        var text = Substring(key.trimmingCharacters(in: .whitespaces))
        for scheme in ["https://", "http://"] where text.lowercased().hasPrefix(scheme) {
            text = text.dropFirst(scheme.count)
        }
        if let slash = text.firstIndex(of: "/") { text = text[..<slash] }
        return RegistryHost.canonical(text)
    }
}

/// Why a docker `config.json` could not be used.
public enum DockerConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case tooLarge(path: String, limit: Int)
    case notJSON(String)
    case invalidField(String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "cannot read docker config \(path): \(reason)"
        case .tooLarge(let path, let limit): return "docker config \(path) is larger than \(limit) bytes"
        case .notJSON(let reason): return "docker config is not a JSON object: \(reason)"
        case .invalidField(let field, let reason): return "docker config field '\(field)' \(reason)"
        }
    }
}

extension RegistryCredentials {
    /// The largest `config.json` read.
    public static let maxConfigBytes = 1 << 20

    /// Reads a docker `config.json` (at most 1 MiB).
    public static func load(dockerConfigAt path: String) throws(DockerConfigError) -> RegistryCredentials {
        if let problem = LocalFile.problem(at: path) { throw .unreadable(path: path, reason: problem) }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadable(path: path, reason: "cannot be opened")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: maxConfigBytes + 1) ?? Data()
        } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
        guard data.count <= maxConfigBytes else { throw .tooLarge(path: path, limit: maxConfigBytes) }
        return try RegistryCredentials(dockerConfig: Array(data))
    }

    /// Parses a docker `config.json`: `auths.<host>` (`auth`, `username`/`password`,
    /// `identitytoken`, `registrytoken`), `credHelpers.<host>`, and `credsStore` (which applies
    /// to hosts listed in `auths` without inline credentials, as `docker login` writes them).
    public init(dockerConfig bytes: [UInt8]) throws(DockerConfigError) {
        let root: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                throw DockerConfigError.notJSON("the top level is not an object")
            }
            root = object
        } catch let error as DockerConfigError {
            throw error
        } catch {
            throw .notJSON((error as NSError).localizedDescription)
        }
        var entries: [String: Credential] = [:]
        let store = try Self.optionalString(root["credsStore"], field: "credsStore")
        if let auths = root["auths"], !(auths is NSNull) {
            guard let auths = auths as? [String: Any] else { throw .invalidField("auths", reason: "must be an object") }
            for key in auths.keys.sorted() {
                guard let entry = auths[key] as? [String: Any] else {
                    throw .invalidField("auths.\(key)", reason: "must be an object")
                }
                let host = Self.canonicalHost(key)
                if let credential = try Self.inlineCredential(entry, key: key) {
                    entries[host] = credential
                } else if let store, entries[host] == nil {
                    entries[host] = .helper(store)
                }
            }
        }
        if let helpers = root["credHelpers"], !(helpers is NSNull) {
            guard let helpers = helpers as? [String: Any] else { throw .invalidField("credHelpers", reason: "must be an object") }
            for (key, value) in helpers {
                guard let name = value as? String else { throw .invalidField("credHelpers.\(key)", reason: "must be a string") }
                entries[Self.canonicalHost(key)] = .helper(name)
            }
        }
        self.init(entries)
    }

    private static func inlineCredential(_ entry: [String: Any], key: String) throws(DockerConfigError) -> Credential? {
        if let token = try optionalString(entry["registrytoken"], field: "auths.\(key).registrytoken"), !token.isEmpty {
            return .registryToken(token)
        }
        if let token = try optionalString(entry["identitytoken"], field: "auths.\(key).identitytoken"), !token.isEmpty {
            return .identityToken(token)
        }
        if let auth = try optionalString(entry["auth"], field: "auths.\(key).auth"), !auth.isEmpty {
            guard let data = Data(base64Encoded: auth), let text = String(data: data, encoding: .utf8),
                let colon = text.firstIndex(of: ":")
            else {
                throw .invalidField("auths.\(key).auth", reason: "must be base64 of 'username:password'")
            }
            return .basic(username: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
        }
        if let username = try optionalString(entry["username"], field: "auths.\(key).username"), !username.isEmpty,
            let password = try optionalString(entry["password"], field: "auths.\(key).password")
        {
            return .basic(username: username, password: password)
        }
        return nil
    }

    private static func optionalString(_ value: Any?, field: String) throws(DockerConfigError) -> String? {
        guard let value, !(value is NSNull) else { return nil }
        guard let text = value as? String else { throw .invalidField(field, reason: "must be a string") }
        return text
    }
}
