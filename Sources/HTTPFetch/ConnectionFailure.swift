import Foundation
import NIOCore
import NIOPosix

/// A connection that could not be made, in words: the host and the cause ("connection refused",
/// "no such host"). The fetcher makes one connection attempt per request (AsyncHTTPClient's
/// re-dialling is off: a refused port or an unknown name does not get better within a review's
/// deadline), so these failures are reported at once instead of as a timeout.
enum ConnectionFailure {
    /// The failure as a sentence, or nil when `error` is not a connection failure.
    static func describe(_ error: any Error, host: String) -> String? {
        if let connection = error as? NIOConnectionError {
            if connection.connectionErrors.isEmpty, connection.dnsAError != nil || connection.dnsAAAAError != nil {
                return "\(host) unreachable: no such host (DNS lookup failed)"
            }
            if let first = connection.connectionErrors.first {
                return "\(host) unreachable: \(cause(first.error))"
            }
            return "\(host) unreachable: no address to connect to"
        }
        if let io = error as? IOError, [ECONNREFUSED, ECONNRESET, EHOSTUNREACH, ENETUNREACH].contains(io.errnoCode) {
            return "\(host) unreachable: \(cause(io))"
        }
        if let channel = error as? ChannelError, case .connectTimeout = channel {
            return "\(host) unreachable: the connection attempt timed out"
        }
        return nil
    }

    private static func cause(_ error: any Error) -> String {
        guard let io = error as? IOError else { return "\(error)" }
        switch io.errnoCode {
        case ECONNREFUSED: return "connection refused"
        case ECONNRESET: return "connection reset"
        case EHOSTUNREACH: return "no route to host"
        case ENETUNREACH: return "network unreachable"
        default: return String(cString: strerror(io.errnoCode))
        }
    }
}
