import TouchpointCore

/// What this binary was built from, for `touchpoint --version`. `scripts/package` builds from a copy of the sources
/// with ``commit`` filled in; a build from a checkout says so.
enum BuildInfo {
    /// The commit the binary was built from.
    static let commit = "a source build"

    /// `0.1.0 (commit 1a2b3c4d5e6f)`.
    static var versionText: String {
        "\(TouchpointVersion.number) (\(commit.hasPrefix("a ") ? commit : "commit " + commit))"
    }
}
