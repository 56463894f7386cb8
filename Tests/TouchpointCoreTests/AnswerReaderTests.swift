import Testing
@testable import TouchpointCore

private let labels = ScaleLabels.standard(for: .csat)

private func option(_ id: String) -> ChoiceOption {
    ChoiceOption(id: id, label: LocalizedText(["en": "Label \(id)", "sv": "Etikett \(id)"]))
}

private func question(_ kind: QuestionKind) -> Question {
    Question(id: "q", kind: kind, text: LocalizedText(["en": "Q?", "sv": "F?"]))
}

private let threeOptions = ["browse", "offer", "other"].map(option)
private let nineOptions = (1...9).map { option("o\($0)") }
private let tenOptions = (1...10).map { option("o\($0)") }

/// Every question kind, with every answer it can have (a few for text).
private let everyKind: [(QuestionKind, [AnswerValue])] = [
    (.nps(labels: labels), (0...10).map(AnswerValue.number)),
    (.ces(points: 5, labels: labels), (1...5).map(AnswerValue.number)),
    (.ces(points: 7, labels: labels), (1...7).map(AnswerValue.number)),
    (.csat(labels: labels), (1...5).map(AnswerValue.number)),
    (.yesno, [.bool(true), .bool(false)]),
    (.choice(options: threeOptions), threeOptions.map { .option($0.id) }),
    (.choice(options: tenOptions), tenOptions.map { .option($0.id) }),
    (.text, [.text("Fint"), .text("10"), .text("n"), .text("Parkeringen var full – igen.")]),
]

@Suite("AnswerReader")
struct AnswerReaderTests {
    @Test("What typed(_:) gives reads back as the same answer, for every kind and language")
    func typedReadsBack() {
        for language in ["sv", "en"] {
            for (kind, values) in everyKind {
                let question = question(kind)
                for value in values {
                    let typed = AnswerReader.typed(value, for: question, language: language)
                    #expect(AnswerReader.read(typed, for: question, language: language) == .value(value),
                            "\(kind) \(value) in \(language): typed '\(typed)'")
                }
            }
        }
    }

    @Test("typed(_:) by hand")
    func typedByHand() {
        #expect(AnswerReader.typed(.number(7), for: question(.nps(labels: labels)), language: "sv") == "7")
        #expect(AnswerReader.typed(.option("offer"), for: question(.choice(options: threeOptions)), language: "en") == "2")
        #expect(AnswerReader.typed(.option("o10"), for: question(.choice(options: tenOptions)), language: "en") == "10")
        #expect(AnswerReader.typed(.bool(true), for: question(.yesno), language: "sv") == "j")
        #expect(AnswerReader.typed(.bool(true), for: question(.yesno), language: "en") == "y")
        #expect(AnswerReader.typed(.bool(false), for: question(.yesno), language: "sv") == "n")
        #expect(AnswerReader.typed(.bool(false), for: question(.yesno), language: "en") == "n")
        #expect(AnswerReader.typed(.text("Bra kaffe"), for: question(.text), language: "sv") == "Bra kaffe")
    }

    @Test("Single keys per kind", arguments: [
        (QuestionKind.csat(labels: labels), "en", ["1", "2", "3", "4", "5"] as [String]?),
        (.ces(points: 5, labels: labels), "sv", ["1", "2", "3", "4", "5"]),
        (.ces(points: 7, labels: labels), "en", ["1", "2", "3", "4", "5", "6", "7"]),
        (.yesno, "sv", ["j", "n"]),
        (.yesno, "en", ["y", "n"]),
        (.choice(options: threeOptions), "en", ["1", "2", "3"]),
        (.choice(options: nineOptions), "sv", ["1", "2", "3", "4", "5", "6", "7", "8", "9"]),
        (.choice(options: tenOptions), "en", nil),
        (.nps(labels: labels), "en", nil),
        (.text, "sv", nil),
    ])
    func singleKeys(kind: QuestionKind, language: String, expected: [String]?) {
        #expect(AnswerReader.singleKeys(for: question(kind), language: language) == expected)
    }

    @Test("Each single key reads as an answer, every answer has its key, and it is the one typed(_:) gives")
    func singleKeysRead() {
        for language in ["sv", "en"] {
            for (kind, values) in everyKind {
                let question = question(kind)
                guard let keys = AnswerReader.singleKeys(for: question, language: language) else { continue }
                var answers: [AnswerValue] = []
                for key in keys {
                    #expect(key.count == 1)
                    guard case .value(let value) = AnswerReader.read(key, for: question, language: language) else {
                        Issue.record("\(kind): key '\(key)' in \(language) is not an answer")
                        continue
                    }
                    answers.append(value)
                }
                #expect(answers == values, "\(kind) in \(language)")
                #expect(values.map { AnswerReader.typed($0, for: question, language: language) } == keys)
            }
        }
    }
}
