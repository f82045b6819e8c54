import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The directory of the containerd verifier's disk cache (`ATCR_CACHE_DIR`): one JSON file,
/// `cache.json`, replaced atomically (written beside it, synced, renamed), and a `lock` file
/// that serializes writers with `flock`, so concurrent pulls never lose each other's entries.
/// Readers need no lock: they see the old file or the new one, never a mix.
///
/// Whoever can write this directory can make the verifier trust a proof: it must belong to the
/// user the verifier runs as and be writable by nobody else (like `~/.ssh`). Otherwise, or when
/// anything about it is wrong, the cache is not used and the pull is verified over the network.
public struct CacheDirectory: Sendable {
    /// Why the cache cannot be used; the pull goes on without it.
    public struct Unusable: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// The most bytes `cache.json` may have; a larger file is ignored.
    public static let maxFileBytes = 8 << 20

    public let path: String
    var filePath: String { path + "/cache.json" }
    var lockPath: String { path + "/lock" }

    /// Opens `path`, creating it (mode 0700) when its parent exists and it does not.
    public static func prepare(_ path: String) throws(Unusable) -> CacheDirectory {
        guard path.hasPrefix("/") else { throw Unusable(description: "ATCR_CACHE_DIR \(path) is not an absolute path") }
        if mkdir(path, 0o700) != 0, errno != EEXIST {
            throw Unusable(description: "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        var status = stat()
        guard lstat(path, &status) == 0 else { throw Unusable(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
        try Self.checkOwnership(status, path: path, kind: S_IFDIR)
        return CacheDirectory(path: path)
    }

    /// The snapshot in `cache.json`; empty when there is none yet.
    ///
    /// - Throws: ``Unusable`` when the file is not ours, too large, or not a snapshot of this version.
    public func read() throws(Unusable) -> CacheSnapshot {
        let descriptor = systemOpen(filePath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return CacheSnapshot() }
            throw Unusable(description: "cannot open \(filePath): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw Unusable(description: "cannot read \(filePath)") }
        try Self.checkOwnership(status, path: filePath, kind: S_IFREG)
        guard Int(status.st_size) <= Self.maxFileBytes else {
            throw Unusable(description: "\(filePath) is larger than \(Self.maxFileBytes) bytes")
        }
        guard let bytes = BoundedInput.read(descriptor: descriptor, limit: Self.maxFileBytes), bytes.count <= Self.maxFileBytes else {
            throw Unusable(description: "cannot read \(filePath), or it is larger than \(Self.maxFileBytes) bytes")
        }
        let snapshot: CacheSnapshot
        do {
            snapshot = try JSONDecoder().decode(CacheSnapshot.self, from: Data(bytes))
        } catch {
            throw Unusable(description: "\(filePath) is not a cache file (\(error)); it will be replaced")
        }
        guard snapshot.version == CacheSnapshot.formatVersion else {
            throw Unusable(description: "\(filePath) has format \(snapshot.version), not \(CacheSnapshot.formatVersion); it will be replaced")
        }
        return snapshot
    }

    /// Folds `update` into the file under the writers' lock: the file is read again, merged
    /// (``CacheSnapshot/merged(with:bounds:now:)``), cut by `prune`, and replaced. Gives up when the
    /// lock is not free by `deadline`.
    public func update(
        with update: CacheSnapshot, until deadline: ContinuousClock.Instant, prune: (CacheSnapshot) -> CacheSnapshot = { $0 }
    ) throws(Unusable) {
        let lock = systemOpen(lockPath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw Unusable(description: "cannot open \(lockPath): \(String(cString: strerror(errno)))") }
        defer { close(lock) }
        while flock(lock, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, ContinuousClock.now < deadline else {
                throw Unusable(description: "\(lockPath) stayed locked: the cache was not updated")
            }
            usleep(5_000)
        }
        defer { flock(lock, LOCK_UN) }
        let current = (try? read()) ?? CacheSnapshot()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes: Data
        do {
            bytes = try encoder.encode(prune(current.merged(with: update, now: Date().timeIntervalSince1970)))
        } catch {
            throw Unusable(description: "cannot encode the cache: \(error)")
        }
        try write(bytes)
    }

    /// Writes `bytes` to a new file beside `cache.json`, syncs it, and renames it over `cache.json`.
    private func write(_ bytes: Data) throws(Unusable) {
        let temporary = "\(filePath).\(getpid()).tmp"
        unlink(temporary)
        let descriptor = systemOpen(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Unusable(description: "cannot create \(temporary): \(String(cString: strerror(errno)))") }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: false)
        let complete = (try? handle.write(contentsOf: bytes)) != nil
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard complete, synced, rename(temporary, filePath) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Unusable(description: "cannot write \(filePath): \(reason)")
        }
    }

    /// Refuses what is not a `kind` owned by this process's user, or that others may write.
    private static func checkOwnership(_ status: stat, path: String, kind: mode_t) throws(Unusable) {
        guard status.st_mode & S_IFMT == kind else {
            throw Unusable(description: "\(path) is not a \(kind == S_IFDIR ? "directory" : "regular file")")
        }
        guard status.st_uid == geteuid() else {
            throw Unusable(description: "\(path) belongs to uid \(status.st_uid), not to uid \(geteuid()) the verifier runs as")
        }
        guard status.st_mode & (S_IWGRP | S_IWOTH) == 0 else {
            throw Unusable(description: "\(path) may be written by others (mode \(String(status.st_mode & 0o777, radix: 8))): chmod go-w")
        }
    }

}

/// `open(2)`, which the type's own names would shadow.
private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
    open(path, flags, mode)
}
