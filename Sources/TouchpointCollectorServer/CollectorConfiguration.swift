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
    /// How long a request body may take to arrive whole, and how long a connection may send nothing while a
    /// request is read or between requests (default 30 s). A slower upload gets 408; a silent connection is closed.
    public var readDeadline: Duration
    /// The most uploads read and stored at once (default 16); one more gets 503 with `Retry-After` at once,
    /// without its body being read. With ``maxBodyBytes`` this bounds the memory bodies take.
    public var maxConcurrentUploads: Int
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
        readDeadline: Duration = .seconds(30),
        maxConcurrentUploads: Int = 16,
        surveysDirectory: String = "surveys",
        minimumGroupSize: Int = 30,
        feedConfigPath: String? = nil,
        healthModelPath: String? = nil
    ) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.maxBatchItems = maxBatchItems
        self.readDeadline = readDeadline
        self.maxConcurrentUploads = maxConcurrentUploads
        self.surveysDirectory = surveysDirectory
        self.minimumGroupSize = minimumGroupSize
        self.feedConfigPath = feedConfigPath
        self.healthModelPath = healthModelPath
    }
}
