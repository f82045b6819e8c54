/// base58btc (the Bitcoin alphabet): the `z` multibase that did:key and Multikey use.
public enum Base58 {
    static let alphabet: [UInt8] = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)

    private static let decodeTable: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, char) in alphabet.enumerated() { table[Int(char)] = Int8(index) }
        return table
    }()

    /// Longest input accepted by `decode`: keys are tens of characters; the cap keeps the
    /// quadratic conversion cheap on hostile input.
    public static let maxDecodeLength = 512

    /// Encodes bytes; each leading zero byte becomes a leading `1`.
    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let input = Array(bytes)
        let zeros = input.prefix(while: { $0 == 0 }).count
        var digits: [UInt8] = []  // base-58 digits, least significant first
        digits.reserveCapacity(input.count * 138 / 100 + 1)
        for byte in input[zeros...] {
            var carry = Int(byte)
            for index in digits.indices {
                carry += Int(digits[index]) << 8
                digits[index] = UInt8(carry % 58)
                carry /= 58
            }
            while carry > 0 {
                digits.append(UInt8(carry % 58))
                carry /= 58
            }
        }
        var out = [UInt8](repeating: alphabet[0], count: zeros)
        out.append(contentsOf: digits.reversed().map { alphabet[Int($0)] })
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes base58btc; nil on a character outside the alphabet or input over `maxDecodeLength`.
    public static func decode<S: StringProtocol>(_ text: S) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count <= maxDecodeLength else { return nil }
        let ones = chars.prefix(while: { $0 == alphabet[0] }).count
        var bytes: [UInt8] = []  // least significant first
        for char in chars[ones...] {
            let value = decodeTable[Int(char)]
            guard value >= 0 else { return nil }
            var carry = Int(value)
            for index in bytes.indices {
                carry += Int(bytes[index]) * 58
                bytes[index] = UInt8(carry & 0xFF)
                carry >>= 8
            }
            while carry > 0 {
                bytes.append(UInt8(carry & 0xFF))
                carry >>= 8
            }
        }
        return [UInt8](repeating: 0, count: ones) + bytes.reversed()
    }
}
