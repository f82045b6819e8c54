import ATProto

/// Finds the images of a workload object: every container of `containers`, `initContainers`
/// and `ephemeralContainers` at the kind's pod-spec path, deduplicated by image string.
struct ImageExtractor: Sendable {
    /// The images in first-use order, and what is wrong with the object (missing pod spec,
    /// wrong JSON types, containers without a usable image).
    struct Result: Sendable, Hashable {
        var uses: [ImageUse] = []
        var problems: [ObjectProblem] = []

        /// The distinct image strings.
        var images: Set<String> { Set(uses.map(\.image)) }
    }

    let kind: WorkloadKind

    func extract(from object: JSONValue) -> Result {
        var result = Result()
        var spec = object
        var path: [String] = []
        for key in kind.podSpecPath {
            path.append(key)
            guard let next = spec[key], next != .null else {
                result.problems.append(ObjectProblem(path: path.joined(separator: "."), reason: "is missing"))
                return result
            }
            guard case .object = next else {
                result.problems.append(ObjectProblem(path: path.joined(separator: "."), reason: "must be an object, not \(next.typeName)"))
                return result
            }
            spec = next
        }
        let prefix = path.isEmpty ? "" : path.joined(separator: ".") + "."
        var indexByImage: [String: Int] = [:]
        for list in kind.containerLists {
            let listPath = prefix + list.rawValue
            guard let value = spec[list.rawValue], value != .null else { continue }
            guard case .array(let entries) = value else {
                result.problems.append(ObjectProblem(path: listPath, reason: "must be an array, not \(value.typeName)"))
                continue
            }
            for (index, entry) in entries.enumerated() {
                let entryPath = "\(listPath)[\(index)]"
                switch container(entry, at: entryPath, list: list) {
                case .failure(let problem):
                    result.problems.append(problem)
                case .success(let (image, ref)):
                    if let existing = indexByImage[image] {
                        result.uses[existing].containers.append(ref)
                    } else {
                        indexByImage[image] = result.uses.count
                        result.uses.append(ImageUse(image: image, containers: [ref]))
                    }
                }
            }
        }
        return result
    }

    private func container(_ entry: JSONValue, at path: String, list: ContainerList) -> Swift.Result<(String, ContainerRef), ObjectProblem> {
        guard case .object = entry else {
            return .failure(ObjectProblem(path: path, reason: "must be an object, not \(entry.typeName)"))
        }
        var name: String?
        if let value = entry["name"], value != .null {
            guard case .string(let text) = value else {
                return .failure(ObjectProblem(path: path + ".name", reason: "must be a string, not \(value.typeName)"))
            }
            name = text
        }
        guard let value = entry["image"], value != .null else {
            return .failure(ObjectProblem(path: path + ".image", reason: "is missing; every container needs an image"))
        }
        guard case .string(let image) = value else {
            return .failure(ObjectProblem(path: path + ".image", reason: "must be a string, not \(value.typeName)"))
        }
        guard !image.allSatisfy(\.isWhitespace) else {
            return .failure(ObjectProblem(path: path + ".image", reason: "is empty; every container needs an image"))
        }
        guard image.first?.isWhitespace == false, image.last?.isWhitespace == false else {
            return .failure(ObjectProblem(path: path + ".image", reason: "has leading or trailing whitespace"))
        }
        return .success((image, ContainerRef(path: path, name: name, list: list)))
    }
}
