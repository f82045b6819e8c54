import OCI

/// The image a pull is about: `-name` pinned to `-digest`, once the three sources agree.
///
/// containerd verifies before it fetches any content, so the digest it passes is the one the
/// pull will fetch: that digest, not whatever the tag points at now, is what must be signed
/// (for a multi-arch image the index digest). A `-name` that pins another digest, or a
/// descriptor on stdin that names another digest, means the three do not describe one image:
/// refused.
public struct PullTarget: Sendable, Equatable {
    /// `-name` pinned to `-digest` (the tag, if any, is kept for display).
    public let reference: ImageReference
    public let descriptor: PulledDescriptor

    /// Checks that `arguments` and `descriptor` name one image.
    public init(arguments: PullArguments, descriptor: PulledDescriptor) throws(PullInputError) {
        let digest: Digest
        do {
            digest = try Digest(parsing: arguments.digest)
        } catch {
            throw .reference("-digest \(arguments.digest) is not a digest: \(error)")
        }
        guard descriptor.digest == digest else {
            throw .reference("the descriptor on stdin names \(descriptor.digest) but -digest is \(digest): refusing a pull whose inputs disagree")
        }
        let name: ImageReference
        do {
            name = try ImageReference(parsing: arguments.name)
        } catch {
            throw .reference("-name \(arguments.name) is not a valid image reference: \(error)")
        }
        if let pinned = name.digest, pinned != digest {
            throw .reference("-name \(arguments.name) pins \(pinned) but -digest is \(digest): refusing a pull whose inputs disagree")
        }
        reference = name.pinned(to: digest)
        self.descriptor = descriptor
    }
}
