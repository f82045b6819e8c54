import Foundation
import PackagePlugin

/// Bakes the git commit into the `BuildInfo` module at build time, so a plain `swift build` on a
/// clean clone reports where its binaries came from. A prebuild command (run before every build)
/// has `scripts/build-info` write `BuildCommit.swift`; the script rewrites the file only when the
/// commit changed, so an unchanged tree recompiles nothing.
@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let package = context.package.directoryURL
        let output = context.pluginWorkDirectoryURL.appending(path: "generated")
        return [
            .prebuildCommand(
                displayName: "Recording the git commit for --version",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [package.appending(path: "scripts/build-info").path, package.path, output.path],
                // A build without git history (the Docker context leaves .git out) passes it in.
                environment: ProcessInfo.processInfo.environment.filter { $0.key == "ATCR_BUILD_COMMIT" },
                outputFilesDirectory: output)
        ]
    }
}
