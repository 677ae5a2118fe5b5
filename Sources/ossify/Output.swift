import Foundation

/// Flushes standard output so progress lines appear promptly when piped to a log.
func flushOutput() {
    fflush(nil)
}
