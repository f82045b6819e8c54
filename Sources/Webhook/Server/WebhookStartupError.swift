import Foundation
import NIOCore
import NIOPosix
import OCI

/// Why the webhook cannot start: one line a person can act on, naming the flag and the file or
/// port at fault. `atcr-webhook` prints it and exits 1.
public enum WebhookStartupError: Error, Sendable, CustomStringConvertible {
    /// A file named by a flag cannot be used (CA bundle, Kubernetes CA).
    case file(flag: String, path: String, reason: String)
    /// The docker config cannot be used.
    case dockerConfig(path: String, DockerConfigError)
    /// The serving certificate or key cannot be used.
    case certificate(CertificateStoreError)
    /// Another process listens on the port.
    case portInUse(flag: String, host: String, port: Int)
    /// The port cannot be bound for another reason (privileges, an address not on this host).
    case cannotListen(flag: String, host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case .file(let flag, let path, let reason):
            return "\(flag) \(path): \(reason)"
        case .dockerConfig(let path, let error):
            if case .unreadable(_, let reason) = error { return "--docker-config \(path): \(reason)" }
            return "--docker-config \(path): \(error)"
        case .certificate(let error):
            return "serving certificate (--tls-cert/--tls-key) \(error.path): \(error.reason)"
        case .portInUse(let flag, let host, let port):
            return "\(flag) \(port): port \(port) on \(host) is already in use by another process (choose another with \(flag), or 0 for any free port)"
        case .cannotListen(let flag, let host, let port, let reason):
            return "\(flag) \(port): cannot listen on \(host):\(port): \(reason)"
        }
    }
}

/// Finds out, before any listener starts, whether the ports can be bound, so a port in use is
/// one clear line rather than a bind error from deep inside the server (and the other listener
/// cancelled half-started).
enum PortCheck {
    static func free(host: String, ports: [(flag: String, port: Int)]) async throws(WebhookStartupError) {
        let used = ports.filter { $0.port != 0 }
        if used.count == 2, used[0].port == used[1].port {
            throw .cannotListen(flag: used[1].flag, host: host, port: used[1].port, reason: "\(used[0].flag) uses the same port")
        }
        for (flag, port) in used {
            if let error = await bindError(host: host, port: port) { throw mapped(error, flag: flag, host: host, port: port) }
        }
    }

    /// Why binding `host:port` fails now, or nil when it can be bound.
    static func bindError(host: String, port: Int) async -> (any Error)? {
        do {
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port).get()
            try await channel.close()
            return nil
        } catch {
            return error
        }
    }

    /// A bind error in words, naming the flag.
    static func mapped(_ error: any Error, flag: String, host: String, port: Int) -> WebhookStartupError {
        if let io = error as? IOError {
            switch io.errnoCode {
            case EADDRINUSE: return .portInUse(flag: flag, host: host, port: port)
            case EACCES: return .cannotListen(flag: flag, host: host, port: port, reason: "permission denied (ports below 1024 need privileges)")
            case EADDRNOTAVAIL: return .cannotListen(flag: flag, host: host, port: port, reason: "\(host) is not an address of this machine (--host)")
            default: return .cannotListen(flag: flag, host: host, port: port, reason: String(cString: strerror(io.errnoCode)))
            }
        }
        return .cannotListen(flag: flag, host: host, port: port, reason: "\(error)")
    }
}
