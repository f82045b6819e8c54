import ATProto
import Foundation
import Testbed
import Testing

/// `atcr-verify check -f`: manifests decided as the webhook would admit them, through the real
/// binary against the world.
@Suite("atcr-verify check")
struct CheckCommandTests {
    /// A project directory with manifests naming the world's images, and the line of each image.
    struct Project {
        let directory: URL
        let policy: String
        let revokedLine: Int

        init(_ world: TestWorld) throws {
            directory = try CLI.directory("check")
            policy = try CLI.writePolicy(world, to: directory, name: ".atcr/trust-policy.yaml")
            let signed = try #require(world.image("signed-k256")).reference, revoked = try #require(world.image("revoked")).reference
            let audit = try #require(world.image("audit-unsigned")).reference, p256 = try #require(world.image("signed-p256")).reference
            let deployment = """
                # Source: app/templates/deployment.yaml
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: settings, namespace: prod}
                data: {a: b}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: api
                  namespace: prod
                spec:
                  template:
                    spec:
                      initContainers:
                        - name: migrate
                          image: \(audit)
                      containers:
                        - name: api
                          image: \(signed)
                        - name: sidecar
                          image: \(revoked)
                """
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("k8s"), withIntermediateDirectories: true)
            try Data(deployment.utf8).write(to: directory.appendingPathComponent("k8s/deployment.yaml"))
            revokedLine = (deployment.components(separatedBy: "\n").firstIndex { $0.contains("image: \(revoked)") } ?? -2) + 1
            let cronJob = """
                {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly"},
                 "spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": {"spec": {
                   "containers": [{"name": "job", "image": "\(p256)"}]}}}}}}
                """
            try Data(cronJob.utf8).write(to: directory.appendingPathComponent("k8s/cronjob.json"))
            let list = """
                apiVersion: v1
                kind: List
                items:
                  - apiVersion: v1
                    kind: Pod
                    metadata: {name: tool, namespace: dev}
                    spec:
                      containers:
                        - name: tool
                          image: \(signed)
                """
            try Data(list.utf8).write(to: directory.appendingPathComponent("k8s/list.yml"))
        }
    }

    @Test("a directory of YAML and JSON, multi-document, a List: per object and container with file and line; json, sarif, exit 1")
    func directory() async throws {
        let world = try await TestWorld.shared()
        let project = try Project(world)
        let flags = try CLI.worldFlags(world)
        let text = try await CLI.run(["check", "-f", "k8s"] + flags, directory: project.directory)
        #expect(text.status == 1, "\(text.all)")
        let revoked = try #require(world.image("revoked")).reference
        #expect(text.stdout.contains("DENY  \(revoked)"), "\(text.stdout)")
        #expect(text.stdout.contains("in Deployment prod/api spec.template.spec.containers[1] (sidecar) at k8s/deployment.yaml:\(project.revokedLine)"),
                "\(text.stdout)")
        #expect(text.stdout.contains("in CronJob default/nightly spec.jobTemplate.spec.template.spec.containers[0] (job) at k8s/cronjob.json:3"),
                "\(text.stdout)")
        #expect(text.stdout.contains("in Pod dev/tool spec.containers[0] (tool) at k8s/list.yml:10"), "\(text.stdout)")
        #expect(text.stdout.contains("4 objects: 5 images (3 allowed, 1 audited, 1 denied), 0 invalid, 1 without images"), "\(text.stdout)")

        let json = try await CLI.run(["check", "-f", "k8s", "--namespace", "staging", "--json"] + flags, directory: project.directory)
        #expect(json.status == 1)
        let report = try json.json()
        guard case .array(let images) = report["images"] else { Issue.record("\(json.stdout)"); return }
        #expect(images.map { $0["namespace"] } == ["staging", "prod", "prod", "prod", "dev"].map { JSONValue.string($0) },
                "metadata.namespace, else --namespace (files sorted: cronjob.json, deployment.yaml, list.yml)")
        #expect(images.map { $0["decision"] } == ["allow", "allow", "deny", "audit", "allow"].map { JSONValue.string($0) },
                "plan order: containers, then initContainers")
        #expect(images[2]["source"]?["containers"] == .array([.object([
            JSONMember(name: "path", value: .string("spec.template.spec.containers[1]")),
            JSONMember(name: "name", value: .string("sidecar")),
            JSONMember(name: "line", value: .number(String(project.revokedLine))),
        ])]))

        let sarif = try await CLI.run(["check", "-f", "k8s", "--format", "sarif"] + flags, directory: project.directory)
        try SARIFValidator.validate(sarif.stdout)
        let runs = try sarif.json()["runs"]
        #expect(runs?.ruleIds == ["atcr/check/record-absent", "atcr/policy/dev-images"], "\(sarif.stdout)")
        if case .array(let list)? = runs, case .array(let results)? = list.first?["results"], let denied = results.first,
           case .array(let locations)? = denied["locations"] {
            #expect(locations.first?["physicalLocation"]?["artifactLocation"]?["uri"] == .string("k8s/deployment.yaml"))
            #expect(locations.first?["physicalLocation"]?["artifactLocation"]?["uriBaseId"] == .string("SRCROOT"))
            #expect(locations.first?["physicalLocation"]?["region"]?["startLine"] == .number(String(project.revokedLine)))
        } else { Issue.record("no locations: \(sarif.stdout)") }
        let quiet = try await CLI.run(["check", "-f", "k8s/cronjob.json", "-q"] + flags, directory: project.directory)
        #expect(quiet.status == 0 && quiet.stdout.isEmpty, "\(quiet.all)")
    }

    @Test("standard input (kustomize build / helm template output); an invalid object is refused as the webhook refuses it")
    func standardInput() async throws {
        let world = try await TestWorld.shared()
        let project = try Project(world)
        let manifests = try String(contentsOf: project.directory.appendingPathComponent("k8s/deployment.yaml"), encoding: .utf8)
        let piped = try await CLI.run(["check", "-f", "-", "--json"] + CLI.worldFlags(world), stdin: manifests, directory: project.directory)
        #expect(piped.status == 1, "\(piped.all)")
        if case .array(let images)? = try piped.json()["images"] {
            #expect(images.count == 3 && images.allSatisfy { $0["source"]?["file"] == .string("-") })
        } else { Issue.record("\(piped.stdout)") }

        let invalid = """
            apiVersion: v1
            kind: Pod
            metadata: {name: broken}
            spec:
              containers:
                - name: nothing
            """
        let refused = try await CLI.run(["check", "-f", "-"] + CLI.worldFlags(world), stdin: invalid, directory: project.directory)
        #expect(refused.status == 1, "\(refused.all)")
        #expect(refused.stdout.contains("invalid Pod default/broken at -:6") && refused.stdout.contains("spec.containers[0].image is missing"),
                "\(refused.stdout)")
        let sarif = try await CLI.run(["check", "-f", "-", "--format", "sarif"] + CLI.worldFlags(world), stdin: invalid, directory: project.directory)
        try SARIFValidator.validate(sarif.stdout)

        let unreadable = try await CLI.run(["check", "-f", "missing.yaml"] + CLI.worldFlags(world), directory: project.directory)
        #expect(unreadable.status == 2 && unreadable.stderr.contains("missing.yaml"), "\(unreadable.all)")
        let broken = try await CLI.run(["check", "-f", "-"] + CLI.worldFlags(world), stdin: "a: [b\n", directory: project.directory)
        #expect(broken.status == 2 && broken.stderr.contains("not valid YAML"), "\(broken.all)")
        let none = try await CLI.run(["check"] + CLI.worldFlags(world), directory: project.directory)
        #expect(none.status == 2 && none.stderr.contains("-f"), "\(none.all)")
    }
}
