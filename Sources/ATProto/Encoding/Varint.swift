/// Unsigned LEB128 varints as the multiformats specs use them (CIDs, multicodecs, CAR sections).
///
/// Decoding is strict: at most 9 bytes (63 bits of value) and minimal encoding only, so one
/// value has exactly one byte form.
public enum Varint {
    /// Why a varint could not be read.
    public enum DecodeError: Error, Equatable, Sendable {
        case truncated
        case tooLong
        case nonMinimal
    }

    /// The largest number of bytes a multiformats varint may occupy.
    public static let maxLength = 9

    /// Reads one varint starting at `index`; returns the value and the number of bytes it used.
    public static func decode<C: Collection>(
        _ bytes: C, at index: C.Index
    ) throws(DecodeError) -> (value: UInt64, length: Int) where C.Element == UInt8 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var position = index
        var count = 0
        while true {
            guard position < bytes.endIndex else { throw .truncated }
            guard count < maxLength else { throw .tooLong }
            let byte = bytes[position]
            value |= UInt64(byte & 0x7F) << shift
            count += 1
            position = bytes.index(after: position)
            if byte & 0x80 == 0 {
                // A final zero byte after at least one other byte could have been left out.
                if byte == 0 && count > 1 { throw .nonMinimal }
                return (value, count)
            }
            shift += 7
        }
    }

    /// The minimal encoding of `value`.
    public static func encode(_ value: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        var remaining = value
        repeat {
            var byte = UInt8(remaining & 0x7F)
            remaining >>= 7
            if remaining != 0 { byte |= 0x80 }
            out.append(byte)
        } while remaining != 0
        return out
    }
}
