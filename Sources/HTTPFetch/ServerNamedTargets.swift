import Foundation
import HostNames

/// Where a URL may lead when a server named it rather than the operator: a redirect's
/// `Location` (registries redirect blobs to storage), a Bearer challenge's token realm.
///
/// A registry is chosen by the trust policy, but what it answers is not: without this check a
/// compromised or hostile registry could steer the verifier at the cloud metadata service
/// (169.254.169.254), the node's loopback or internal services. IP literals in those ranges and
/// `localhost` names are refused; names DNS resolves are not inspected here (an egress
/// NetworkPolicy is the place to bound where names may lead).
public enum ServerNamedTargets: Sendable, Hashable {
    /// DNS names and global IP literals only (the default).
    case publicOnly
    /// Also private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7): an internal
    /// registry whose blob store or token service has a private address. Loopback,
    /// unspecified and link-local addresses stay refused.
    case privateAllowed
    /// Anything, loopback included: the local test world only.
    case any

    /// The setting the products' flags select: the test world's flag allows everything,
    /// otherwise private ranges only when the operator allowed them.
    public init(testWorld: Bool, allowPrivate: Bool) {
        self = testWorld ? .any : (allowPrivate ? .privateAllowed : .publicOnly)
    }

    /// Why `url` may not be reached under this setting (`169.254.169.254 is a link-local
    /// address …: …`), or nil when it may. Judges the host
    /// the HTTP client connects to (percent-decoded, any `inet_aton` spelling of an IPv4
    /// address, IPv6 with its zone removed, a trailing dot ignored).
    public func refusal(of url: URL) -> String? {
        guard self != .any, var host = url.host?.lowercased() else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if let zone = host.firstIndex(of: "%") { host = String(host[..<zone]) }
        if host.hasSuffix(".") { host.removeLast() }
        let addressClass: AddressClass
        if LocalHostNames.isLocal(host) {
            addressClass = .loopback
        } else if let address = IPAddress(literal: Substring(host)) {
            addressClass = address.addressClass
        } else {
            return nil
        }
        switch addressClass {
        case .global:
            return nil
        case .privateUse:
            guard self == .publicOnly else { return nil }
            return "\(host) is \(addressClass): private ranges are reached only when the operator allows them "
                + "(--allow-private-upstreams, for an internal registry)"
        case .loopback, .unspecified, .linkLocal:
            return "\(host) is \(addressClass): a URL a server names may not lead there "
                + "(only the local test world's --allow-insecure-local allows it)"
        }
    }
}
