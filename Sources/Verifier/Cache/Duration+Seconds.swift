extension Duration {
    /// This duration in seconds, as a `Double` (for rates, metrics and wall-clock arithmetic).
    public var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
