import Testing
@testable import TouchpointCore

private func definition(id: String) -> String {
    """
    # A survey for the catalog tests.
    id: \(id)
    version: 1
    title: {en: Demo}
    touchpoint: retail
    stage: own
    languages: [en]
    questions:
      - id: recommend
        type: nps
        text: {en: Recommend?}

    """
}

@Suite("SurveyCatalog")
struct SurveyCatalogTests {
    @Test("Valid surveys are kept, sorted by id")
    func sortedSurveys() {
        let catalog = SurveyCatalog(files: [
            (path: "surveys/z.yaml", contents: definition(id: "alpha")),
            (path: "surveys/a.yaml", contents: definition(id: "beta")),
        ])
        #expect(catalog.problems.isEmpty)
        #expect(catalog.surveys.map(\.id) == ["alpha", "beta"])
        #expect(catalog.survey("beta")?.stage == .own)
        #expect(catalog.survey("gamma") == nil)
    }

    @Test("A survey id used by two files is a problem in the second file, at its id")
    func duplicateID() {
        let catalog = SurveyCatalog(files: [
            (path: "surveys/b.yaml", contents: definition(id: "visit")),
            (path: "surveys/a.yaml", contents: definition(id: "visit")),
        ])
        #expect(catalog.surveys.map(\.id) == ["visit"])
        #expect(catalog.problems.map(\.description) == [
            "surveys/b.yaml:2:5: survey id 'visit' is already used by surveys/a.yaml",
        ])
        #expect(catalog.problems(forFileNamed: "b").count == 1)
        #expect(catalog.problems(forFileNamed: "a").isEmpty)
    }

    @Test("An invalid file's problems are collected and its survey left out")
    func invalidFile() {
        let broken = definition(id: "broken").replacingOccurrences(of: "stage: own", with: "stage: later")
        let catalog = SurveyCatalog(files: [
            (path: "surveys/good.yaml", contents: definition(id: "good")),
            (path: "surveys/broken.yml", contents: broken),
        ])
        #expect(catalog.surveys.map(\.id) == ["good"])
        #expect(catalog.problems.map(\.description) == ["surveys/broken.yml:6:8: stage must be 'shop' or 'own', not 'later'"])
        #expect(catalog.problems(forFileNamed: "broken").count == 1)
        #expect(catalog.problems(forFileNamed: "good").isEmpty)
    }
}
