/// An image string as a dictionary or set key: its UTF-8 bytes, compared byte for byte.
///
/// Swift `String`s compare by Unicode canonical equivalence, under which `v\u{212A}` (Kelvin
/// sign) equals `vK`; a runtime reads those as two references. Every map or set of images in
/// the admission path uses this key, so one image never stands in for another.
public struct ImageKey: Hashable, Sendable {
    private let bytes: [UInt8]

    /// The key for `image`, exactly as written.
    public init(_ image: String) {
        bytes = Array(image.utf8)
    }
}

extension ImageKey: ExpressibleByStringLiteral {
    /// The key for a literal image string (tests and fixed maps).
    public init(stringLiteral image: String) {
        self.init(image)
    }
}
