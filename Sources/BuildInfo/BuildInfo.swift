/// What this build is: the release version and the git commit it was built from. `--version` of
/// every executable, the webhook's startup log line and its `atcr_build_info` metric say it.
///
/// The version is set here, by hand, at a release; the commit is baked in at build time by the
/// BuildInfo plugin (`Plugins/BuildInfoPlugin`, which runs `scripts/build-info`): `-dirty` when
/// the tree had uncommitted changes, `unknown` when built without git history and without
/// `ATCR_BUILD_COMMIT`.
public enum BuildInfo {
    /// The release version.
    public static let version = "0.1.0"

    /// The git commit (12 hex digits, maybe `-dirty`), or `unknown`.
    public static let commit = buildCommit

    /// `0.1.0 (commit 1a2b3c4d5e6f)`: what `--version` prints.
    public static var versionText: String { "\(version) (commit \(commit))" }
}
