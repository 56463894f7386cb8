import Foundation
import Testing
import TouchpointCollector
import TouchpointCore

/// Which responses open follow-up cases, whose they are and when they are due (issue 14).
@Suite("Follow-up cases: rules, lifecycle, figures")
struct CaseRulesTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    func response(
        site: String = "malmo", touchpoint: String = "retail", stage: JourneyStage = .shop, account: String? = nil,
        nps: Int? = 3, csat: Int? = nil, ces: Int? = nil, suspect: Bool = false
    ) -> SurveyResponse {
        var answers: [Answer] = []
        if let nps { answers.append(Answer(question: "recommend", type: .nps, value: .number(nps))) }
        if let csat { answers.append(Answer(question: "satisfaction", type: .csat, value: .number(csat))) }
        if let ces { answers.append(Answer(question: "effort", type: .ces, value: .number(ces))) }
        var response = Fixtures.response(sequence: 1, answers: answers)
        response.site = site
        response.touchpoint = touchpoint
        response.stage = stage
        response.account = account
        response.suspect = suspect
        return response
    }

    static let file = """
        open: { csat: 2, ces: hard }
        sla: 36h
        rules:
          - sites: [malmo]
            touchpoints: [service]
            owner: malmo-service
            sla: 24h
          - owner: account
          - sites: [malmo]
            owner: anna
          - stages: [own]
            owner: aftersales
            sla: 72h
        channels:
          anna: cx-malmo
          "*": cx-all
        """

    @Test func theFileIsReadWithEveryRule() throws {
        let rules = try CaseRules.parse(yaml: Self.file, file: "cases.yaml")
        #expect(rules.csatAtMost == 2)
        #expect(rules.hardCES)
        #expect(rules.sla == .seconds(36 * 3600))
        #expect(rules.rules.count == 4)
        #expect(rules.rules[0] == CaseRule(route: FeedRoute(touchpoints: ["service"], sites: ["malmo"]), owner: .named("malmo-service"), sla: .seconds(86_400)))
        #expect(rules.rules[1].owner == .accountOwner)
        #expect(rules.needsAccountOwners)
        #expect(rules.channel(for: "anna") == "cx-malmo")
        #expect(rules.channel(for: "bo") == "cx-all")
        #expect(rules.channel(for: nil) == "cx-all")
        #expect(CaseRules.standard.channel(for: "anna") == nil)
    }

    @Test func badFilesSayWhatAndWhere() {
        let yaml = """
            open: { csat: 9, ces: easy }
            sla: soon
            rules:
              - sites: [malmo]
              - owner: ""
                colour: red
            channels: [cx]
            extra: 1
            """
        do {
            _ = try CaseRules.parse(yaml: yaml, file: "cases.yaml")
            Issue.record("a bad file was accepted")
        } catch {
            let text = error.description
            for expected in [
                "cases.yaml:1:15: open.csat must be a whole number from 1 to 4",
                "cases.yaml:1:23: open.ces must be 'hard'",
                "cases.yaml:2:6: sla must be a duration",
                "cases.yaml:4:5: rule 1 is missing 'owner'",
                "cases.yaml:6:5: unknown key 'colour' in rule 2",
                "cases.yaml:5:12: owner must be a name",
                "cases.yaml:7:11: channels must be a mapping",
                "cases.yaml:8:1: unknown key 'extra' in the cases file",
            ] {
                #expect(text.contains(expected), "missing \(expected) in:\n\(text)")
            }
        }
    }

    @Test func detractorsAlwaysOpenCasesLowCSATAndHardCESOnlyWhenAsked() throws {
        let standard = CaseRules.standard
        #expect(standard.trigger(for: response(nps: 6), cesPoints: [:]) == "NPS 6")
        #expect(standard.trigger(for: response(nps: 7), cesPoints: [:]) == nil)
        #expect(standard.trigger(for: response(nps: 9, csat: 1), cesPoints: [:]) == nil)
        #expect(standard.trigger(for: response(nps: 0, suspect: true), cesPoints: [:]) == nil)
        let rules = try CaseRules.parse(yaml: Self.file, file: "cases.yaml")
        #expect(rules.trigger(for: response(nps: 9, csat: 2), cesPoints: [:]) == "CSAT 2")
        #expect(rules.trigger(for: response(nps: 9, csat: 3), cesPoints: [:]) == nil)
        // Hard CES on each question's own scale: 1–2 of 5, 1–3 of 7.
        #expect(rules.trigger(for: response(nps: nil, ces: 2), cesPoints: ["effort": 5]) == "CES 2 of 5")
        #expect(rules.trigger(for: response(nps: nil, ces: 3), cesPoints: ["effort": 5]) == nil)
        #expect(rules.trigger(for: response(nps: nil, ces: 3), cesPoints: ["effort": 7]) == "CES 3 of 7")
        #expect(rules.trigger(for: response(nps: nil, ces: 4), cesPoints: ["effort": 7]) == nil)
        #expect(rules.trigger(for: response(nps: 2, csat: 1, ces: 1), cesPoints: ["effort": 7]) == "NPS 2 · CSAT 1 · CES 1 of 7")
    }

    @Test func theFirstMatchingRuleGivesOwnerAndSLA() throws {
        let rules = try CaseRules.parse(yaml: Self.file, file: "cases.yaml")
        let owners = ["acme": "karin"]
        func opening(_ response: SurveyResponse) -> CaseOpening? {
            rules.opening(for: response, cesPoints: [:], at: now, accountOwner: { owners[Account.matchingKey($0)] })
        }
        // By site and touchpoint, with the rule's own SLA.
        #expect(opening(response(touchpoint: "service", stage: .own, account: "ACME")) == CaseOpening(
            trigger: "NPS 3", owner: "malmo-service", dueAt: now.addingTimeInterval(86_400)))
        // By the account's owner from the accounts CSV (matched as references are), with the file's SLA.
        #expect(opening(response(account: " Acme ")) == CaseOpening(trigger: "NPS 3", owner: "karin", dueAt: now.addingTimeInterval(36 * 3600)))
        // An account without a known owner falls through to the next rule (by site).
        #expect(opening(response(account: "unknown-co"))?.owner == "anna")
        #expect(opening(response())?.owner == "anna")
        // By stage, with its own SLA.
        #expect(opening(response(site: "lund", stage: .own)) == CaseOpening(
            trigger: "NPS 3", owner: "aftersales", dueAt: now.addingTimeInterval(72 * 3600)))
        // No rule matches: nobody owns it, due by the file's SLA.
        #expect(opening(response(site: "lund")) == CaseOpening(trigger: "NPS 3", owner: nil, dueAt: now.addingTimeInterval(36 * 3600)))
        #expect(opening(response(site: "lund", nps: 8)) == nil)
    }

    func freshCase(due: TimeInterval = 48 * 3600) -> FollowUpCase {
        FollowUpCase(
            id: "019ab2c4-0000-7000-8000-000000000001", openedAt: now, completedAt: now.addingTimeInterval(-600), site: "malmo",
            kiosk: "kiosk-1", touchpoint: "retail", stage: .shop, surveyID: "retail-visit", language: "en", trigger: "NPS 3",
            dueAt: now.addingTimeInterval(due))
    }

    @Test func aCaseMovesOpenContactedResolvedAndRefusesWhatItsStatusDoesNotAllow() throws {
        var followUp = freshCase()
        (followUp, _) = try followUp.applying(.assign("anna"), by: "eva", at: now.addingTimeInterval(60))
        #expect(followUp.owner == "anna" && followUp.status == .open)
        (followUp, _) = try followUp.applying(.contacted(note: "Called\nagreed a visit"), by: "anna", at: now.addingTimeInterval(3600))
        #expect(followUp.status == .contacted && followUp.firstContactAt == now.addingTimeInterval(3600))
        #expect(followUp.events.last == CaseEvent(at: now.addingTimeInterval(3600), actor: "anna", action: .contacted, detail: "Called\nagreed a visit"))
        #expect(throws: CollectorError.self) { try followUp.applying(.contacted(note: nil), by: "anna", at: now) }
        let (resolved, event) = try followUp.applying(.resolved(note: " \u{1B}[31mFixed "), by: "anna", at: now.addingTimeInterval(7200))
        #expect(resolved.status == .resolved && resolved.closedAt == now.addingTimeInterval(7200))
        #expect(resolved.firstContactAt == now.addingTimeInterval(3600), "the first contact stays the first")
        #expect(event.detail == "Fixed", "control sequences are dropped")
        do {
            _ = try resolved.applying(.noAction(reason: "test"), by: "anna", at: now)
            Issue.record("closed a resolved case")
        } catch {
            #expect(error.code == .conflict && error.message.contains("is resolved"), "\(error.message)")
        }
        // Notes and owners can still change on a closed case.
        #expect(try resolved.applying(.note("Sent a voucher"), by: "eva", at: now).0.events.count == 4)
        // Without action: a reason is required; resolving directly counts as the first contact.
        do {
            _ = try freshCase().applying(.noAction(reason: "  "), by: "eva", at: now)
            Issue.record("closed without a reason")
        } catch {
            #expect(error.code == .invalidInput && error.message == "reason: must not be empty")
        }
        #expect(try freshCase().applying(.noAction(reason: "a test"), by: "eva", at: now).0.firstContactAt == nil)
        #expect(try freshCase().applying(.resolved(note: nil), by: "eva", at: now).0.firstContactAt == now)
        #expect(throws: CollectorError.self) {
            try freshCase().applying(.note(String(repeating: "x", count: CaseChange.maximumTextLength + 1)), by: "eva", at: now)
        }
    }

    @Test func closedLoopFiguresMatchAHandCount() throws {
        let hour: TimeInterval = 3600
        var cases: [FollowUpCase] = []
        // malmo: contacted after 2 h and resolved in time; contacted after 10 h, resolved late; still open, overdue.
        var a = freshCase(due: 48 * hour)
        (a, _) = try a.applying(.contacted(note: nil), by: "x", at: now.addingTimeInterval(2 * hour))
        (a, _) = try a.applying(.resolved(note: nil), by: "x", at: now.addingTimeInterval(20 * hour))
        var b = freshCase(due: 24 * hour)
        (b, _) = try b.applying(.contacted(note: nil), by: "x", at: now.addingTimeInterval(10 * hour))
        (b, _) = try b.applying(.resolved(note: nil), by: "x", at: now.addingTimeInterval(30 * hour))
        var c = freshCase(due: 24 * hour)
        c.owner = "anna"
        cases += [a, b, c]
        // lund: open, not due yet (SLA unknown); closed without action in time (no contact).
        var d = freshCase(due: 200 * hour)
        d.site = "lund"
        var e = freshCase(due: 24 * hour)
        e.site = "lund"
        (e, _) = try e.applying(.noAction(reason: "a test"), by: "x", at: now.addingTimeInterval(hour))
        cases += [d, e]
        let at = now.addingTimeInterval(100 * hour)
        let report = CaseReport.make(cases, by: .site, at: at)
        #expect(report.rows.map(\.group) == ["lund", "malmo"])
        #expect(report.rows[1] == CaseReport.Row(
            group: "malmo", cases: 3, open: 1, overdue: 1, contacted: 2, medianHoursToFirstContact: 6, slaKnown: 3, closedWithinSLA: 1))
        #expect(report.rows[0] == CaseReport.Row(
            group: "lund", cases: 2, open: 1, overdue: 0, contacted: 0, medianHoursToFirstContact: nil, slaKnown: 1, closedWithinSLA: 1))
        #expect(report.total == CaseReport.Row(
            group: "", cases: 5, open: 2, overdue: 1, contacted: 2, medianHoursToFirstContact: 6, slaKnown: 4, closedWithinSLA: 2))
        #expect(report.total.withinSLAShare == 50)
        let byOwner = CaseReport.make(cases, by: .owner, at: at)
        #expect(byOwner.rows.map(\.group) == [CaseReport.nobody, "anna"])
        #expect(report.table().contains("malmo      3     1        1          2                  6.0    33% of 3"), "\(report.table())")
        #expect(report.csv().split(whereSeparator: \.isNewline).last == "total,5,2,1,2,6.0,4,2,50.0")
    }
}

extension CaseRulesTests {
    @Test func theExampleFileValidates() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/cases.yaml")
        let rules = try CaseRules.parse(yaml: try String(contentsOf: url, encoding: .utf8), file: "examples/cases.yaml")
        #expect(rules.csatAtMost == 2 && rules.hardCES && rules.rules.count == 4)
        #expect(rules.channel(for: "aftersales-team") == "service-comments" && rules.channel(for: "Sara Lind") == "detractor-alerts")
    }
}
