// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "atcr-verify",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ATProto", targets: ["ATProto"]),
        .executable(name: "atcr-verify", targets: ["atcr-verify"]),
        .executable(name: "atcr-testbed", targets: ["atcr-testbed"]),
        .executable(name: "atcr-webhook", targets: ["atcr-webhook"]),
        .executable(name: "atcr-containerd-verifier", targets: ["atcr-containerd-verifier"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // Debian's libsecp256k1 (0.2.0): K-256 verification and, for the test world, signing.
        .systemLibrary(
            name: "CSecp256k1",
            pkgConfig: "libsecp256k1",
            providers: [.apt(["libsecp256k1-dev"])]
        ),
        // Pure ATProto core: syntax, encodings, DAG-CBOR, CID, CAR, keys, MST, commit and record proofs.
        .target(
            name: "ATProto",
            dependencies: [
                "CSecp256k1",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The writing side the test world needs: signing keys, MST builder, CAR writer, signed repos.
        .target(
            name: "ATProtoWriter",
            dependencies: [
                "ATProto",
                "CSecp256k1",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Host names as clients reach them: the one canonical registry name (shared by image
        // references and trust-policy scopes), IP literals and their address classes. No dependencies.
        .target(name: "HostNames"),
        // Outbound HTTP with the project's rules: a whole-request deadline, a body size bound,
        // https only (plain http behind an explicit flag), redirects checked hop by hop.
        .target(
            name: "HTTPFetch",
            dependencies: [
                "HostNames",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // OCI: image references and the registry client (token auth, manifests, referrers, blobs).
        .target(
            name: "OCI",
            dependencies: [
                "HostNames",
                "HTTPFetch",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The verifier pipeline: image → digest → signature artifacts → trusted DIDs → DID
        // documents → record proofs → verdict; DID resolver, PDS client, caches.
        .target(
            name: "Verifier",
            dependencies: [
                "ATProto",
                "OCI",
                "TrustPolicy",
                "HTTPFetch",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        // Admission: AdmissionReview v1, images from every workload kind, decisions rendered as
        // responses (deny message, warnings, auditAnnotations), audit events. Pure.
        .target(
            name: "Admission",
            dependencies: ["ATProto", "TrustPolicy"]
        ),
        // The webhook server: TLS (HTTP/1.1 and HTTP/2), /validate, health, metrics, certificate
        // and policy reload, Kubernetes Events, graceful shutdown.
        .target(
            name: "Webhook",
            dependencies: [
                "ATProto",
                "Admission",
                "Verifier",
                "TrustPolicy",
                "TrustPolicyWatcher",
                "HTTPFetch",
                "OCI",
                "BuildInfo",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "atcr-webhook",
            dependencies: [
                "Webhook",
                "BuildInfo",
                "CommandSettings",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // containerd 2.x's image verifier (bindir plugin): the invocation, stdin and ATCR_*
        // settings, over the webhook's own per-image decision path.
        .target(
            name: "ContainerdVerifier",
            dependencies: [
                "ATProto",
                "Admission",
                "CommandSettings",
                "HTTPFetch",
                "OCI",
                "TrustPolicy",
                "TrustPolicyWatcher",
                "Verifier",
                "Webhook",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "atcr-containerd-verifier",
            dependencies: ["ContainerdVerifier"]
        ),
        // The local ATCR world: TLS CA, PLC directory, did:web host, PDS, OCI registry, scenarios.
        .target(
            name: "Testbed",
            dependencies: [
                "ATProto",
                "ATProtoWriter",
                "OCI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // What this build is: the version, and the git commit baked in by the BuildInfo plugin.
        .target(
            name: "BuildInfo",
            plugins: ["BuildInfoPlugin"]
        ),
        // Runs scripts/build-info before every build (a plain `swift build` on a clean clone works).
        .plugin(
            name: "BuildInfoPlugin",
            capability: .buildTool()
        ),
        // One typed layer for flags and ATCR_* variables, shared by the three executables. Pure.
        .target(
            name: "CommandSettings"
        ),
        // The trust policy: YAML model, validation with field paths and lines, globs, evaluation. Pure.
        .target(
            name: "TrustPolicy",
            dependencies: [
                "ATProto",
                "HostNames",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Loads the policy file and hot-reloads it (ConfigMap symlink swaps); keeps the last good one.
        .target(
            name: "TrustPolicyWatcher",
            dependencies: [
                "TrustPolicy",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The atcr-verify commands, as a library so tests can drive them without a process.
        .target(
            name: "VerifyCLI",
            dependencies: [
                "ATProto",
                "Admission",
                "TrustPolicy",
                "Verifier",
                "Webhook",
                "OCI",
                "HTTPFetch",
                "BuildInfo",
                "CommandSettings",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "atcr-verify",
            dependencies: ["VerifyCLI"]
        ),
        // The local ATCR test world. For now: signed sample proofs for the offline demo.
        .executableTarget(
            name: "atcr-testbed",
            dependencies: [
                "ATProto",
                "ATProtoWriter",
                "Testbed",
                "HTTPFetch",
                "BuildInfo",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "atcr-bench",
            dependencies: [
                "ATProto",
                "ATProtoWriter",
                "Testbed",
                "Verifier",
                "HTTPFetch",
                "OCI",
                "TrustPolicy",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Benchmarks/ProofBench"
        ),
        // The parsers that read untrusted bytes as libFuzzer targets (scripts/fuzz), and their
        // driver: libFuzzer's main when built with -sanitize=fuzzer -D LIBFUZZER, else a replayer.
        .target(
            name: "FuzzTargets",
            dependencies: [
                "ATProto",
                "Admission",
                "TrustPolicy",
                "OCI",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Fuzz/FuzzTargets"
        ),
        .executableTarget(
            name: "atcr-fuzz",
            dependencies: ["FuzzTargets"],
            path: "Fuzz/atcr-fuzz"
        ),
        .testTarget(
            name: "FuzzTargetTests",
            dependencies: ["FuzzTargets"]
        ),
        .testTarget(
            name: "ATProtoTests",
            dependencies: [
                "ATProto",
                "ATProtoWriter",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "AdmissionTests",
            dependencies: ["Admission", "TrustPolicy", "ATProto"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "HostNamesTests",
            dependencies: ["HostNames"]
        ),
        .testTarget(
            name: "HTTPFetchTests",
            dependencies: ["HTTPFetch", "Testbed"]
        ),
        .testTarget(
            name: "OCITests",
            dependencies: [
                "OCI",
                "HostNames",
                "Testbed",
                "HTTPFetch",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "VerifierTests",
            dependencies: ["Verifier", "Testbed", "ATProtoWriter", "HTTPFetch"]
        ),
        .testTarget(
            name: "TestbedTests",
            dependencies: [
                "Testbed",
                "HTTPFetch",
                "ATProto",
                "atcr-testbed",
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "VerifyCLITests",
            dependencies: [
                "VerifyCLI", "ATProtoWriter", "Testbed", "atcr-verify", "Webhook", "Verifier", "TrustPolicy", "OCI", "HTTPFetch",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "WebhookTests",
            dependencies: [
                "Webhook",
                "Testbed",
                "HTTPFetch",
                "atcr-webhook",
                "BuildInfo",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "ContainerdVerifierTests",
            dependencies: ["ATProto", "ContainerdVerifier", "OCI", "Testbed", "Verifier", "atcr-containerd-verifier"]
        ),
        .testTarget(
            name: "CommandSettingsTests",
            dependencies: ["CommandSettings", "BuildInfo"]
        ),
        .testTarget(
            name: "TrustPolicyTests",
            dependencies: [
                "TrustPolicy",
                "TrustPolicyWatcher",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
