/// A record key: 1–512 characters of `[A-Za-z0-9._:~-]`, and not `.` or `..`.
public struct RecordKey: Hashable, Sendable, CustomStringConvertible {
    public let string: String

    /// The longest record key.
    public static let maxLength = 512

    /// Validates `string`; nil when it is not a record key.
    public init?(_ string: String) {
        guard Self.isValid(string) else { return nil }
        self.string = string
    }

    /// The record key of a TID (ATCR's record keys are TIDs; a TID is always a valid key).
    public init(_ tid: TID) {
        string = tid.string
    }

    /// True when `string` has record-key syntax.
    public static func isValid(_ string: String) -> Bool {
        let bytes = Array(string.utf8)
        guard (1...maxLength).contains(bytes.count), string != ".", string != ".." else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || Array("._:~-".utf8).contains($0) }
    }

    public var description: String { string }
}

/// A TID ("timestamp identifier"): 13 characters of base32-sortable (`234567a-z`), the first
/// restricted to `234567a-j` so the top bit of the 64-bit value is 0. Commit revs and ATCR's
/// record keys are TIDs.
public struct TID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let string: String

    static let alphabet: [UInt8] = Array("234567abcdefghijklmnopqrstuvwxyz".utf8)

    /// Validates `string`; nil when it is not a TID.
    public init?(_ string: String) {
        guard Self.isValid(string) else { return nil }
        self.string = string
    }

    /// Builds the TID of a microsecond timestamp and a 10-bit clock identifier.
    public init(microseconds: UInt64, clockID: UInt16) {
        var value = ((microseconds & ((1 << 53) - 1)) << 10) | UInt64(clockID & 0x3FF)
        var chars = [UInt8](repeating: 0, count: 13)
        for index in stride(from: 12, through: 0, by: -1) {
            chars[index] = Self.alphabet[Int(value & 0x1F)]
            value >>= 5
        }
        string = String(decoding: chars, as: UTF8.self)
    }

    /// True when `string` has TID syntax.
    public static func isValid(_ string: String) -> Bool {
        let bytes = Array(string.utf8)
        guard bytes.count == 13 else { return false }
        guard Array("234567abcdefghij".utf8).contains(bytes[0]) else { return false }
        return bytes.allSatisfy { alphabet.contains($0) }
    }

    /// The timestamp part, in microseconds since the Unix epoch.
    public var microseconds: UInt64 {
        var value: UInt64 = 0
        for char in string.utf8 {
            value = value << 5 | UInt64(Self.alphabet.firstIndex(of: char) ?? 0)
        }
        return value >> 10
    }

    /// TIDs sort as strings, and as strings they sort by time.
    public static func < (lhs: TID, rhs: TID) -> Bool { lhs.string < rhs.string }

    public var description: String { string }
}
