import ArgumentParser

/// The `touchpoint` command: the kiosk, survey tools, keys and the response buffer.
@main
struct Touchpoint: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "touchpoint",
        abstract: "Survey kiosk for NPS, CES and CSAT at physical touchpoints.",
        version: BuildInfo.versionText,
        subcommands: [
            KioskCommand.self, SurveyCommand.self, KeysCommand.self, ResponsesCommand.self, SyncCommand.self,
            CollectorCommand.self, ReportCommand.self, ExportCommand.self, HealthCommand.self, DemoCommand.self,
            PINCommand.self, CasesCommand.self,
        ]
    )
}
