import ATProto
import Foundation
import Yams

/// One Kubernetes object read from a manifest: its JSON form (what an AdmissionReview would
/// carry) and the line of every field, by the dotted path the admission code reports
/// (`spec.template.spec.containers[0].image`).
struct ManifestObject: Sendable {
    let file: String
    /// The line the object starts on.
    let line: Int?
    let object: JSONValue
    let lines: [String: Int]

    var kind: String? { if case .string(let kind)? = object["kind"] { return kind } else { return nil } }
    var apiVersion: String? { if case .string(let value)? = object["apiVersion"] { return value } else { return nil } }
    func metadata(_ key: String) -> String? {
        if case .string(let value)? = object["metadata"]?[key], !value.isEmpty { return value }
        return nil
    }
}

/// A manifest that cannot be read: exit 2, naming the file (and line) and what to do.
struct ManifestError: Error, CustomStringConvertible {
    let description: String
}

/// Reads Kubernetes manifests: YAML or JSON, several documents per file (`---`), `List` kinds
/// (`kind: List`, `…List` with `items`), files, directories (every `.yaml`, `.yml` and `.json`
/// below, sorted) and standard input (`-`: `kustomize build` and `helm template` output).
enum ManifestReader {
    /// The largest manifest file (or standard input) read.
    static let maxBytes = 32 << 20
    static let extensions: Set<String> = ["yaml", "yml", "json"]

    /// Every object of every input, in input order.
    static func read(_ inputs: [String], standardInput: () -> [UInt8]? = readStandardInput) throws(ManifestError) -> [ManifestObject] {
        var objects: [ManifestObject] = []
        for input in inputs {
            for file in try files(input) {
                let bytes: [UInt8]
                if file == "-" {
                    guard let read = standardInput(), read.count <= maxBytes else {
                        throw ManifestError(description: "-: standard input is unreadable or larger than \(maxBytes) bytes")
                    }
                    bytes = read
                } else {
                    guard let read = FileReader.read(file, limit: maxBytes + 1), read.count <= maxBytes else {
                        throw ManifestError(description: "cannot read the manifest \(file): \(FileReader.problem(file) ?? "larger than \(maxBytes) bytes")")
                    }
                    bytes = read
                }
                objects += try parse(String(decoding: bytes, as: UTF8.self), file: file)
            }
        }
        return objects
    }

    /// `input` itself, or the manifest files below a directory.
    static func files(_ input: String) throws(ManifestError) -> [String] {
        guard input != "-" else { return ["-"] }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
            throw ManifestError(description: "cannot read the manifest \(input): no such file or directory")
        }
        guard isDirectory.boolValue else { return [input] }
        guard let walker = FileManager.default.enumerator(atPath: input) else {
            throw ManifestError(description: "cannot list the directory \(input)")
        }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            let url = URL(fileURLWithPath: relative)
            if extensions.contains(url.pathExtension.lowercased()) { found.append((input as NSString).appendingPathComponent(relative)) }
        }
        return found.sorted()
    }

    /// The objects in one file's text.
    static func parse(_ text: String, file: String) throws(ManifestError) -> [ManifestObject] {
        var objects: [ManifestObject] = []
        do {
            // Parser.nextRoot throws on a syntax error; compose_all's sequence would end silently.
            let parser = try Parser(yaml: text)
            while let document = try parser.nextRoot() {
                collect(document, file: file, into: &objects)
            }
        } catch let error as YamlError {
            throw ManifestError(description: "\(file): not valid YAML or JSON: \(error)")
        } catch {
            throw ManifestError(description: "\(file): not valid YAML or JSON: \(error)")
        }
        return objects
    }

    /// An object, or each item of a list kind.
    private static func collect(_ node: Node, file: String, into objects: inout [ManifestObject]) {
        guard case .mapping(let mapping) = node else { return }  // empty documents and stray scalars hold no object
        func member(_ name: String) -> Node? { mapping.first { $0.key.string == name }?.value }
        if let kind = member("kind")?.string, kind.hasSuffix("List"), case .sequence(let items)? = member("items") {
            for item in items { collect(item, file: file, into: &objects) }
            return
        }
        var lines: [String: Int] = [:]
        let object = json(node, path: "", lines: &lines)
        objects.append(ManifestObject(file: file, line: node.mark?.line, object: object, lines: lines))
    }

    /// The JSON form of `node`, recording each field's line under its dotted path.
    static func json(_ node: Node, path: String, lines: inout [String: Int]) -> JSONValue {
        if let line = node.mark?.line, !path.isEmpty { lines[path] = line }
        switch node {
        case .mapping(let mapping):
            var members: [JSONMember] = []
            for (key, value) in mapping {
                let name = key.string ?? ""
                let child = path.isEmpty ? name : "\(path).\(name)"
                if let line = key.mark?.line { lines[child] = line }
                members.append(JSONMember(name: name, value: json(value, path: child, lines: &lines)))
                if let line = key.mark?.line { lines[child] = line }  // the key's line, where `image:` is written
            }
            return .object(members)
        case .sequence(let sequence):
            return .array(sequence.enumerated().map { index, element in json(element, path: "\(path)[\(index)]", lines: &lines) })
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null: return .null
            case .bool: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case .int, .float: return .number(scalar.string)
            default: return .string(scalar.string)
            }
        case .alias:
            return .null
        }
    }

    static func readStandardInput() -> [UInt8]? {
        var bytes: [UInt8] = []
        while let chunk = try? FileHandle.standardInput.read(upToCount: 1 << 16), !chunk.isEmpty {
            bytes += chunk
            if bytes.count > maxBytes { return bytes }
        }
        return bytes
    }
}
