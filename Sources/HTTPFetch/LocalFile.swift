import Foundation

/// Reads a local file the operator named (a CA bundle, a docker config, a policy, a CAR) and,
/// when that fails, says why in words a person can act on: "no such file", "is a directory",
/// "permission denied".
public enum LocalFile {
    /// Why `path` cannot be read as a regular file, or nil when it can.
    public static func problem(at path: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            let parent = (path as NSString).deletingLastPathComponent
            if !parent.isEmpty, !FileManager.default.fileExists(atPath: parent) { return "no such file (no directory \(parent))" }
            return "no such file"
        }
        if isDirectory.boolValue { return "is a directory, not a file" }
        if !FileManager.default.isReadableFile(atPath: path) { return "permission denied" }
        return nil
    }

    /// At most `limit` bytes of the file at `path`.
    public static func read(_ path: String, limit: Int) throws(LocalFileError) -> [UInt8] {
        if let problem = problem(at: path) { throw LocalFileError(path: path, reason: problem) }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw LocalFileError(path: path, reason: "cannot be opened") }
        defer { try? handle.close() }
        do {
            return Array(try handle.read(upToCount: limit) ?? Data())
        } catch {
            throw LocalFileError(path: path, reason: "read failed: \(error.localizedDescription)")
        }
    }
}

/// A local file that could not be read, and why.
public struct LocalFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}
