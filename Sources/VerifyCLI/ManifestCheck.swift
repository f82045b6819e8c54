import ATProto
import Admission
import Foundation
import TrustPolicy
import Webhook

/// Decides manifests' objects as the webhook decides a CREATE of each: the same plan
/// (`AdmissionPlan`: workload kinds, image extraction, invalid objects) and the same review
/// service, in the namespace the object names (else `--namespace`, else `default`).
struct ManifestCheck: Sendable {
    /// An object the webhook would refuse as malformed, with where it is.
    struct InvalidObject: Sendable {
        let origin: ManifestOrigin
        let problems: [ObjectProblem]
        /// The line of each problem's field (or the object's).
        let problemLines: [Int?]
        /// What the webhook's denial says.
        let message: String
    }

    /// The result over every object.
    struct Result: Sendable {
        var images: [ImageOutcome] = []
        var invalid: [InvalidObject] = []
        /// Objects that name no images (Services, ConfigMaps, …): allowed untouched.
        var skipped = 0
        var objects = 0
    }

    let service: ReviewService
    let policy: TrustPolicy
    let namespace: String?
    let timeout: Duration
    let concurrency: Int

    func run(_ objects: [ManifestObject], terminal: Terminal) async -> Result {
        let progress = ProgressCounter(total: objects.count, terminal: terminal, noun: "objects")
        let now = Date()
        let decided = await boundedMap(Array(objects.enumerated()), width: concurrency) { [self] index, object in
            let request = self.request(for: object, index: index)
            let evaluation = await service.evaluate(request, policy: policy, now: now, deadline: .now + timeout)
            await progress.tick()
            return (object, request, evaluation)
        }
        terminal.finish()
        var result = Result()
        result.objects = objects.count
        for (object, request, evaluation) in decided {
            let plan = evaluation.outcome.plan
            func origin(_ refs: [ContainerRef]) -> ManifestOrigin {
                ManifestOrigin(
                    file: object.file, kind: request.kind.kind, namespace: request.namespace, name: request.name, objectLine: object.line,
                    places: refs.map { ref in
                        let line = object.lines[ref.path + (ref.list == .volumes ? ".reference" : ".image")] ?? object.lines[ref.path]
                        return ManifestOrigin.Place(path: ref.path, name: ref.name, line: line)
                    })
            }
            switch plan.disposition {
            case .allowUnchecked:
                result.skipped += 1
            case .rejectInvalid(let problems):
                result.invalid.append(InvalidObject(
                    origin: origin([]), problems: problems,
                    problemLines: problems.map { object.line(near: $0.path) },
                    message: evaluation.outcome.response.status?.message ?? "invalid object"))
            case .verify:
                for (use, image) in zip(plan.toVerify, evaluation.images) {
                    result.images.append(ImageOutcome(
                        display: use.image, decided: image, namespace: request.namespace, origin: origin(use.containers)))
                }
            }
        }
        return result
    }

    /// A CREATE of `object`, as the API server would send it.
    func request(for object: ManifestObject, index: Int) -> AdmissionRequest {
        let apiVersion = object.apiVersion ?? ""
        let parts = apiVersion.split(separator: "/", maxSplits: 1).map(String.init)
        let group = parts.count == 2 ? parts[0] : ""
        let version = parts.last ?? ""
        let kind = object.kind ?? ""
        return AdmissionRequest(
            uid: "atcr-verify-check-\(index)",
            kind: GroupVersionKind(group: group, version: version, kind: kind),
            resource: GroupVersionResource(group: group, version: version, resource: kind.lowercased() + "s"),
            operation: .create,
            namespace: object.metadata("namespace") ?? namespace ?? "default",
            name: object.metadata("name"),
            object: object.object)
    }
}

extension ManifestObject {
    /// The line of the field at `path`, else of its nearest written parent, else the object's.
    func line(near path: String) -> Int? {
        var path = Substring(path)
        while !path.isEmpty {
            if let line = lines[String(path)] { return line }
            guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            path = path[..<cut]
        }
        return line
    }
}
