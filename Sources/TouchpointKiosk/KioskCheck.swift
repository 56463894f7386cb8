import TouchpointCore

/// `touchpoint kiosk --check`: what the kiosk would run with, and everything that needs fixing first.
public enum KioskCheck {
    /// The check's outcome: the text to print, and whether the kiosk is ready for customers.
    public struct Report: Sendable, Hashable {
        /// Lines for staff.
        public var text: String
        /// False if a survey does not validate, none does, or site or kiosk are the built-in defaults.
        public var ok: Bool
    }

    /// Checks a configuration (already loaded, so it parsed) and the surveys it points at.
    public static func report(configuration: KioskConfiguration, configFile: String?, catalog: SurveyCatalog) -> Report {
        var lines = ["configuration: \(configFile ?? "(none: built-in defaults)")"]
        var problems: [String] = []
        lines.append("site:          \(configuration.site)\(configuration.siteIsConfigured ? "" : "  (built-in default)")")
        lines.append("kiosk:         \(configuration.kiosk)\(configuration.kioskIsConfigured ? "" : "  (built-in default)")")
        if let problem = configuration.identityProblem {
            problems.append("\(problem): set site: and kiosk: in touchpoint.yaml (or --site / --kiosk-id)")
        }
        lines.append("staff PIN:     \(configuration.staffPINHash != nil ? "configured" : "not configured (staff set one when unattended mode starts)")")
        lines.append("collector:     \(configuration.collector ?? "none (responses stay on this kiosk)")")
        lines.append("surveys:       \(catalog.surveys.map { "\($0.id) v\($0.version)" }.joined(separator: ", ")) (\(configuration.surveysDirectory)/)")
        if catalog.surveys.isEmpty { problems.append("no valid survey in \(configuration.surveysDirectory)/") }
        if let survey = configuration.unattendedSurvey {
            lines.append("at start:      unattended on \(survey)")
            if configuration.staffPINHash == nil {
                problems.append("unattended: \(survey) needs staffPinHash (touchpoint pin hash): at boot nobody can set a PIN")
            }
            if catalog.survey(survey) == nil {
                problems.append("unattended: \(survey) is not a valid survey in \(configuration.surveysDirectory)/")
            }
        }
        problems += catalog.problems.map { "\($0)" }
        if problems.isEmpty {
            lines.append("OK: ready for customers.")
        } else {
            lines.append("\(problems.count) problem(s):")
            lines += problems.map { "  \($0)" }
        }
        return Report(text: lines.joined(separator: "\n"), ok: problems.isEmpty)
    }
}

