#if canImport(Glibc)
import Glibc
#endif

/// Writes straight to file descriptor 1, unbuffered, so text appears before the kiosk waits for input.
enum StandardOutput {
    /// Writes all of `text`, retrying on partial writes and EINTR.
    static func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let count = bytes.withUnsafeBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes = bytes.dropFirst(count)
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                return
            }
        }
    }
}
