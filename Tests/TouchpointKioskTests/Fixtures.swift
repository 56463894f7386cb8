import Foundation
import TouchpointCore
import TouchpointKiosk
import TouchpointStore
import TouchpointTesting

/// A clock tests move by hand.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_795_000_000)

    var now: Date { lock.withLock { current } }

    func advance(_ seconds: Double) {
        lock.withLock { current = current.addingTimeInterval(seconds) }
    }
}

enum Fixtures {
    static let feedback = """
        id: feedback
        version: 2
        title: {en: Feedback, sv: Återkoppling}
        touchpoint: retail
        stage: shop
        languages: [sv, en]
        abandoned: partial
        questions:
          - id: recommend
            type: nps
            text: {en: Recommend us?, sv: Rekommendera oss?}
          - id: improve
            type: text
            optional: true
            when: {question: recommend, max: 6}
            text: {en: What should we improve?, sv: Vad kan bli bättre?}
          - id: satisfied
            type: csat
            text: {en: Satisfied?, sv: Nöjd?}
        """

    static let quick = """
        id: quick
        version: 1
        title: {en: Quick}
        touchpoint: service
        stage: own
        languages: [en]
        minimumSeconds: 10
        questions:
          - id: effort
            type: ces
            text: {en: It was easy.}
        """

    static let broken = """
        id: broken
        version: 1
        title: {en: Broken, sv: Trasig}
        touchpoint: retail
        stage: shop
        languages: [sv, en]
        questions:
          - id: q
            type: stars
            text: {en: Q, sv: F}
        """

    static func catalog() -> SurveyCatalog {
        SurveyCatalog(files: [("surveys/feedback.yaml", feedback), ("surveys/quick.yaml", quick),
                              ("surveys/broken.yaml", broken)])
    }

    static func kiosk(
        console: MemoryConsole, store: InMemoryResponseStore, clock: ManualClock = ManualClock(),
        configure: (inout KioskConfiguration) -> Void = { _ in },
        buffered: @escaping () throws -> [SurveyResponse] = { [] }
    ) -> Kiosk {
        var configuration = KioskConfiguration()
        configuration.site = "showroom-1"
        configuration.kiosk = "k-7"
        configure(&configuration)
        let sources = Kiosk.Sources(
            loadSurveys: { catalog() }, digest: { try SurveyDigest.digest(of: $0) }, bufferedResponses: buffered)
        return Kiosk(configuration: configuration, console: console, store: store, keyID: store.key.keyID,
                     sources: sources, now: { clock.now })
    }
}
