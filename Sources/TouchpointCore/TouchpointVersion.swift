/// This release of Touchpoint: the version every part reports (the kiosk's `appVersion` in each response, the
/// collector, `touchpoint --version`).
public enum TouchpointVersion {
    /// The release version.
    public static let number = "0.1.0"
}
