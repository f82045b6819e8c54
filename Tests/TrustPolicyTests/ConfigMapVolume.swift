import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A directory laid out and updated exactly as the kubelet does for a ConfigMap volume:
///
///     ..2026_11_22_01_00_00.1/policy.yaml      the data, in a timestamped directory
///     ..data -> ..2026_11_22_01_00_00.1        swapped atomically on every update
///     policy.yaml -> ..data/policy.yaml        never changes
///
/// An update writes a new timestamped directory, points `..data_tmp` at it, renames
/// `..data_tmp` over `..data` (one atomic `rename(2)`), and removes the old directory.
final class ConfigMapVolume {
    let root: URL
    private var generation = 0
    private var currentDirectory: String?

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("atcr-policy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: root)
    }

    /// The path the webhook is configured with.
    var policyPath: String { root.appendingPathComponent("policy.yaml").path }

    /// The real file behind the symlinks right now.
    var dataFilePath: String? {
        currentDirectory.map { root.appendingPathComponent($0).appendingPathComponent("policy.yaml").path }
    }

    /// Publishes `content` as the kubelet would. `modified` sets the new file's mtime (to
    /// show that detection does not depend on it).
    func publish(_ content: String, modified: Date? = nil) throws {
        generation += 1
        let directory = "..2026_11_22_01_00_00.\(generation)"
        let directoryURL = root.appendingPathComponent(directory)
        try FileManager.default.createDirectory(at: directoryURL, withIntermediateDirectories: false)
        let file = directoryURL.appendingPathComponent("policy.yaml")
        try Data(content.utf8).write(to: file)
        if let modified {
            try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: file.path)
        }
        let temporary = root.appendingPathComponent("..data_tmp").path
        let data = root.appendingPathComponent("..data").path
        try FileManager.default.createSymbolicLink(atPath: temporary, withDestinationPath: directory)
        guard rename(temporary, data) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        if generation == 1 {
            try FileManager.default.createSymbolicLink(atPath: policyPath, withDestinationPath: "..data/policy.yaml")
        }
        if let old = currentDirectory {
            try FileManager.default.removeItem(at: root.appendingPathComponent(old))
        }
        currentDirectory = directory
    }

    /// Removes the `policy.yaml` symlink (the file is gone for the reader).
    func deletePolicyFile() throws {
        try FileManager.default.removeItem(atPath: policyPath)
    }

    /// Puts the `policy.yaml` symlink back.
    func restorePolicyFile() throws {
        try FileManager.default.createSymbolicLink(atPath: policyPath, withDestinationPath: "..data/policy.yaml")
    }
}
