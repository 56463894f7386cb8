import Foundation

/// The identity of the running boot of the machine (Linux `/proc/sys/kernel/random/boot_id`).
///
/// Two processes see the same id exactly when no restart came between them, so a number one wrote into the
/// page cache is still there for the other.
public enum BootID {
    /// The current boot id, or nil where the system has none (then every open counter is recovered from the files).
    public static let current: String? = {
        guard let text = try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8) else {
            return nil
        }
        let id = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return SequenceCounter.isBootID(id) ? id : nil
    }()
}
