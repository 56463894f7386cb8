import ArgumentParser
import TouchpointCore

extension CollectorCommand.Enroll {
    /// Refuses `--kiosk` and `--site` values that break the id rule (the one survey ids follow), before
    /// anything is read or opened.
    ///
    /// The storage checks the same rule (``TouchpointCollector/EnrolmentKey``); checking here first names the
    /// argument.
    func checkIDs() throws {
        for (value, name) in [(kiosk, "--kiosk"), (site, "--site")] {
            if let problem = Identifier.problem(value, name: name) {
                throw ValidationError(problem + " (kiosk and site ids follow the rule for survey ids)")
            }
        }
    }
}
