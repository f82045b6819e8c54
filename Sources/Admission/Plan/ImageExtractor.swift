import ATProto

/// Finds the images of a workload object: every container of `containers`, `initContainers`
/// and `ephemeralContainers` at the kind's pod-spec path, and every image volume
/// (`volumes[].image.reference`, pulled by the kubelet like a container image), deduplicated
/// by image string.
///
/// Image strings are compared byte for byte (``ImageKey``), never as Swift `String`s.
struct ImageExtractor: Sendable {
    /// The images in first-use order, and what is wrong with the object (missing pod spec,
    /// wrong JSON types, containers without a usable image).
    struct Result: Sendable, Hashable {
        var uses: [ImageUse] = []
        var problems: [ObjectProblem] = []
        private var indexByImage: [ImageKey: Int] = [:]

        /// The distinct image strings.
        var imageKeys: Set<ImageKey> { Set(uses.map { ImageKey($0.image) }) }

        /// Records one use of `image`: a new entry, or one more place for an image seen before.
        mutating func add(_ image: String, at ref: ContainerRef) {
            let key = ImageKey(image)
            if let existing = indexByImage[key] {
                uses[existing].containers.append(ref)
            } else {
                indexByImage[key] = uses.count
                uses.append(ImageUse(image: image, containers: [ref]))
            }
        }
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
        for list in kind.containerLists {
            forEachEntry(of: spec, list: list, prefix: prefix, into: &result) { entry, entryPath in
                container(entry, at: entryPath, list: list)
            }
        }
        if kind.hasVolumes {
            forEachEntry(of: spec, list: .volumes, prefix: prefix, into: &result) { entry, entryPath in
                imageVolume(entry, at: entryPath)
            }
        }
        return result
    }

    /// Reads the array `spec[list]` (absent or null: nothing) and records what `read` finds in
    /// each entry: an image use, a problem, or nothing (a volume that is not an image volume).
    private func forEachEntry(
        of spec: JSONValue, list: ContainerList, prefix: String, into result: inout Result,
        _ read: (JSONValue, String) -> Swift.Result<(String, ContainerRef), ObjectProblem>?
    ) {
        let listPath = prefix + list.rawValue
        guard let value = spec[list.rawValue], value != .null else { return }
        guard case .array(let entries) = value else {
            result.problems.append(ObjectProblem(path: listPath, reason: "must be an array, not \(value.typeName)"))
            return
        }
        for (index, entry) in entries.enumerated() {
            switch read(entry, "\(listPath)[\(index)]") {
            case .failure(let problem): result.problems.append(problem)
            case .success(let (image, ref)): result.add(image, at: ref)
            case nil: break
            }
        }
    }

    private func container(_ entry: JSONValue, at path: String, list: ContainerList) -> Swift.Result<(String, ContainerRef), ObjectProblem> {
        guard case .object = entry else {
            return .failure(ObjectProblem(path: path, reason: "must be an object, not \(entry.typeName)"))
        }
        return name(of: entry, at: path).flatMap { name in
            imageText(entry["image"], at: path + ".image", need: "every container needs an image").map {
                ($0, ContainerRef(path: path, name: name, list: list))
            }
        }
    }

    /// An entry of `volumes`: an image use when it has an `image` source (reported at
    /// `….volumes[i].image`, named by the volume), nil for every other kind of volume.
    private func imageVolume(_ entry: JSONValue, at path: String) -> Swift.Result<(String, ContainerRef), ObjectProblem>? {
        guard case .object = entry else {
            return .failure(ObjectProblem(path: path, reason: "must be an object, not \(entry.typeName)"))
        }
        guard let source = entry["image"], source != .null else { return nil }
        let sourcePath = path + ".image"
        guard case .object = source else {
            return .failure(ObjectProblem(path: sourcePath, reason: "must be an object, not \(source.typeName)"))
        }
        return name(of: entry, at: path).flatMap { name in
            imageText(source["reference"], at: sourcePath + ".reference", need: "an image volume needs a reference").map {
                ($0, ContainerRef(path: sourcePath, name: name, list: .volumes))
            }
        }
    }

    /// The entry's optional `name`.
    private func name(of entry: JSONValue, at path: String) -> Swift.Result<String?, ObjectProblem> {
        guard let value = entry["name"], value != .null else { return .success(nil) }
        guard case .string(let text) = value else {
            return .failure(ObjectProblem(path: path + ".name", reason: "must be a string, not \(value.typeName)"))
        }
        return .success(text)
    }

    /// A usable image string at `path`: present, a string, not blank, no surrounding whitespace.
    private func imageText(_ value: JSONValue?, at path: String, need: String) -> Swift.Result<String, ObjectProblem> {
        guard let value, value != .null else {
            return .failure(ObjectProblem(path: path, reason: "is missing; \(need)"))
        }
        guard case .string(let image) = value else {
            return .failure(ObjectProblem(path: path, reason: "must be a string, not \(value.typeName)"))
        }
        guard !image.allSatisfy(\.isWhitespace) else {
            return .failure(ObjectProblem(path: path, reason: "is empty; \(need)"))
        }
        guard image.first?.isWhitespace == false, image.last?.isWhitespace == false else {
            return .failure(ObjectProblem(path: path, reason: "has leading or trailing whitespace"))
        }
        return .success(image)
    }
}
