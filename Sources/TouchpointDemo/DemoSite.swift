/// A demo site (showroom or service centre) and the touchpoints where it has a kiosk.
public struct DemoSite: Sendable, Hashable {
    /// The site id, e.g. `stockholm-city`.
    public var id: String
    /// The touchpoints with a kiosk at this site (`retail`, `test-drive`, `delivery`, `service`).
    public var touchpoints: [String]
    /// How well the site does, roughly −1 (poorly) to +1 (very well); shifts every score.
    public var quality: Double
    /// How the site's quality moves over the demo period (added in full by the last month).
    public var trend: Double
    /// Relative number of customers.
    public var traffic: Double

    /// Creates a site.
    public init(id: String, touchpoints: [String], quality: Double, trend: Double, traffic: Double) {
        self.id = id
        self.touchpoints = touchpoints
        self.quality = quality
        self.trend = trend
        self.traffic = traffic
    }

    /// The demo's six sites: some better than others, most improving, one getting worse.
    public static let all: [DemoSite] = [
        DemoSite(id: "stockholm-city", touchpoints: ["retail", "test-drive", "delivery", "service"], quality: 0.45, trend: 0.4, traffic: 1.6),
        DemoSite(id: "goteborg-hisingen", touchpoints: ["retail", "test-drive", "delivery", "service"], quality: 0.2, trend: 0.5, traffic: 1.3),
        DemoSite(id: "malmo-showroom", touchpoints: ["retail", "test-drive"], quality: 0.55, trend: 0.2, traffic: 1.0),
        DemoSite(id: "uppsala-bolanderna", touchpoints: ["service"], quality: -0.45, trend: 0.8, traffic: 0.9),
        DemoSite(id: "vasteras-centrum", touchpoints: ["retail", "service"], quality: -0.1, trend: -0.5, traffic: 0.8),
        DemoSite(id: "linkoping-ost", touchpoints: ["retail", "test-drive", "service"], quality: 0.05, trend: 0.35, traffic: 0.9),
    ]
}

/// One demo kiosk: where it stands and which survey it runs.
public struct DemoKiosk: Sendable, Hashable {
    /// The kiosk id, `<site>-<touchpoint>`.
    public var id: String
    /// Its site.
    public var site: DemoSite
    /// Its touchpoint.
    public var touchpoint: String
    /// The id of the survey it runs.
    public var survey: String

    /// Creates a kiosk.
    public init(id: String, site: DemoSite, touchpoint: String, survey: String) {
        self.id = id
        self.site = site
        self.touchpoint = touchpoint
        self.survey = survey
    }
}
