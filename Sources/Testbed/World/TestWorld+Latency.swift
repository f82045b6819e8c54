extension TestWorld {
    /// Puts every server of the world `roundTrip` away (``Latency``): each response waits one
    /// round trip, each new connection two more before its TLS handshake (the admin endpoint
    /// excepted). Zero: loopback again.
    public func setLatency(_ roundTrip: Duration) {
        for server in servers where server !== adminServer { server.latency.roundTrip = roundTrip }
    }

    /// Requests every server has answered so far, for counting what one review cost.
    public var requestCount: Int { servers.reduce(0) { $0 + $1.log.count() } }

    /// Connections every server has accepted so far.
    public var connectionCount: Int { servers.reduce(0) { $0 + $1.connections.accepted } }
}
