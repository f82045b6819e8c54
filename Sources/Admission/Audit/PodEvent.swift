import Foundation

extension KubernetesEvent {
    /// A `Warning` Event about the webhook's own Pod (not about a reviewed object): for what the
    /// webhook notices on its own, e.g. a trusted DID whose signing key changed.
    ///
    /// - Parameters:
    ///   - pod: the Pod's name, namespace and (optional) uid, from the downward API.
    ///   - reason: CamelCase, e.g. `TrustedDIDKeyChanged`; ≤ 128 bytes.
    ///   - discriminator: what makes this Event distinct (e.g. the DID, the change and the
    ///     time): hashed into `metadata.name`.
    ///   - note: for a person; cut to 1024 bytes.
    public static func aboutPod(
        name pod: String, namespace: String, uid: String?, at time: Date, reason: String, action: String, note: String,
        discriminator: String
    ) -> KubernetesEvent {
        let subject = ObjectReference(apiVersion: "v1", kind: "Pod", namespace: namespace, name: pod, uid: uid)
        return KubernetesEvent(
            name: KubernetesEventText.name(subject: subject, uid: discriminator, image: "", action: action, index: 0),
            namespace: namespace, eventTime: time,
            reason: TextBounds.truncate(TextBounds.singleLine(reason), maxBytes: Limits.reason, ellipsis: ""),
            action: TextBounds.truncate(TextBounds.singleLine(action), maxBytes: Limits.action, ellipsis: ""),
            note: TextBounds.truncate(TextBounds.singleLine(note), maxBytes: Limits.note),
            regarding: subject, reportingInstance: KubernetesEventText.reportingInstance(pod))
    }
}
