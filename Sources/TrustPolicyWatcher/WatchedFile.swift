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
public struct FileIdentity: Sendable, Hashable {
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

/// Why a watched file (policy, certificate, key) could not be read.
public struct WatchedFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The path that was read.
    public var path: String
    /// The operating system's reason, e.g. "No such file or directory".
    public var reason: String
    /// True when the file (or a symlink on the way) does not exist.
    public var isMissing: Bool

    public var description: String { "cannot read \(path): \(reason)" }
}

/// Reads a mounted file (a ConfigMap's policy, a Secret's certificate) with POSIX calls, so the
/// identity and the bytes come from the same open file even while the kubelet swaps symlinks
/// underneath.
public enum WatchedFile {
    /// Policy and certificate files are small; anything larger is a mistake.
    public static let defaultMaxSize = 1 << 20

    /// `stat(path)`, following symlinks.
    public static func identity(of path: String) -> Result<FileIdentity, WatchedFileError> {
        var info = stat()
        guard stat(path, &info) == 0 else { return .failure(error(path, errno)) }
        return .success(FileIdentity(info))
    }

    /// Opens `path`, takes its identity with `fstat`, and reads it whole.
    public static func read(_ path: String, maxSize: Int = defaultMaxSize) -> Result<(FileIdentity, [UInt8]), WatchedFileError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(error(path, errno)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(error(path, errno)) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            return .failure(WatchedFileError(path: path, reason: "not a regular file", isMissing: false))
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
                return .failure(WatchedFileError(path: path, reason: "larger than \(maxSize) bytes", isMissing: false))
            }
        }
        return .success((FileIdentity(info), bytes))
    }

    private static func error(_ path: String, _ code: Int32) -> WatchedFileError {
        WatchedFileError(path: path, reason: String(cString: strerror(code)), isMissing: code == ENOENT || code == ENOTDIR)
    }
}

/// The libc `read`, named apart from `WatchedFile.read`.
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
