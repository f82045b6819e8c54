import ATProto

/// The JSON Patch (RFC 6902) `/mutate` answers with: each container and image volume whose image
/// was verified by tag gets its image rewritten to the verified digest, `name:tag@sha256:…` (the
/// tag kept for readability; the digest is what the kubelet pulls). Nothing else is touched.
///
/// Each rewrite is a `test` of the image the plan saw at that index, then a `replace`: a patch
/// applied to any other object than the one reviewed fails as a whole instead of rewriting the
/// wrong container.
public struct DigestPinPatch: Sendable, Hashable {
    /// One container's (or image volume's) rewrite.
    public struct Pin: Sendable, Hashable {
        /// The container's `image` field, e.g. `/spec/initContainers/1/image`, or the image
        /// volume's `reference`, e.g. `/spec/volumes/2/image/reference`.
        public var pointer: JSONPointer
        /// The image as the pod spec wrote it.
        public var from: String
        /// The image pinned to its verified digest.
        public var to: String
    }

    /// The rewrites, in spec order (containers, initContainers, ephemeralContainers, volumes).
    public var pins: [Pin]

    /// Which requests are pinned: a Pod's CREATE, its UPDATE (only the images it changes, e.g.
    /// `kubectl set image`, are verified and so pinned), and an UPDATE through the
    /// `pods/ephemeralcontainers` subresource (`kubectl debug`). Workload templates are never
    /// mutated: their Pods are pinned when the controller creates them.
    public static func applies(to request: AdmissionRequest, plan: AdmissionPlan) -> Bool {
        guard plan.workload == .pod, case .verify = plan.disposition else { return false }
        switch request.operation {
        case .create: return request.subResource == nil
        case .update: return request.subResource == nil || request.subResource == "ephemeralcontainers"
        case .delete, .connect: return false
        }
    }

    /// The patch for `plan`'s images: `pinned` maps an image as written to its pinned form
    /// (only images that verified; anything else is left alone). On an UPDATE only the images
    /// it changes are in the plan; on an ephemeral-containers update only `ephemeralContainers`
    /// are touched (a Pod's volumes cannot change after its CREATE).
    public init(request: AdmissionRequest, plan: AdmissionPlan, pinned: [ImageKey: String]) {
        guard Self.applies(to: request, plan: plan), let workload = plan.workload else {
            pins = []
            return
        }
        let lists: Set<ContainerList> = request.subResource == "ephemeralcontainers"
            ? [.ephemeralContainers] : Set(ContainerList.allCases)
        var found: [(list: Int, index: Int, pin: Pin)] = []
        for use in plan.toVerify {
            guard let target = pinned[ImageKey(use.image)], !target.utf8.elementsEqual(use.image.utf8) else { continue }
            for container in use.containers where lists.contains(container.list) {
                guard let index = container.index, let list = ContainerList.allCases.firstIndex(of: container.list) else { continue }
                let pointer = JSONPointer(workload.podSpecPath + container.imageField(at: index))
                found.append((list, index, Pin(pointer: pointer, from: use.image, to: target)))
            }
        }
        pins = found.sorted { ($0.list, $0.index) < ($1.list, $1.index) }.map(\.pin)
    }

    /// True when there is nothing to rewrite (the response then carries no patch).
    public var isEmpty: Bool { pins.isEmpty }

    /// The operations: a `test` and a `replace` per pin.
    public var operations: JSONValue {
        .array(pins.flatMap { pin -> [JSONValue] in
            [
                .members([("op", .string("test")), ("path", .string(pin.pointer.description)), ("value", .string(pin.from))]),
                .members([("op", .string("replace")), ("path", .string(pin.pointer.description)), ("value", .string(pin.to))]),
            ]
        })
    }

    /// The operations as compact JSON text (what `response.patch` carries, base64-encoded).
    public var json: String { operations.serialized }
}

extension ContainerRef {
    /// The container's (or image volume's) index in its list, from the path the extractor wrote:
    /// `…containers[3]`, `…volumes[2].image`.
    public var index: Int? {
        let entry = list == .volumes ? path.dropLast(".image".count) : Substring(path)
        guard list != .volumes || path.hasSuffix(".image"), entry.hasSuffix("]"), let open = entry.lastIndex(of: "[") else { return nil }
        return Int(entry[entry.index(after: open)..<entry.index(before: entry.endIndex)])
    }

    /// The field naming the image, below the pod spec: `containers/3/image`, or an image
    /// volume's `volumes/2/image/reference`.
    func imageField(at index: Int) -> [String] {
        list == .volumes ? [list.rawValue, String(index), "image", "reference"] : [list.rawValue, String(index), "image"]
    }
}
