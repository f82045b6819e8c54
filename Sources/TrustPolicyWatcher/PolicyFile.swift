import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What `stat()` says about the file a path finally points to. `stat` follows symlinks, so
/// a ConfigMap update (the kubelet swaps the `..data` symlink to a new directory) shows up
/// as a new inode even though `policy.yaml` itself, a symlink, never changes.
/// (`FileManager.attributesOfItem` uses `lstat` and would miss it.)
struct FileIdentity: Sendable, Hashable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modifiedSeconds: Int64
    var modifiedNanoseconds: Int64

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        #if canImport(Darwin)
        modifiedSeconds = Int64(info.st_mtimespec.tv_sec)
        modifiedNanoseconds = Int64(info.st_mtimespec.tv_nsec)
        #else
        modifiedSeconds = Int64(info.st_mtim.tv_sec)
        modifiedNanoseconds = Int64(info.st_mtim.tv_nsec)
        #endif
    }
}

/// Why a policy file could not be read.
public struct PolicyFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The path that was read.
    public var path: String
    /// The operating system's reason, e.g. "No such file or directory".
    public var reason: String
    /// True when the file (or a symlink on the way) does not exist.
    public var isMissing: Bool

    public var description: String { "cannot read policy file \(path): \(reason)" }
}

/// Reads a policy file with POSIX calls, so the identity and the bytes come from the same
/// open file even while the kubelet swaps symlinks underneath.
enum PolicyFile {
    /// Policy files are small; anything larger is a mistake, not a policy.
    static let maxSize = 1 << 20

    /// `stat(path)`, following symlinks.
    static func identity(of path: String) -> Result<FileIdentity, PolicyFileError> {
        var info = stat()
        guard stat(path, &info) == 0 else { return .failure(error(path, errno)) }
        return .success(FileIdentity(info))
    }

    /// Opens `path`, takes its identity with `fstat`, and reads it whole.
    static func read(_ path: String) -> Result<(FileIdentity, [UInt8]), PolicyFileError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(error(path, errno)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(error(path, errno)) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            return .failure(PolicyFileError(path: path, reason: "not a regular file", isMissing: false))
        }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glue.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(error(path, errno))
            }
            if count == 0 { break }
            bytes += buffer[0..<count]
            if bytes.count > maxSize {
                return .failure(PolicyFileError(path: path, reason: "larger than \(maxSize) bytes", isMissing: false))
            }
        }
        return .success((FileIdentity(info), bytes))
    }

    private static func error(_ path: String, _ code: Int32) -> PolicyFileError {
        PolicyFileError(path: path, reason: String(cString: strerror(code)), isMissing: code == ENOENT || code == ENOTDIR)
    }
}

/// The libc `read`, named apart from `PolicyFile.read`.
private enum Glue {
    static func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
        #if canImport(Glibc)
        return Glibc.read(fd, buffer, count)
        #elseif canImport(Musl)
        return Musl.read(fd, buffer, count)
        #else
        return Darwin.read(fd, buffer, count)
        #endif
    }
}
