import ArgumentParser
import Foundation
import Logging
import TouchpointCollector
import TouchpointCore

/// `touchpoint export`: the raw answers as CSV, one row per answer, for spreadsheets and BI tools.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export raw answers from the collector's database as CSV (RFC 4180), one row per answer.")

    @OptionGroup var options: CollectorCommand.Options
    @OptionGroup var filters: ReportFilterOptions
    @Option(name: .long, help: "Write to this file instead of standard output.") var output: String?
    @Flag(name: .long, help: ArgumentHelp(
        "Write every cell exactly as stored.",
        discussion: "By default a comment, account, site, kiosk or touchpoint cell that starts with =, +, -, @, "
            + "tab or carriage return gets a leading ' so that spreadsheets do not run it as a formula."))
    var rawCSV = false
    @Flag(name: .long, help: ArgumentHelp(
        "Keep personal data in comments.",
        discussion: "By default e-mail addresses, phone numbers, Swedish personal identity numbers and card numbers in "
            + "comments are written as [email], [phone], [personal-id] and [card]."))
    var showPersonalData = false

    func run() async throws {
        let selection = try filters.selection()
        try options.bootstrapLogging()
        let storage = try await options.openExistingStorage(logger: Logger(label: "touchpoint.export"))
        let handle: FileHandle
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil) else {
                throw ValidationError("--output: cannot create \(output)")
            }
            guard let file = FileHandle(forWritingAtPath: output) else {
                throw ValidationError("--output: cannot write \(output)")
            }
            handle = file
        } else {
            handle = FileHandle.standardOutput
        }
        var count = 0
        var csv = AnswerCSVWriter(neutralisingFormulas: !rawCSV, maskingPersonalData: !showPersonalData)
        // The header goes with the first page, so a first page that cannot be read (comments sealed, no key) leaves
        // nothing half-written.
        var wroteHeader = false
        try await storage.exportAnswers(selection, chunkSize: 5000) { page in
            try handle.write(contentsOf: Data(((wroteHeader ? "" : AnswerCSVWriter.header) + csv.records(page)).utf8))
            wroteHeader = true
            count += page.count
        }
        if !wroteHeader {
            try handle.write(contentsOf: Data(AnswerCSVWriter.header.utf8))
        }
        let retention = try await storage.retentionNote(from: selection.from)
        try await storage.close()
        if let retention {
            FileHandle.standardError.write(Data((retention + "\n").utf8))
        }
        if let output {
            try handle.close()
            FileHandle.standardError.write(Data("Exported \(count) answers to \(output).\n".utf8))
        }
        if !csv.masked.isEmpty {
            FileHandle.standardError.write(Data(
                "Masked in comments: \(PersonalData.describe(csv.masked)) (--show-personal-data keeps them).\n".utf8))
        }
    }
}
