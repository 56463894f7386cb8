/// The collector server's settings, each with a default (the storage is passed in, opened); only the executable reads flags and files to fill it.
public struct CollectorConfiguration: Sendable, Hashable {
    /// The address to bind (default `127.0.0.1`).
    public var host: String
    /// The port to bind (default 8080; 0 picks a free one).
    public var port: Int
    /// The largest accepted upload body in bytes (default 8 MiB); larger bodies get 413.
    public var maxBodyBytes: Int
    /// The most responses accepted in one batch (default 1000); more get 413.
    public var maxBatchItems: Int
    /// The directory of survey definitions the collector checks answers against (default `surveys`).
    public var surveysDirectory: String
    /// Report groups with fewer answers than this are flagged as too small (default 30).
    public var minimumGroupSize: Int
    /// The comment feed's webhook routes (YAML), if any; without it nothing is posted.
    public var feedConfigPath: String?
    /// The account health model (YAML); nil uses the built-in default model.
    public var healthModelPath: String?

    /// Creates a configuration; every parameter has the default described on its property.
    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        maxBodyBytes: Int = 8 * 1024 * 1024,
        maxBatchItems: Int = 1000,
        surveysDirectory: String = "surveys",
        minimumGroupSize: Int = 30,
        feedConfigPath: String? = nil,
        healthModelPath: String? = nil
    ) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.maxBatchItems = maxBatchItems
        self.surveysDirectory = surveysDirectory
        self.minimumGroupSize = minimumGroupSize
        self.feedConfigPath = feedConfigPath
        self.healthModelPath = healthModelPath
    }

    // MARK: Access

    /// How long a dashboard session lasts after sign-in (default 8 hours).
    public var sessionLifetime: Duration = .seconds(8 * 3600)
    /// Whether the session cookie is marked `Secure` (sent only over HTTPS); set when the collector serves TLS
    /// or sits behind a proxy that does.
    public var secureCookies = false
}
