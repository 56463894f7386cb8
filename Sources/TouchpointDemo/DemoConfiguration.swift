/// What demo data set to generate: how many responses over how many months, from which seed.
public struct DemoConfiguration: Sendable, Hashable {
    /// How many responses in total (at least 1).
    public var responses: Int
    /// How many calendar months the responses cover, the current one included (1–60).
    public var months: Int
    /// The random seed: the same seed, clock and surveys give the same responses.
    public var seed: UInt64
    /// The sites and their kiosks.
    public var sites: [DemoSite]
    /// The accounts responses may refer to.
    public var accounts: [DemoAccount]

    /// Creates a configuration: 3000 responses over 12 months, seed 42, the six demo sites and 25 accounts.
    public init(
        responses: Int = 3000, months: Int = 12, seed: UInt64 = 42, sites: [DemoSite] = DemoSite.all,
        accounts: [DemoAccount] = DemoAccount.all
    ) {
        self.responses = responses
        self.months = months
        self.seed = seed
        self.sites = sites
        self.accounts = accounts
    }

    /// Throws ``DemoError/Code/invalidConfiguration`` if a value is out of range.
    public func validate() throws {
        guard responses >= 1, responses <= 2_000_000 else {
            throw DemoError(.invalidConfiguration, "--responses must be between 1 and 2000000, got \(responses)")
        }
        guard (1...60).contains(months) else {
            throw DemoError(.invalidConfiguration, "--months must be between 1 and 60, got \(months)")
        }
        guard !sites.isEmpty else { throw DemoError(.invalidConfiguration, "the demo needs at least one site") }
    }
}
